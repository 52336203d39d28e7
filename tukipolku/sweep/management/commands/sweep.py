"""`manage.py sweep`: run the sweep once in the foreground (what the worker runs every few minutes)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tukipolku.access import cache as access_cache
from tukipolku.sweep.services import run_sweep


class Command(BaseCommand):
    help = "Run the sweep once: notify the owners of overdue and forgotten work, then send pending e-mails."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Sweep as if it were this day (YYYY-MM-DD); default: today.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("today"):
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("--today must be YYYY-MM-DD") from exc
        with access_cache.scope():  # the access policy's answers, for this run only
            result = run_sweep(today=today, trigger="command")
        counts = ", ".join(f"{k} {v}" for k, v in result.counts.items()) or "no steps"
        self.stdout.write(f"Sweep {result.run_id} for {result.today}: {counts}; {result.emails_sent} e-mails sent.")
        if result.errors:
            raise CommandError(f"Steps failed: {result.errors}")
