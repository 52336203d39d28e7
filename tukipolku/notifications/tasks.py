"""Background tasks of notifications (the Django Tasks API, ADR 0009)."""

from __future__ import annotations

from django_tasks import task

from tukipolku.notifications.services import deliver_pending_emails


@task()
def deliver_emails() -> int:
    return deliver_pending_emails()
