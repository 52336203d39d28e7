"""`manage.py load_demo`: the demo data set used by `make run`. Safe to run again."""

from __future__ import annotations

import random
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone, translation

from tukipolku.core.models import User
from tukipolku.demo.api_demo import build_api_demo, print_api_demo
from tukipolku.demo.followup_demo import build_follow_up_demo
from tukipolku.demo.generator import DEMO_LOGINS, DEMO_PASSWORD, build_demo_users, build_organisations, generate
from tukipolku.demo.handovers_demo import build_handovers_demo
from tukipolku.demo.intake_demo import build_intake_demo
from tukipolku.demo.meetings_demo import build_meetings_demo
from tukipolku.demo.referrals_demo import build_referrals_demo
from tukipolku.demo.regions_demo import build_second_region_demo
from tukipolku.demo.showcase import Showcase, build_privacy_showcase
from tukipolku.demo.sweep_demo import build_sweep_demo

DEMO_CLIENTS = 300
DEMO_SEED = 2026


class Command(BaseCommand):
    help = (
        "Load the demo: a welfare region, two sote-centres with teams, partner organisations, demo users "
        "(and a second welfare region with its own team and users) and 300 synthetic clients with their "
        "consents, and exceptional accesses for the data protection "
        "officer to review. Does nothing but print the logins when the demo users exist."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        usernames = [login.username for login in DEMO_LOGINS]
        if User.objects.filter(username__in=usernames).exists():
            self.stdout.write("Demo data is already loaded.")
        else:
            now = timezone.now()
            with transaction.atomic():
                users = build_demo_users(build_organisations(random.Random(DEMO_SEED)))
                generate(clients=DEMO_CLIENTS, seed=DEMO_SEED, now=now, demo_users=users, log=self.stdout.write)
                showcase = build_privacy_showcase(users=users, now=now, seed=DEMO_SEED)
                build_referrals_demo(users=users, now=now)
                build_intake_demo(users=users, now=now, seed=DEMO_SEED)
                build_handovers_demo(users=users, now=now)
                build_meetings_demo(users=users, now=now)
                build_follow_up_demo(seed=DEMO_SEED)  # situations recorded at follow-ups after closing
                north = build_second_region_demo(users=users, now=now, seed=DEMO_SEED)
            build_sweep_demo(log=self.stdout.write)  # notifications and the managers' list (issue 4)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
            self.print_showcase(showcase)
            self.stdout.write(
                f"  regions: the north-* users work in Pohjoisrannikko's own team with {len(north)} clients; "
                "neither region sees the other's clients"
            )
        build_api_demo()  # also for a demo loaded before the API existed
        self.print_logins(usernames)
        print_api_demo(self.stdout.write)

    def print_showcase(self, showcase: Showcase) -> None:
        """Where to look for the privacy features."""

        def name(episode: Any) -> str:
            return f"{episode.client.first_names} {episode.client.last_name}" if episode is not None else "-"

        shared = ", ".join(f"{login} {count}" for login, count in showcase.shared.items())
        refused = sum(showcase.refused.values())
        self.stdout.write("")
        self.stdout.write("Privacy in the demo:")
        self.stdout.write(f"  nurse: social-care entries hidden (no consent) for {name(showcase.hidden_social)},")
        self.stdout.write(f"         shown on the client's consent for {name(showcase.shown_social)}")
        self.stdout.write(f"  partners see on consent (/shared/): {shared};")
        self.stdout.write(f"           refused in {refused} client teams (consent withdrawn or sharing ended)")
        self.stdout.write(
            f"  dpo: {len(showcase.grants)} shares on a legal basis and {len(showcase.emergencies)} emergency "
            f"accesses, {showcase.waiting_review} waiting for review"
        )

    def print_logins(self, usernames: list[str]) -> None:
        """A table of the demo logins that exist, in the order of DEMO_LOGINS."""
        users = {u.username: u for u in User.objects.filter(username__in=usernames).select_related("organisation")}
        with translation.override("en"):
            roles = {login.username: login.role for login in DEMO_LOGINS}
            rows = [
                (u.username, roles.get(u.username) or str(u.get_profession_display()), str(u.organisation or ""))
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
