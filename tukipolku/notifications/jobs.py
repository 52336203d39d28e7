"""Background jobs of notifications (the Django Tasks API, ADR 0009): each calls a service.

Jobs live in `jobs.py` and are named `<verb>_<noun>_task` in every module. Rows enqueued under the old
path `tukipolku.notifications.tasks.deliver_emails` are moved to this one by migration
`notifications.0003_job_paths`.
"""

from __future__ import annotations

from django_tasks import task

from tukipolku.notifications.services import deliver_pending_emails


@task()
def deliver_emails_task() -> int:
    """Send the notification e-mails still pending (each once: the row is marked before it is sent)."""
    return deliver_pending_emails()
