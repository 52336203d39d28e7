"""`manage.py load_demo`: the demo data set used by `make run`. Safe to run again."""

from __future__ import annotations

import random
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from tukipolku.core.models import User
from tukipolku.demo.generator import DEMO_LOGINS, DEMO_PASSWORD, build_demo_users, build_organisations, generate

DEMO_CLIENTS = 300
DEMO_SEED = 2026


class Command(BaseCommand):
    help = (
        "Load the demo: a welfare region, two sote-centres with teams, partner organisations, demo users "
        "and 300 synthetic clients. Does nothing but print the logins when the demo users exist."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        usernames = [login.username for login in DEMO_LOGINS]
        if User.objects.filter(username__in=usernames).exists():
            self.stdout.write("Demo data is already loaded.")
        else:
            with transaction.atomic():
                users = build_demo_users(build_organisations(random.Random(DEMO_SEED)))
                generate(clients=DEMO_CLIENTS, seed=DEMO_SEED, demo_users=users, log=self.stdout.write)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.print_logins(usernames)

    def print_logins(self, usernames: list[str]) -> None:
        """A table of the demo logins that exist, in the order of DEMO_LOGINS."""
        users = {u.username: u for u in User.objects.filter(username__in=usernames).select_related("organisation")}
        with translation.override("en"):
            rows = [
                (u.username, str(u.get_profession_display()), str(u.organisation or ""))
                for u in (users.get(name) for name in usernames)
                if u is not None
            ]
        widths = [max(len(r[i]) for r in [("username", "role", "organisation"), *rows]) for i in range(3)]
        line = "  {:<%d}  {:<%d}  {:<%d}  {}" % tuple(widths)  # noqa: UP031 – widths are computed
        self.stdout.write("")
        self.stdout.write(line.format("username", "role", "organisation", "password"))
        self.stdout.write(line.format(*("-" * w for w in widths), "-" * len(DEMO_PASSWORD)))
        for row in rows:
            self.stdout.write(line.format(*row, DEMO_PASSWORD))
        self.stdout.write("")
