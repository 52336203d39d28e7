from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tukipolku.audit.choices import EventType
from tukipolku.cases import registry
from tukipolku.cases.models import Episode
from tukipolku.cases.presentation import choice_label
from tukipolku.meetings.choices import MeetingKind
from tukipolku.meetings.models import Meeting
from tukipolku.meetings.selectors import meeting_list_for
from tukipolku.pathways.choices import CompletionCheck as CheckCode

registry.register_completion_check(
    CheckCode.MEETING,
    registry.CompletionCheck(
        passes=lambda e: Meeting.objects.filter(episode=e).exists(),
        failure_message=lambda: _("Record the meeting first."),
    ),
)
registry.register_completion_check(
    CheckCode.JOINT_MEETING,
    registry.CompletionCheck(
        passes=lambda e: Meeting.objects.filter(episode=e, client_participated=True).exists(),
        failure_message=lambda: _("Record a meeting in which the client took part first."),
    ),
)


def _section(actor: Any, episode: Episode) -> dict[str, Any]:
    return {"meetings": list(meeting_list_for(episode=episode))}


registry.register_case_section(
    "meetings", registry.CaseSection(order=20, template="meetings/_case_section.html", context=_section)
)
registry.register_event_describer(EventType.MEETING_RECORDED, lambda p: choice_label(MeetingKind, p.get("kind")))


def _participating(user: Any) -> Any:
    return Meeting.objects.filter(participants__user=user).values("episode_id")


registry.register_participation_source("meetings", _participating)
