"""Who may do what with a referral. Reads of the episode itself go through the access gate
(`cases/permissions.py`); these checks add the referral's own rules on top."""

from __future__ import annotations

from typing import Any

from tukipolku.cases.permissions import can_change_episode
from tukipolku.core.permissions import is_partner
from tukipolku.referrals.models import Referral


def is_recipient(actor: Any, referral: Referral) -> bool:
    """Partner staff of the organisation the referral was sent to."""
    return (
        is_partner(actor)
        and actor.organisation_id is not None
        and actor.organisation_id == referral.recipient_organisation_id
    )


def can_send(actor: Any, episode: Any) -> bool:
    """Team members who may change the episode send referrals (not partners, not emergency access)."""
    return can_change_episode(actor, episode)


def can_update_status(actor: Any, referral: Referral) -> bool:
    """An open referral's status is updated by its recipient (partner organisations) or, for outside
    recipients and the welfare region's own units, by the team on the recipient's behalf."""
    if not referral.is_open:
        return False
    if referral.recipient_manages:
        return is_recipient(actor, referral)
    return can_change_episode(actor, referral.episode)
