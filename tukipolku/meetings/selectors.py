"""Reads of meetings. The caller has fetched the episode through the access policy (access.log.episode_get_for)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.cases.models import Episode
from tukipolku.core.models import User
from tukipolku.meetings.choices import MeetingStatus
from tukipolku.meetings.models import Decision, Invitation, Meeting, Participant
from tukipolku.pathways.choices import CompletionCheck

MEETING_CHECKS = (CompletionCheck.MEETING, CompletionCheck.JOINT_MEETING)


def meeting_list_for(*, episode: Episode) -> QuerySet[Meeting]:
    """Meetings of an episode already fetched through the access gate, newest first."""
    return (
        Meeting.objects.filter(episode=episode)
        .select_related("recorded_by", "organizer")
        .prefetch_related(
            Prefetch("participants", queryset=Participant.objects.select_related("user", "user__organisation")),
            Prefetch("decisions", queryset=Decision.objects.select_related("action", "action__owner")),
        )
        .order_by("-starts_at")
    )


def meeting_detail_for(*, episode: Episode, meeting_id: int) -> Meeting | None:
    """One meeting of the episode with participants, decisions and the invitations sent (None: not this
    episode's)."""
    return (
        meeting_list_for(episode=episode)
        .prefetch_related(Prefetch("invitations", queryset=Invitation.objects.order_by("-sequence", "-id")))
        .filter(pk=meeting_id)
        .first()
    )


@dataclass
class MeetingsSection:
    upcoming: list[Meeting] = field(default_factory=list)
    earlier: list[Meeting] = field(default_factory=list)
    suggest_scheduling: bool = False


def meetings_section_for(*, episode: Episode) -> MeetingsSection:
    """The case page's meetings: scheduled ones still to come first (soonest first), then the rest
    (newest first). Scheduling is suggested when the current step asks for a meeting that is neither
    ahead nor held yet."""
    meetings = list(meeting_list_for(episode=episode))
    now = timezone.now()
    upcoming = sorted(
        (m for m in meetings if m.status == MeetingStatus.SCHEDULED),
        key=lambda m: m.starts_at,
    )
    earlier = [m for m in meetings if m.status != MeetingStatus.SCHEDULED]
    step = episode.current_step
    wants_meeting = episode.is_open and step is not None and step.completion_check in MEETING_CHECKS
    ahead = [m for m in upcoming if (m.ends_at or m.starts_at) >= now]
    done = [
        m
        for m in earlier
        if m.status == MeetingStatus.HELD
        and (m.client_participated or step is None or step.completion_check != CompletionCheck.JOINT_MEETING)
    ]
    suggest = wants_meeting and not ahead and not done
    return MeetingsSection(upcoming=upcoming, earlier=earlier, suggest_scheduling=suggest)


def team_members(*, episode: Episode) -> QuerySet[User]:
    """The client's team (active members): preselected participants and the owners of decisions."""
    ids = episode.members.filter(removed_at__isnull=True).values("user_id")
    return (
        User.objects.filter(pk__in=ids, is_active=True)
        .select_related("organisation")
        .order_by("last_name", "first_name")
    )


def agenda_from_step(*, episode: Episode) -> str:
    """The agenda starts from the current pathway step: its name, what to do and what it must produce."""
    step = episode.current_step
    if step is None:
        return ""
    return "\n".join(
        x
        for x in [
            f"{step.order}. {step.localized('name')}",
            step.localized("guidance"),
            _("To produce: %(produces)s") % {"produces": step.localized("produces")},
        ]
        if x
    )


def participants_active(*, meeting: Meeting) -> list[Participant]:
    """Participants still in the meeting (prefetched rows)."""
    return [p for p in meeting.participants.all() if p.removed_at is None]


def invitation_state(*, meeting: Meeting) -> dict[int, Any]:
    """The newest invitation of each participant (prefetched `invitations`), by participant id."""
    out: dict[int, Any] = {}
    for inv in meeting.invitations.all():
        out.setdefault(inv.participant_id, inv)
    return out
