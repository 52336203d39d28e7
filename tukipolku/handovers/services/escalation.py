"""Escalation (a sweep step): a handover not accepted in time reaches the receiving team's managers."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tukipolku.audit.choices import EventType
from tukipolku.core.choices import TeamRole
from tukipolku.core.models import TeamMembership
from tukipolku.handovers.choices import HandoverStatus
from tukipolku.handovers.models import Handover
from tukipolku.handovers.services.common import detail_url, handover_event
from tukipolku.notifications.choices import NotificationKind
from tukipolku.notifications.findings import Finding
from tukipolku.notifications.services import notify_findings


def escalation_cutoff(*, today: datetime.date) -> datetime.datetime:
    """Handovers opened before this moment have waited the set number of days on `today`."""
    days = settings.TUKIPOLKU_HANDOVER_ESCALATION_DAYS
    start = today - datetime.timedelta(days=days - 1)
    return timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))


def days_waited(*, handover: Handover, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    return (today - timezone.localtime(handover.opened_at).date()).days


def handovers_escalate(*, today: datetime.date) -> int:
    """The sweep step: open handovers not accepted within the set days escalate to the receiving team's
    managers (to every active member when the team has no manager). Each is marked `escalated_at`
    once (with an event by the system); every run hands the same findings in, and the notification
    key (`handover_not_accepted:<id>`) makes each reach each manager once. Returns how many findings
    there were."""
    cutoff = escalation_cutoff(today=today)
    days = settings.TUKIPOLKU_HANDOVER_ESCALATION_DAYS
    overdue = Handover.objects.filter(status=HandoverStatus.OPEN, opened_at__lt=cutoff)
    with transaction.atomic():
        fresh = list(
            overdue.filter(escalated_at__isnull=True)
            .select_for_update(skip_locked=True)
            .only("pk", "client_id", "team_id", "opened_at", "episode_id", "status")
            .order_by("pk")
        )
        now = timezone.now()
        for handover in fresh:
            handover.escalated_at = now
            handover.save(update_fields=["escalated_at", "updated_at"])
            handover_event(actor=None, verb=EventType.HANDOVER_ESCALATED, handover=handover, days=days)
    rows = list(overdue.values_list("pk", "team_id", "opened_at").order_by("pk"))
    if not rows:
        return 0
    # The team's managers; a team without one escalates to all its active members, so that the
    # handover still reaches someone who can act.
    managers: dict[int, list[int]] = {}
    members: dict[int, list[int]] = {}
    for team_id, user_id, role in (
        TeamMembership.objects.active(today)
        .filter(team_id__in={t for _pk, t, _at in rows}, user__is_active=True)
        .values_list("team_id", "user_id", "role")
    ):
        members.setdefault(team_id, []).append(user_id)
        if role == TeamRole.MANAGER:
            managers.setdefault(team_id, []).append(user_id)
    for team_id, team_members in members.items():
        managers.setdefault(team_id, team_members)

    def findings() -> Iterator[Finding]:
        for pk, team_id, opened_at in rows:
            due = timezone.localtime(opened_at).date() + datetime.timedelta(days=days)
            for user_id in managers.get(team_id, []):
                yield Finding(
                    kind=NotificationKind.HANDOVER_NOT_ACCEPTED,
                    key=f"handover_not_accepted:{pk}",
                    recipient_id=user_id,
                    object_id=pk,
                    due_on=due,
                    url=detail_url(handover_id=pk),
                )

    return notify_findings(findings=findings())
