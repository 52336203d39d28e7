"""Who may open, see, edit and accept escorted handovers.

* **Sending side**: occupational and student health care staff with an organisation open handovers.
  They see (and, while the handover is open, edit) the handovers they opened or are the sending
  contact person of.
* **Receiving team**: active members of the receiving team see its handovers and accept them.
* Everyone else sees nothing (404, logged). After acceptance the client's data lives in the episode,
  behind the access gate (`cases/permissions.py`); the handover stays readable to both sides as the
  record of what was handed over.
"""

from __future__ import annotations

from typing import Any

from tukipolku.access.choices import AccessGround
from tukipolku.cases.permissions import active_team_ids
from tukipolku.core.choices import Profession
from tukipolku.core.permissions import can_work_with_clients, is_partner
from tukipolku.handovers.models import Handover

SENDING_PROFESSIONS: frozenset[str] = frozenset({Profession.OCCUPATIONAL_HEALTH, Profession.STUDENT_HEALTH})
"""Professions that walk a person over to a team when occupational or student health care ends."""

RECEIVING_NURSE_PROFESSIONS: frozenset[str] = frozenset({Profession.PUBLIC_HEALTH_NURSE, Profession.NURSE})
"""The receiving nurse is a (public health) nurse of the receiving team."""


def can_send_handovers(user: Any) -> bool:
    """Occupational and student health care staff of an organisation open escorted handovers."""
    return is_partner(user) and user.profession in SENDING_PROFESSIONS and bool(user.organisation_id)


def can_use_handovers(user: Any) -> bool:
    """The handover pages: the sending side and team professionals (who see their teams' handovers)."""
    return can_send_handovers(user) or can_work_with_clients(user)


def is_sender(user: Any, handover: Handover) -> bool:
    return can_send_handovers(user) and user.pk in (handover.opened_by_id, handover.sending_contact_id)


def is_receiver(user: Any, handover: Handover) -> bool:
    return handover.team_id in active_team_ids(user)


def handover_basis(user: Any, handover: Handover) -> str | None:
    """The ground on which the user may see this handover, or None."""
    if is_receiver(user, handover):
        return AccessGround.HANDOVER_RECEIVING_TEAM
    if is_sender(user, handover):
        return AccessGround.HANDOVER_SENDER
    return None


def can_edit_handover(user: Any, handover: Handover) -> bool:
    """The sending side edits the preparatory and transfer parts until the handover is accepted."""
    return handover.is_open and is_sender(user, handover)


def can_accept_handover(user: Any, handover: Handover) -> bool:
    """Any active member of the receiving team (normally the receiving nurse) accepts."""
    return handover.is_open and is_receiver(user, handover)
