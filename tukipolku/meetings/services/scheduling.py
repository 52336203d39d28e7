"""Schedule a meeting in advance, change it (reschedule, participants) and cancel it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from tukipolku.access import cache as access_cache
from tukipolku.access.actors import Actor, signed_in
from tukipolku.audit.choices import EventType
from tukipolku.audit.services import event_record
from tukipolku.cases.models import Episode
from tukipolku.core.models import User
from tukipolku.core.text import bounded
from tukipolku.meetings.choices import InvitationMethod, MeetingStatus
from tukipolku.meetings.models import Meeting, Participant
from tukipolku.meetings.services.inputs import MeetingInput
from tukipolku.meetings.services.invitations import (
    _had_invitation,
    _invite,
    _notify,
    _participant_rows,
    _payload,
)
from tukipolku.meetings.services.rules import (
    _check_plan,
    _locked,
    _require_change,
    _scheduled,
)
from tukipolku.notifications.choices import NotificationKind


@transaction.atomic
def meeting_schedule(*, actor: Actor, episode: Episode, data: MeetingInput) -> Meeting:
    """Schedule a meeting of the client's episode in advance and invite every participant.

    Users of the system get an in-app notification; everyone with an e-mail address (users, outside
    persons, the client when asked) gets a calendar invitation after the commit. The actor organises."""
    actor = signed_in(actor)  # a signed-in user from here on
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
    access_cache.clear()  # what the access policy reads has changed within this request
    return meeting


@transaction.atomic
def meeting_change(*, actor: Actor, meeting: Meeting, expected_sequence: int, data: MeetingInput) -> Meeting:
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

    rows = _participants_reconcile(locked, users, data, now=now)
    keep, created, removed = rows.keep, rows.created, rows.removed
    active = [*keep, *created]
    invitations = _invite(locked, active, InvitationMethod.REQUEST)
    gone = [*removed, *rows.uninvited]
    told = _had_invitation([r.pk for r in gone])
    invitations += _invite(locked, [r for r in gone if r.pk in told], InvitationMethod.CANCEL, force=True)
    added_ids = {u.pk for u in rows.added_users}
    _notify(locked, rows.added_users, NotificationKind.MEETING_INVITED, actor)
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
            locked, moved=moved, added=len(created) + rows.reactivated, removed=len(removed), invitations=invitations
        ),
    )
    access_cache.clear()  # what the access policy reads has changed within this request
    return locked


@dataclass
class _Reconciled:
    """The participants of a changed meeting: kept (or back), new, removed now, and no longer invited."""

    keep: list[Participant] = field(default_factory=list)
    created: list[Participant] = field(default_factory=list)
    removed: list[Participant] = field(default_factory=list)
    uninvited: list[Participant] = field(default_factory=list)
    added_users: list[User] = field(default_factory=list)
    reactivated: int = 0


def _participants_reconcile(
    locked: Meeting, users: list[User], data: MeetingInput, *, now: datetime.datetime
) -> _Reconciled:
    """Match the form's participants to the meeting's rows: keep or bring back the ones still there,
    create the new ones, mark the rest removed (`now`). Saves the rows."""
    current = list(locked.participants.select_related("user"))
    by_user = {p.user_id: p for p in current if p.user_id is not None}
    outside_rows = {p.pk: p for p in current if p.user_id is None and not p.is_client}
    client_row = next((p for p in current if p.is_client), None)
    out = _Reconciled()
    keep, added_users, uninvited = out.keep, out.added_users, out.uninvited
    new_rows: list[Participant] = []
    for u in users:
        row = by_user.pop(u.pk, None)
        if row is None:
            new_rows.append(Participant(meeting=locked, user=u, invited=True))
            added_users.append(u)
        else:
            if row.removed_at is not None:
                added_users.append(u)
                out.reactivated += 1
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
                    name=bounded(p.name, limit=200),
                    organisation=bounded(p.organisation, limit=200),
                    email=p.email.strip(),
                    invited=True,
                )
            )
        else:
            row.name, row.organisation = bounded(p.name, limit=200), bounded(p.organisation, limit=200)
            row.email = p.email.strip()
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
    out.created = Participant.objects.bulk_create(new_rows)
    out.removed = removed
    return out


@transaction.atomic
def meeting_cancel(*, actor: Actor, meeting: Meeting, expected_sequence: int) -> Meeting:
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
