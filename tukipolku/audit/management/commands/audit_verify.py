"""Verify the hash chains of the access log and the disclosure log (ASVS 16.4.2). Run nightly.

    manage.py audit_verify

Prints the rows checked and every break per log; the exit status is 1 when a chain is broken, so a
scheduler (cron, a systemd timer, a Kubernetes CronJob) can alert on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from tukipolku.audit import chain
from tukipolku.audit.models import ChainedModel, Disclosure, PersonalDataAccess

LOGS: tuple[type[ChainedModel], ...] = (PersonalDataAccess, Disclosure)


@contextmanager
def _snapshot() -> Iterator[None]:
    """On PostgreSQL read the rows, their count and the chain head from one snapshot, so that rows
    appended during the walk do not look like a break. (SQLite reads without a transaction: a
    write transaction there would block the application.)"""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield  # (inside a transaction already, as in tests, the caller's snapshot applies)
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


class Command(BaseCommand):
    help = "Verify the hash chains of the access and disclosure logs; exit status 1 on a break."

    def handle(self, *args: Any, **options: Any) -> None:
        broken = 0
        for model in LOGS:
            name = chain.chain_name(model)
            with _snapshot():
                rows = model.objects.count()
                breaks = list(chain.verify(model))
            if breaks:
                broken += len(breaks)
                self.stdout.write(self.style.ERROR(f"{name}: {rows} rows checked, {len(breaks)} break(s)"))
                for b in breaks:
                    where = f"row {b.row_id}" if b.row_id is not None else "chain head"
                    self.stdout.write(self.style.ERROR(f"  {where}: {b.problem}"))
            else:
                self.stdout.write(self.style.SUCCESS(f"{name}: {rows} rows checked, chain intact"))
        if broken:
            raise CommandError(f"The audit log chain is broken in {broken} place(s).", returncode=1)
