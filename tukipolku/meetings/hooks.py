"""How meetings plug into the episode (cases/registry.py) and the sweep (sweep/registry.py), in `register()`."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from tukipolku.access.actors import Actor
from tukipolku.audit.choices import EventType
from tukipolku.cases import registry
from tukipolku.cases.models import Episode
from tukipolku.cases.presentation import choice_label
from tukipolku.core.dates import format_datetime
from tukipolku.meetings.choices import MeetingKind, MeetingStatus
from tukipolku.meetings.models import Meeting
from tukipolku.meetings.selectors import meetings_section_for
from tukipolku.pathways.choices import CompletionCheck as CheckCode
from tukipolku.sweep.registry import register_sweep_step


def _meeting_held(episode: Episode) -> bool:
    return Meeting.objects.filter(episode=episode, status=MeetingStatus.HELD).exists()


def _joint_meeting_held(episode: Episode) -> bool:
    return Meeting.objects.filter(episode=episode, status=MeetingStatus.HELD, client_participated=True).exists()


def _section(actor: Actor, episode: Episode) -> dict[str, Any]:
    return {"section": meetings_section_for(episode=episode)}


def _when(payload: dict[str, Any]) -> str:
    return format_datetime(payload.get("starts_at"))


def _describe(payload: dict[str, Any]) -> str:
    return " ".join(x for x in [choice_label(MeetingKind, payload.get("kind")), _when(payload)] if x)


def _participating(user: Any) -> Any:
    """Episodes of meetings the user is still a participant of; a cancelled meeting or a removed
    participant grants nothing (one filter: the same participant row must match both)."""
    return (
        Meeting.objects.exclude(status=MeetingStatus.CANCELLED)
        .filter(participants__user=user, participants__removed_at__isnull=True)
        .values("episode_id")
    )


def _send_pending_invitations(today: datetime.date) -> int:
    """Invitations still pending (the task could not be enqueued, or a worker died mid-send)."""
    from tukipolku.meetings.delivery import invitations_deliver

    return invitations_deliver()


def register() -> None:
    registry.register_completion_check(
        CheckCode.MEETING,
        registry.CompletionCheck(
            passes=_meeting_held,
            failure_message=lambda: _("Record the meeting first."),
            todo=lambda: _("Record a held meeting, or schedule one"),
            url=lambda episode: reverse("meetings:create", args=[episode.pk]),
        ),
    )
    registry.register_completion_check(
        CheckCode.JOINT_MEETING,
        registry.CompletionCheck(
            passes=_joint_meeting_held,
            failure_message=lambda: _("Record a meeting in which the client took part first."),
            todo=lambda: _("Record a held meeting with the client, or schedule one"),
            url=lambda episode: reverse("meetings:create", args=[episode.pk]),
        ),
    )
    registry.register_case_section(
        "meetings", registry.CaseSection(order=20, template="meetings/_case_section.html", context=_section)
    )
    registry.register_event_describer(EventType.MEETING_RECORDED, lambda p: choice_label(MeetingKind, p.get("kind")))
    registry.register_event_describer(EventType.MEETING_SCHEDULED, _describe)
    registry.register_event_describer(EventType.MEETING_CHANGED, _describe)
    registry.register_event_describer(EventType.MEETING_CANCELLED, _describe)
    registry.register_participation_source("meetings", _participating)
    register_sweep_step("meeting_invitations", _send_pending_invitations)
