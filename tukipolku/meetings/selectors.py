from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from tukipolku.cases.models import Episode
from tukipolku.meetings.models import Decision, Meeting, Participant


def meeting_list_for(*, episode: Episode) -> QuerySet[Meeting]:
    """Meetings of an episode already fetched through the access gate, newest first."""
    return (
        Meeting.objects.filter(episode=episode)
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch("participants", queryset=Participant.objects.select_related("user")),
            Prefetch("decisions", queryset=Decision.objects.select_related("action", "action__owner")),
        )
        .order_by("-starts_at")
    )
