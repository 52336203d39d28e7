"""Background job of the audit logs (the Django Tasks API, ADR 0009): the sweep's scheduler enqueues
it with every sweep slot (`sweep.services.schedule_slot`), so the log chains are anchored outside the
database every TUKIPOLKU_SWEEP_INTERVAL_MINUTES."""

from __future__ import annotations

from django_tasks import task

from tukipolku.audit.anchors import checkpoint_take


@task()
def take_audit_checkpoint_task() -> list[int]:
    """Anchor the head of every log chain that moved since its last checkpoint; returns the rows' ids."""
    return [c.pk for c in checkpoint_take()]
