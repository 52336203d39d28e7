"""Background job of the sweep (the Django Tasks API, ADR 0009): the worker runs it, the scheduler
(`manage.py sweep_scheduler`) enqueues it once per TUKIPOLKU_SWEEP_INTERVAL_MINUTES slot.

Rows enqueued under the old path `tukipolku.sweep.tasks.sweep` are moved to this one by migration
`sweep.0003_job_paths`.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from tukipolku.access import cache as access_cache
from tukipolku.sweep.services import run_sweep


@task()
def run_sweep_task() -> dict[str, Any]:
    """One sweep run: every registered step, then the pending e-mails."""
    with access_cache.scope():  # the access policy's answers, for this run only
        result = run_sweep(trigger="task")
    return {"run": result.run_id, "counts": result.counts, "emails": result.emails_sent, "errors": result.errors}
