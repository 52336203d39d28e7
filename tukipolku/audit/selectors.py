from django.db.models import QuerySet

from tukipolku.audit.models import AuditEvent


def event_list_for_episode(*, episode_id: int) -> QuerySet[AuditEvent]:
    """History of one episode, newest first. The caller has already passed the access gate."""
    return AuditEvent.objects.filter(episode_id=episode_id).select_related("actor").order_by("-occurred_at", "-id")
