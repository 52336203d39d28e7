"""Record a scheduled meeting as held, or record a meeting held already; decisions become actions."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from tukipolku.access import cache as access_cache
from tukipolku.access.actors import Actor, signed_in
from tukipolku.audit.choices import EventType
from tukipolku.audit.services import event_record
from tukipolku.cases.models import Episode
from tukipolku.core.exceptions import ApplicationError
from tukipolku.core.models import User
from tukipolku.meetings.choices import MeetingStatus
from tukipolku.meetings.models import Decision, Meeting, Participant
from tukipolku.meetings.services.inputs import DecisionInput, OutsideParticipant
from tukipolku.meetings.services.rules import (
    _check_kind,
    _locked,
    _not_ahead,
    _require_change,
    _scheduled,
)
from tukipolku.plans.choices import ActionSource
from tukipolku.plans.services import action_create


def _decisions(actor: Actor, episode: Episode, meeting: Meeting, decisions: list[DecisionInput] | None) -> int:
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
    return created_actions


@transaction.atomic
def meeting_record_held(
    *,
    actor: Actor,
    meeting: Meeting,
    expected_sequence: int,
    client_participated: bool,
    minutes: str = "",
    decisions: list[DecisionInput] | None = None,
) -> Meeting:
    """Record that a scheduled meeting was held: minutes, whether the client took part, decisions.

    A decision with a responsible person and a due date becomes an open action in the plan."""
    actor = signed_in(actor)  # a signed-in user from here on
    locked = _locked(meeting, expected_sequence)
    episode = locked.episode
    _require_change(actor, episode)
    _scheduled(locked)
    _not_ahead(locked.starts_at, field=None)
    _check_kind(locked.kind, client_participated, "client_participated")
    locked.status = MeetingStatus.HELD
    locked.client_participated = client_participated
    locked.minutes = minutes.strip()
    locked.recorded_by = actor
    locked.save(update_fields=["status", "client_participated", "minutes", "recorded_by", "updated_at"])
    created_actions = _decisions(actor, episode, locked, decisions)
    event_record(
        actor=actor,
        verb=EventType.MEETING_RECORDED,
        client_id=episode.client_id,
        episode_id=episode.pk,
        target=locked,
        payload={
            "kind": locked.kind,
            "starts_at": locked.starts_at.isoformat(),
            "client_participated": client_participated,
            "actions": created_actions,
            "scheduled": True,
        },
    )
    return locked


@transaction.atomic
def meeting_record(
    *,
    actor: Actor,
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
    """Record a meeting held already (not scheduled in the system) with its participants, minutes and
    decisions. Nobody is sent an invitation."""
    actor = signed_in(actor)  # a signed-in user from here on
    _require_change(actor, episode)
    _not_ahead(starts_at, field="starts_at")
    _check_kind(kind, client_participated, "client_participated")
    if not participants and not outside_participants:
        raise ApplicationError(_("Choose at least one participant."), field="participants")
    meeting = Meeting.objects.create(
        episode=episode,
        kind=kind,
        status=MeetingStatus.HELD,
        starts_at=starts_at,
        location=location.strip(),
        client_participated=client_participated,
        agenda=agenda.strip(),
        minutes=minutes.strip(),
        recorded_by=actor,
    )
    Participant.objects.bulk_create(
        [Participant(meeting=meeting, user=u) for u in {u.pk: u for u in participants}.values()]
        + [
            Participant(meeting=meeting, name=p.name, organisation=p.organisation, email=p.email)
            for p in outside_participants or []
        ]
    )
    created_actions = _decisions(actor, episode, meeting, decisions)
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
    access_cache.clear()  # what the access policy reads has changed within this request
    return meeting
