"""Checks shared by the meeting services: who may change, which kind, a plan that can be held, the
row lock with its sequence check, and "not ahead" for a meeting recorded as held."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.access.actors import Actor
from tukipolku.access.policy import can_change_episode
from tukipolku.cases.models import Episode
from tukipolku.cases.selectors import case_team_candidates
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.core.models import User
from tukipolku.meetings.choices import MeetingKind, MeetingStatus
from tukipolku.meetings.models import Meeting
from tukipolku.meetings.services.inputs import MeetingInput


def _require_change(actor: Actor, episode: Episode) -> None:
    if not can_change_episode(actor=actor, episode=episode):
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


def meeting_time_is_ahead(*, starts_at: datetime.datetime) -> bool:
    """A meeting that has not begun yet cannot have been held."""
    return starts_at > timezone.now()


def _not_ahead(starts_at: datetime.datetime, *, field: str | None) -> None:
    if meeting_time_is_ahead(starts_at=starts_at):
        raise ApplicationError(
            _("The meeting is still ahead: it can be recorded as held once it has begun. Schedule it until then."),
            field=field,
        )
