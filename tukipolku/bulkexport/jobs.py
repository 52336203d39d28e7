"""Background jobs of the bulk export (the Django Tasks API, ADR 0009): `export_request` queues the run;
the sweep (every TUKIPOLKU_SWEEP_INTERVAL_MINUTES) expires old exports through its registered step, and
`expire_exports_task` does the same on demand."""

from __future__ import annotations

from django_tasks import task

from tukipolku.bulkexport.services import export_run, exports_expire


@task()
def run_export_task(job_id: str) -> dict[str, object]:
    """Run one `$export`; returns its counts (no client data)."""
    job = export_run(job_id=job_id)
    if job is None:
        return {"job": job_id, "status": "skipped"}
    return {"job": job_id, "status": job.status, "resources": job.resources, "clients": job.clients_exported}


@task()
def expire_exports_task() -> int:
    """Delete expired exports' files and fail stalled runs; returns how many jobs changed."""
    return exports_expire()
