"""`manage.py generate_data --clients N --seed S [--teams T]`: synthetic data for benchmarks."""

from __future__ import annotations

import random
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tukipolku.core.models import User
from tukipolku.demo.generator import DEMO_LOGINS, build_demo_users, build_organisations, generate


class Command(BaseCommand):
    help = (
        "Generate synthetic clients (about 1.5 episodes each) with plans, meetings, entries, consents and "
        "events. Creates the demo organisations and users first when they are missing, and extra teams and "
        "partner staff as needed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, required=True, help="number of clients to create")
        parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
        parser.add_argument(
            "--teams", type=int, default=None, help="number of teams to spread over (default: one per ~1,500 episodes)"
        )
        parser.add_argument("--batch-size", type=int, default=5000, help="clients per transaction")
        parser.add_argument(
            "--writers", type=int, default=2, help="PostgreSQL: connections writing while generating (0: none)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["clients"] < 1:
            self.stderr.write("--clients must be at least 1.")
            return
        if not User.objects.filter(username=DEMO_LOGINS[0].username).exists():
            self.stdout.write("Creating the demo organisations and users.")
            build_demo_users(build_organisations(random.Random(options["seed"])))
        result = generate(
            clients=options["clients"],
            seed=options["seed"],
            teams=options["teams"],
            batch_size=options["batch_size"],
            writers=options["writers"],
            log=self.stdout.write,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {result.clients} clients, {result.episodes} episodes and {result.total_rows} rows "
                f"in {result.seconds:.1f} s."
            )
        )
        for label, count in result.rows.items():
            self.stdout.write(f"  {label:<24} {count:>10}")
