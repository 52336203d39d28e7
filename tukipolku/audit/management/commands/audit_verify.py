"""Verify the hash chains of the access log and the disclosure log (ASVS 16.4.2). Run nightly.

    manage.py audit_verify

Prints the rows checked and every break per log; the exit status is 1 when a chain is broken, so a
scheduler (cron, a systemd timer, a Kubernetes CronJob) can alert on it. Each chain is also compared
with its anchors (`audit/anchors.py`: the write-once files in TUKIPOLKU_AUDIT_ANCHOR_DIR and the
checkpoint rows): newest rows removed together with a rewound chain head are a break too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from tukipolku.audit import chain
from tukipolku.audit.anchors import CHAINED_LOGS, anchor_dir, anchors_for


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
        directory = anchor_dir()
        if directory is not None and not directory.is_dir():
            broken += 1
            self.stdout.write(self.style.ERROR(f"anchor directory {directory} is missing: no anchors to compare"))
        for model in CHAINED_LOGS:
            name = chain.chain_name(model)
            anchors, problems = anchors_for(model)
            with _snapshot():
                rows = model.objects.count()
                breaks = [chain.Break(None, p) for p in problems] + list(chain.verify(model, anchors=anchors))
            if anchors:
                newest = max(anchors, key=lambda a: a.rows)
                self.stdout.write(
                    f"{name}: {len(anchors)} anchor(s), newest {newest.rows} rows, hash {newest.last_hash} "
                    f"({newest.taken_at}, {newest.source})"
                )
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
