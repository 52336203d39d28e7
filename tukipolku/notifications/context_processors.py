from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from tukipolku.core.choices import TeamRole
from tukipolku.core.models import TeamMembership, User
from tukipolku.core.permissions import can_work_with_clients
from tukipolku.notifications.models import Notification


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread count in the navigation and, for team professionals, whether they manage a team
    (the "Unfinished processes" link): one query per page, the count on the partial unread index."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    unread = Subquery(
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )
    manager: Any = Value(False)
    if can_work_with_clients(user):
        manager = Exists(TeamMembership.objects.active().filter(user=OuterRef("pk"), role=TeamRole.MANAGER))
    row = User.objects.filter(pk=user.pk).values_list(Coalesce(unread, 0), manager).first()
    count, is_manager = row if row is not None else (0, False)
    return {"unread_notifications": count, "nav_is_manager": bool(is_manager)}
