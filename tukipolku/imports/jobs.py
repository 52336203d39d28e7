"""Background jobs of spreadsheet imports (the Django Tasks API, ADR 0009): each calls a service."""

from __future__ import annotations

from django_tasks import task

from tukipolku.imports.services import import_check, import_purge_expired, import_write


@task()
def check_import_task(batch_id: int) -> dict[str, int]:
    """The dry run of an import: check every row and record what it would do."""
    return import_check(batch_id=batch_id)


@task()
def commit_import_task(batch_id: int) -> dict[str, int]:
    """Write a checked import (all or nothing, or only its valid rows)."""
    return import_write(batch_id=batch_id)


@task()
def purge_imports_task() -> int:
    """Delete the files and rows of imports past their time."""
    return import_purge_expired()
