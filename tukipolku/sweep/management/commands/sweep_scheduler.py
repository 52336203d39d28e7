"""`manage.py sweep_scheduler`: enqueue the sweep task once per TUKIPOLKU_SWEEP_INTERVAL_MINUTES.

The worker (`manage.py db_worker`, or `manage.py rqworker --job-class django_tasks_rq.Job default` with
TASKS_BACKEND=rq) runs the task.
Several schedulers may run (one per host): a unique row per slot lets only one of them enqueue it.
"""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from tukipolku.sweep.services import schedule_slot, slot_start


class Command(BaseCommand):
    help = "Enqueue the sweep task once per TUKIPOLKU_SWEEP_INTERVAL_MINUTES (run next to the task worker)."

    running = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Enqueue the current slot's sweep (if not yet) and exit."
        )
        parser.add_argument(
            "--poll", type=float, default=30.0, help="Seconds between checks for a new slot (default 30)."
        )

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.running = False

    def handle(self, *args: Any, **options: Any) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        last = None
        while self.running:
            close_old_connections()
            slot = slot_start()
            if slot != last:
                try:
                    row = schedule_slot()
                except Exception as exc:  # the database is away for a moment: try again next poll
                    self.stderr.write(f"Could not enqueue the sweep: {type(exc).__name__}")
                else:
                    last = slot
                    when = timezone.localtime(slot).strftime("%Y-%m-%d %H:%M")
                    if row is not None:
                        self.stdout.write(f"Sweep enqueued for the slot {when}.")
                    elif options["verbosity"] > 1:
                        self.stdout.write(f"The slot {when} was already enqueued.")
            if options["once"]:
                return
            deadline = time.monotonic() + options["poll"]
            while self.running and time.monotonic() < deadline:
                time.sleep(min(1.0, options["poll"]))
