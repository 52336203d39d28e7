"""Invitation rows (sent after the commit by the background task, `delivery.py`), in-app
notifications and the audit payload of a meeting."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tukipolku.access.actors import Actor
from tukipolku.core.models import User
from tukipolku.core.text import bounded
from tukipolku.meetings.choices import InvitationStatus
from tukipolku.meetings.models import Invitation, Meeting, Participant
from tukipolku.meetings.services.inputs import MeetingInput
from tukipolku.notifications.choices import NotificationKind
from tukipolku.notifications.services import notify

logger = logging.getLogger(__name__)


def _detail_path(meeting: Meeting) -> str:
    return reverse("meetings:detail", args=[meeting.episode_id, meeting.pk])


def _invite(meeting: Meeting, participants: Iterable[Participant], method: str, *, force: bool = False) -> int:
    """Invitation rows for this version of the meeting (once per participant and sequence), sent after
    the commit by the background task. `force`: also to participants no longer invited (cancellations)."""
    rows = [
        Invitation(meeting=meeting, participant=p, sequence=meeting.sequence, method=method)
        for p in participants
        if p.invited or force
    ]
    if not rows:
        return 0
    Invitation.objects.bulk_create(rows, ignore_conflicts=True)
    meeting_id = meeting.pk
    transaction.on_commit(lambda: invitations_enqueue(meeting_id=meeting_id))
    return len(rows)


def invitations_enqueue(*, meeting_id: int) -> None:
    """Hand the sending to the background worker (immediately in tests)."""
    from tukipolku.meetings.jobs import send_meeting_invitations_task

    try:
        send_meeting_invitations_task.enqueue(meeting_id)
    except Exception:  # the sweep sends what is still pending on its next run
        logger.exception("could not enqueue meeting invitations")


def _had_invitation(participant_ids: list[int]) -> set[int]:
    return set(
        Invitation.objects.filter(participant_id__in=participant_ids)
        .exclude(status=InvitationStatus.NO_ADDRESS)
        .values_list("participant_id", flat=True)
    )


def _notify(meeting: Meeting, users: Iterable[Any], kind: str, actor: Actor, *, link: bool = True) -> None:
    recipients = [u for u in users if u is not None and u.pk != actor.pk]
    if not recipients:
        return
    prefix = "meeting_invited" if kind == NotificationKind.MEETING_INVITED else "meeting_changed"
    notify(
        recipients=recipients,
        kind=kind,
        key=f"{prefix}:{meeting.pk}:{meeting.sequence}",
        episode_id=meeting.episode_id,
        object_id=meeting.pk,
        due_on=timezone.localtime(meeting.starts_at).date(),
        url=_detail_path(meeting) if link else "",
        email=False,  # the invitation e-mail with its .ics is the e-mail (meetings/delivery.py)
    )


def _participant_rows(meeting: Meeting, users: list[User], data: MeetingInput) -> list[Participant]:
    rows = [Participant(meeting=meeting, user=u, invited=True) for u in users]
    rows += [
        Participant(
            meeting=meeting,
            name=bounded(p.name, limit=200),
            organisation=bounded(p.organisation, limit=200),
            email=p.email.strip(),
            invited=True,
        )
        for p in data.outside or []
        if p.name.strip()
    ]
    if data.client_takes_part:
        rows.append(Participant(meeting=meeting, is_client=True, invited=data.invite_client))
    return rows


def _payload(meeting: Meeting, **extra: Any) -> dict[str, Any]:
    return {
        "kind": meeting.kind,
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat() if meeting.ends_at else None,
        "sequence": meeting.sequence,
        **extra,
    }
