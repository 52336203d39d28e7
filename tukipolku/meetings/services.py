"""Recording meetings. A decision with an owner and a due date becomes an action in the plan."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tukipolku.audit.choices import EventType
from tukipolku.audit.services import event_record
from tukipolku.cases.models import Episode
from tukipolku.cases.permissions import can_change_episode
from tukipolku.core.exceptions import ApplicationError
from tukipolku.core.models import User
from tukipolku.meetings.choices import MeetingKind
from tukipolku.meetings.models import Decision, Meeting, Participant
from tukipolku.plans.choices import ActionSource
from tukipolku.plans.services import action_create


@dataclass
class DecisionInput:
    text: str
    owner: User | None = None
    due_on: datetime.date | None = None


@dataclass
class OutsideParticipant:
    name: str
    organisation: str = ""


@transaction.atomic
def meeting_record(
    *,
    actor: Any,
    episode: Episode,
    kind: str,
    starts_at: datetime.datetime,
    location: str = "",
    client_participated: bool = False,
    participants: list[User],
    outside_participants: list[OutsideParticipant] | None = None,
    agenda: str = "",
    minutes: str = "",
    decisions: list[DecisionInput] | None = None,
) -> Meeting:
    """Record a meeting of the client's team with its participants, minutes and decisions."""
    if not can_change_episode(actor, episode):
        raise ApplicationError(_("This client relationship cannot be changed."))
    if kind not in MeetingKind.values:
        raise ApplicationError(_("Choose the kind of meeting."), field="kind")
    if kind == MeetingKind.JOINT and not client_participated:
        raise ApplicationError(
            _("A joint meeting is one the client takes part in: tick that the client took part."),
            field="client_participated",
        )
    if not participants and not outside_participants:
        raise ApplicationError(_("Choose at least one participant."), field="participants")
    meeting = Meeting.objects.create(
        episode=episode,
        kind=kind,
        starts_at=starts_at,
        location=location.strip(),
        client_participated=client_participated,
        agenda=agenda.strip(),
        minutes=minutes.strip(),
        recorded_by=actor,
    )
    Participant.objects.bulk_create(
        [Participant(meeting=meeting, user=u) for u in participants]
        + [Participant(meeting=meeting, name=p.name, organisation=p.organisation) for p in outside_participants or []]
    )
    created_actions = 0
    for d in decisions or []:
        if not d.text.strip():
            continue
        action = None
        if d.owner is not None and d.due_on is not None:
            action = action_create(
                actor=actor, episode=episode, title=d.text, owner=d.owner, due_on=d.due_on, source=ActionSource.MEETING
            )
            created_actions += 1
        Decision.objects.create(meeting=meeting, text=d.text.strip(), action=action)
    event_record(
        actor=actor,
        verb=EventType.MEETING_RECORDED,
        client_id=episode.client_id,
        episode_id=episode.pk,
        target=meeting,
        payload={
            "kind": kind,
            "starts_at": starts_at.isoformat(),
            "client_participated": client_participated,
            "actions": created_actions,
        },
    )
    return meeting
