"""A digest of the demo data: proves that a refactoring of the demo generator changes no row.

    DATABASE_URL=postgres://… .venv/bin/python scripts/demo_digest.py [--clients N]

Creates a fresh test database (migrations, shipped pathways), runs `manage.py load_demo` (or, with
`--clients`, only the generator with that many clients) at a frozen time, and prints one SHA-256 per
table and one over all tables. Run it before and after a change: equal digests, equal data. Columns
that differ between two runs of the same code (salted password hashes, random tokens) are left out.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from freezegun import freeze_time  # noqa: E402

NOW = "2026-03-02 10:00:00+00:00"
SKIPPED = {"password", "token", "session_key", "session_data", "expire_date", "last_login", "secret"}
"""Columns that two runs of the same code fill differently: salted hashes, random tokens, sessions."""


def table_digests() -> dict[str, str]:
    digests = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in SKIPPED]
        digest = hashlib.sha256()
        count = 0
        for row in model._base_manager.order_by("pk").values_list(*fields):
            digest.update(repr(row).encode())
            count += 1
        if count:
            digests[f"{model._meta.label} ({count})"] = digest.hexdigest()
    return digests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=0, help="only the generator, with this many clients")
    args = parser.parse_args()
    with freeze_time(NOW):  # the migrations' shipped pathways carry timestamps too
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        with freeze_time(NOW):
            if args.clients:
                import random

                from tukipolku.demo.generator import build_demo_users, build_organisations, generate

                users = build_demo_users(build_organisations(random.Random(2026)))  # noqa: S311
                generate(clients=args.clients, seed=2026, demo_users=users, log=lambda _m: None)
            else:
                call_command("load_demo", stdout=io.StringIO())
        digests = table_digests()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    total = hashlib.sha256()
    for label, value in sorted(digests.items()):
        print(f"{value[:16]}  {label}")
        total.update(f"{label} {value}\n".encode())
    print(f"{total.hexdigest()}  all {len(digests)} tables")


if __name__ == "__main__":
    main()
