"""Who may send notifications of need and who may decide them (object checks; role checks are in
`core/permissions.py`)."""

from __future__ import annotations

from typing import Any

from tukipolku.cases.permissions import active_team_ids
from tukipolku.core.permissions import can_work_with_clients, is_partner


def can_send_need(user: Any) -> bool:
    """Team professionals (also those outside a work ability team: health station, social services)
    and partner staff may send a notification of need to a team."""
    return can_work_with_clients(user) or is_partner(user)


def can_decide_need(user: Any, team_id: int) -> bool:
    """Active members of the receiving team read the whole notification and accept or decline it."""
    return team_id in active_team_ids(user)


def is_sender(user: Any, sent_by_id: int) -> bool:
    """Only the sender themself (not their colleagues) follows what became of a notification."""
    return bool(user is not None and user.is_authenticated and user.pk == sent_by_id and can_send_need(user))
