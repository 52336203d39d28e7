"""Meetings: schedule in advance (with calendar invitations), change, cancel, record as held, or record
a past meeting. A decision with a responsible person and a due date becomes an action in the plan.

Every change happens in one transaction with its domain event. Invitations are rows
(`Invitation`, one per participant and sequence) written in the same transaction and sent by a
background task after the commit (`delivery.py`); in-app notifications go through
`notifications.services.notify`. Changes to a scheduled meeting carry the `sequence` the form was
loaded with: the row is locked and a different sequence means someone else changed it (ConflictError).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.audit.choices import EventType
from tukipolku.audit.services import event_record
from tukipolku.cases.models import Episode
from tukipolku.cases.permissions import can_change_episode
from tukipolku.cases.selectors import case_team_candidates
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.core.models import User
from tukipolku.meetings.choices import InvitationMethod, InvitationStatus, MeetingKind, MeetingStatus
from tukipolku.meetings.models import Decision, Invitation, Meeting, Participant
from tukipolku.notifications.choices import NotificationKind
from tukipolku.notifications.services import notify
from tukipolku.plans.choices import ActionSource
from tukipolku.plans.services import action_create

logger = logging.getLogger(__name__)


@dataclass
class DecisionInput:
    text: str
    owner: User | None = None
    due_on: datetime.date | None = None


@dataclass
class OutsideParticipant:
    """A participant who is not a user of the system. `id`: the existing participant when changing."""

    name: str
    organisation: str = ""
    email: str = ""
    id: int | None = None


@dataclass
class MeetingInput:
    """What the schedule and change forms give: time, place, who, and the agenda."""

    kind: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    location: str = ""
    video_link: str = ""
    agenda: str = ""
    users: list[User] | None = None
    outside: list[OutsideParticipant] | None = None
    client_takes_part: bool = False
    invite_client: bool = False


# ---------------------------------------------------------------- checks


def _require_change(actor: Any, episode: Episode) -> None:
    if not can_change_episode(actor, episode):
        raise ApplicationError(_("This client relationship cannot be changed."))


def _check_kind(kind: str, client_takes_part: bool, field: str) -> None:
    if kind not in MeetingKind.values:
        raise ApplicationError(_("Choose the kind of meeting."), field="kind")
    if kind == MeetingKind.JOINT and not client_takes_part:
        raise ApplicationError(
            _("A joint meeting is one the client takes part in: tick that the client took part.")
            if field == "client_participated"
            else _("A joint meeting is one the client takes part in: tick that the client takes part."),
            field=field,
        )


def _check_plan(episode: Episode, data: MeetingInput) -> list[User]:
    """Rules of a scheduled meeting; returns the user participants (each once)."""
    _check_kind(data.kind, data.client_takes_part, "client_takes_part")
    if data.starts_at <= timezone.now():
        raise ApplicationError(_("Choose a time in the future."), field="date")
    if data.ends_at <= data.starts_at:
        raise ApplicationError(_("The meeting must end after it starts."), field="ends")
    if data.ends_at - data.starts_at > datetime.timedelta(hours=12):
        raise ApplicationError(_("A meeting lasts at most 12 hours."), field="ends")
    if not data.location.strip() and not data.video_link.strip():
        raise ApplicationError(_("Give the place or a video link."), field="location")
    users = list({u.pk: u for u in data.users or []}.values())
    if users:
        allowed = set(
            case_team_candidates(episode=episode).filter(pk__in=[u.pk for u in users]).values_list("pk", flat=True)
        )
        if any(u.pk not in allowed for u in users):
            raise ApplicationError(_("Choose participants from the list."), field="team_users")
    outside = [p for p in data.outside or [] if p.name.strip()]
    if not users and not outside and not data.client_takes_part:
        raise ApplicationError(_("Choose at least one participant."), field="team_users")
    if data.invite_client and not data.client_takes_part:
        raise ApplicationError(_("Tick that the client takes part to send them an invitation."), field="invite_client")
    if data.invite_client and not episode.client.email:
        raise ApplicationError(
            _("The client has no e-mail address recorded: they cannot be sent an invitation."), field="invite_client"
        )
    return users


def _locked(meeting: Meeting, expected_sequence: int | None) -> Meeting:
    """The meeting under a row lock, refused when someone changed it after the form was loaded."""
    locked = Meeting.objects.select_for_update().select_related("episode", "episode__client").get(pk=meeting.pk)
    if expected_sequence is not None and locked.sequence != expected_sequence:
        raise ConflictError(
            _("Someone changed this meeting after you opened it. Check the current details and try again.")
        )
    return locked


def _scheduled(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ApplicationError(_("This meeting has been cancelled."))
    if meeting.status == MeetingStatus.HELD:
        raise ApplicationError(_("This meeting has already been recorded as held."))


# ---------------------------------------------------------------- invitations and notifications


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
    transaction.on_commit(lambda: invitations_enqueue(meeting_id))
    return len(rows)


def invitations_enqueue(meeting_id: int) -> None:
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


def _notify(meeting: Meeting, users: Iterable[Any], kind: str, actor: Any, *, link: bool = True) -> None:
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
            name=p.name.strip()[:200],
            organisation=p.organisation.strip()[:200],
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


# ---------------------------------------------------------------- scheduling


@transaction.atomic
def meeting_schedule(*, actor: Any, episode: Episode, data: MeetingInput) -> Meeting:
    """Schedule a meeting of the client's episode in advance and invite every participant.

    Users of the system get an in-app notification; everyone with an e-mail address (users, outside
    persons, the client when asked) gets a calendar invitation after the commit. The actor organises."""
    _require_change(actor, episode)
    users = _check_plan(episode, data)
    meeting = Meeting.objects.create(
        episode=episode,
        kind=data.kind,
        status=MeetingStatus.SCHEDULED,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        location=data.location.strip(),
        video_link=data.video_link.strip(),
        agenda=data.agenda.strip(),
        organizer=actor,
        recorded_by=actor,
        sequence=0,
    )
    participants = Participant.objects.bulk_create(_participant_rows(meeting, users, data))
    invitations = _invite(meeting, participants, InvitationMethod.REQUEST)
    _notify(meeting, users, NotificationKind.MEETING_INVITED, actor)
    event_record(
        actor=actor,
        verb=EventType.MEETING_SCHEDULED,
        client_id=episode.client_id,
        episode_id=episode.pk,
        target=meeting,
        payload=_payload(meeting, participants=len(participants), invitations=invitations),
    )
    return meeting


@transaction.atomic
def meeting_change(*, actor: Any, meeting: Meeting, expected_sequence: int, data: MeetingInput) -> Meeting:
    """Change the time, place, agenda or participants of a scheduled meeting (reschedule).

    The sequence grows by one and every participant is sent the new version; a removed participant
    is sent a cancellation and no longer sees the meeting (nor, through it, the client)."""
    locked = _locked(meeting, expected_sequence)
    episode = locked.episode
    _require_change(actor, episode)
    _scheduled(locked)
    users = _check_plan(episode, data)
    now = timezone.now()
    locked.sequence += 1
    moved = locked.starts_at != data.starts_at or locked.ends_at != data.ends_at
    locked.kind = data.kind
    locked.starts_at, locked.ends_at = data.starts_at, data.ends_at
    locked.location, locked.video_link = data.location.strip(), data.video_link.strip()
    locked.agenda = data.agenda.strip()
    locked.save(
        update_fields=["sequence", "kind", "starts_at", "ends_at", "location", "video_link", "agenda", "updated_at"]
    )

    current = list(locked.participants.select_related("user"))
    by_user = {p.user_id: p for p in current if p.user_id is not None}
    outside_rows = {p.pk: p for p in current if p.user_id is None and not p.is_client}
    client_row = next((p for p in current if p.is_client), None)
    keep: list[Participant] = []
    added_users: list[User] = []
    reactivated = 0
    uninvited: list[Participant] = []
    new_rows: list[Participant] = []
    for u in users:
        row = by_user.pop(u.pk, None)
        if row is None:
            new_rows.append(Participant(meeting=locked, user=u, invited=True))
            added_users.append(u)
        else:
            if row.removed_at is not None:
                added_users.append(u)
                reactivated += 1
            row.removed_at, row.invited = None, True
            keep.append(row)
    for p in data.outside or []:
        if not p.name.strip():
            continue
        row = outside_rows.pop(p.id, None) if p.id is not None else None
        if row is None:
            new_rows.append(
                Participant(
                    meeting=locked,
                    name=p.name.strip()[:200],
                    organisation=p.organisation.strip()[:200],
                    email=p.email.strip(),
                    invited=True,
                )
            )
        else:
            row.name, row.organisation, row.email = p.name.strip()[:200], p.organisation.strip()[:200], p.email.strip()
            row.removed_at, row.invited = None, True
            keep.append(row)
    if data.client_takes_part:
        if client_row is None:
            new_rows.append(Participant(meeting=locked, is_client=True, invited=data.invite_client))
        else:
            if client_row.invited and not data.invite_client and client_row.removed_at is None:
                uninvited.append(client_row)  # still takes part, but no longer wants the calendar entry
            client_row.removed_at, client_row.invited = None, data.invite_client
            keep.append(client_row)
            client_row = None
    leaving: list[Participant | None] = [*by_user.values(), *outside_rows.values(), client_row]
    removed = [r for r in leaving if r is not None and r.removed_at is None]
    for r in removed:
        r.removed_at = now
    Participant.objects.bulk_update([*keep, *removed], ["name", "organisation", "email", "invited", "removed_at"])
    created = Participant.objects.bulk_create(new_rows)

    active = [*keep, *created]
    invitations = _invite(locked, active, InvitationMethod.REQUEST)
    gone = [*removed, *uninvited]
    told = _had_invitation([r.pk for r in gone])
    invitations += _invite(locked, [r for r in gone if r.pk in told], InvitationMethod.CANCEL, force=True)
    added_ids = {u.pk for u in added_users}
    _notify(locked, added_users, NotificationKind.MEETING_INVITED, actor)
    _notify(
        locked,
        [p.user for p in keep if p.user_id and p.user_id not in added_ids],
        NotificationKind.MEETING_CHANGED,
        actor,
    )
    _notify(locked, [p.user for p in removed if p.user_id], NotificationKind.MEETING_CHANGED, actor, link=False)
    event_record(
        actor=actor,
        verb=EventType.MEETING_CHANGED,
        client_id=episode.client_id,
        episode_id=episode.pk,
        target=locked,
        payload=_payload(
            locked, moved=moved, added=len(created) + reactivated, removed=len(removed), invitations=invitations
        ),
    )
    return locked


@transaction.atomic
def meeting_cancel(*, actor: Any, meeting: Meeting, expected_sequence: int) -> Meeting:
    """Cancel a scheduled meeting: every invited participant is sent a cancellation (METHOD:CANCEL),
    users are notified, and the meeting no longer lets partner participants see the client."""
    locked = _locked(meeting, expected_sequence)
    episode = locked.episode
    _require_change(actor, episode)
    _scheduled(locked)
    locked.status = MeetingStatus.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.sequence += 1
    locked.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    active = list(locked.participants.filter(removed_at__isnull=True).select_related("user"))
    told = _had_invitation([p.pk for p in active])
    invitations = _invite(locked, [p for p in active if p.pk in told], InvitationMethod.CANCEL)
    _notify(locked, [p.user for p in active if p.user_id], NotificationKind.MEETING_CHANGED, actor, link=False)
    event_record(
        actor=actor,
        verb=EventType.MEETING_CANCELLED,
        client_id=episode.client_id,
        episode_id=episode.pk,
        target=locked,
        payload=_payload(locked, invitations=invitations),
    )
    return locked


def _decisions(actor: Any, episode: Episode, meeting: Meeting, decisions: list[DecisionInput] | None) -> int:
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
    actor: Any,
    meeting: Meeting,
    expected_sequence: int,
    client_participated: bool,
    minutes: str = "",
    decisions: list[DecisionInput] | None = None,
) -> Meeting:
    """Record that a scheduled meeting was held: minutes, whether the client took part, decisions.

    A decision with a responsible person and a due date becomes an open action in the plan."""
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


# ---------------------------------------------------------------- recording a past meeting


def meeting_time_is_ahead(starts_at: datetime.datetime) -> bool:
    """A meeting that has not begun yet cannot have been held."""
    return starts_at > timezone.now()


def _not_ahead(starts_at: datetime.datetime, *, field: str | None) -> None:
    if meeting_time_is_ahead(starts_at):
        raise ApplicationError(
            _("The meeting is still ahead: it can be recorded as held once it has begun. Schedule it until then."),
            field=field,
        )


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
    """Record a meeting held already (not scheduled in the system) with its participants, minutes and
    decisions. Nobody is sent an invitation."""
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
    return meeting
