"""The sweep that lets nobody fall through (issue 4, ADR 0009).

`run_sweep` runs every step registered in `sweep.registry.sweep_steps` (each commits its
findings in batches through `notify_findings`), then sends the pending e-mails, and records a
`SweepRun`. Every part is idempotent, so a rerun, two workers at once, or a worker killed mid-run
and the next scheduled run never notify or e-mail anyone twice about the same thing.

`schedule_slot` is what the scheduler calls every few minutes: it enqueues the sweep task once per
slot of TUKIPOLKU_SWEEP_INTERVAL_MINUTES, however many schedulers run.
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tukipolku.notifications.services import deliver_pending_emails
from tukipolku.sweep.models import SweepRun, SweepSlot
from tukipolku.sweep.registry import sweep_steps

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    """What one run found (per step), how many e-mails it sent, and the steps that failed."""

    run_id: int
    today: datetime.date
    counts: dict[str, int] = field(default_factory=dict)
    emails_sent: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors


def run_sweep(*, today: datetime.date | None = None, trigger: str = "task", deliver: bool = True) -> SweepResult:
    """Run every registered step for `today` (default: the local date), then deliver pending e-mails
    (`deliver=False` leaves them to the `deliver_emails_task` job that each step's commit enqueues).

    Must run outside a transaction (each batch commits on its own). A failing step is logged and
    recorded without stopping the others; its findings come on the next run. The error text holds
    only the exception's type (messages could carry personal data).
    """
    today = today or timezone.localdate()
    started = time.monotonic()
    run = SweepRun.objects.create(today=today, trigger=trigger)
    result = SweepResult(run_id=run.pk, today=today)
    for name, step in list(sweep_steps.items()):
        try:
            result.counts[name] = int(step(today))
        except Exception as exc:  # one broken step must not stop the rest of the sweep
            logger.exception("sweep step %s failed", name)
            result.errors[name] = type(exc).__name__
    try:
        result.emails_sent = deliver_pending_emails() if deliver else 0
    except Exception as exc:  # e.g. the mail server is down: the mails stay pending for the next run
        logger.exception("sweep e-mail delivery failed")
        result.errors["emails"] = type(exc).__name__
    result.seconds = round(time.monotonic() - started, 3)
    run.finished_at = timezone.now()
    run.counts = result.counts
    run.emails_sent = result.emails_sent
    run.error = ", ".join(f"{k}: {v}" for k, v in result.errors.items())
    run.save(update_fields=["finished_at", "counts", "emails_sent", "error"])
    logger.info(
        "sweep %s for %s: %s, %d e-mails, %.2f s%s",
        run.pk,
        today,
        result.counts,
        result.emails_sent,
        result.seconds,
        f", errors {result.errors}" if result.errors else "",
    )
    return result


def slot_start(*, now: datetime.datetime | None = None) -> datetime.datetime:
    """The start of the schedule slot `now` falls in (slots of TUKIPOLKU_SWEEP_INTERVAL_MINUTES from
    midnight UTC)."""
    now = now or timezone.now()
    minutes = max(1, settings.TUKIPOLKU_SWEEP_INTERVAL_MINUTES)
    epoch = int(now.timestamp()) // (minutes * 60) * (minutes * 60)
    return datetime.datetime.fromtimestamp(epoch, tz=datetime.UTC)


def schedule_slot(*, now: datetime.datetime | None = None) -> SweepSlot | None:
    """Enqueue the sweep task, and the audit log checkpoint (`audit.jobs`), for the current slot
    unless some scheduler already did; returns the slot row when this call enqueued it.

    The slot row and (with the database backend) the task row commit together: either both exist or
    neither, and the unique slot makes a second scheduler's insert fail instead of enqueueing again.
    """
    from django_tasks_db import DatabaseBackend

    from tukipolku.audit.jobs import take_audit_checkpoint_task
    from tukipolku.sweep.jobs import run_sweep_task

    slot = slot_start(now=now)
    in_database = isinstance(run_sweep_task.get_backend(), DatabaseBackend)
    try:
        with transaction.atomic():
            row = SweepSlot.objects.create(slot=slot)
            if in_database:  # the task rows commit with the slot row
                row.task_id = str(run_sweep_task.enqueue().id)[:64]
                row.save(update_fields=["task_id"])
                take_audit_checkpoint_task.enqueue()
    except IntegrityError:
        return None
    if not in_database:  # Redis (or the immediate backend): enqueue once the slot is ours
        row.task_id = str(run_sweep_task.enqueue().id)[:64]
        row.save(update_fields=["task_id"])
        take_audit_checkpoint_task.enqueue()
    return row


def runs_recent(*, limit: int = 5) -> list[SweepRun]:
    """The newest runs (no client data), for the managers' page and the administration."""
    return list(SweepRun.objects.order_by("-started_at", "-id")[:limit])
