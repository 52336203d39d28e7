"""Database privileges that make the audit tables append-only for the application's own role.

    manage.py audit_grants --role tukipolku_app            # print the statements
    manage.py audit_grants --role tukipolku_app --execute  # run them (PostgreSQL only)

Run as the owner of the tables (the role that runs migrations), after `migrate`. The application's
role may read and append log rows, never change, delete or truncate them. The chain head
(`audit_chainhead`) is moved on by every append, so that role may update it, not delete it; a head
that was tampered with is caught by `audit_verify`. See docs/deployment.md, "Audit log protection".
"""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from tukipolku.audit.models import AuditCheckpoint, AuditEvent, ChainHead, Disclosure, PersonalDataAccess

APPEND_ONLY = (PersonalDataAccess, Disclosure, AuditEvent, AuditCheckpoint)
ROLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _sequence(table: str) -> str | None:
    """The id sequence of the table: looked up on PostgreSQL, else the name PostgreSQL gives it."""
    if connection.vendor != "postgresql":
        return f"{table}_id_seq"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        row = cursor.fetchone()
    return row[0] if row and row[0] else None


def statements(role: str) -> list[str]:
    who = quote(role)
    tables = [m._meta.db_table for m in APPEND_ONLY]
    listed = ", ".join(quote(t) for t in tables)
    head = quote(ChainHead._meta.db_table)
    out = [
        f"GRANT SELECT, INSERT ON {listed} TO {who};",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {listed} FROM {who};",
        f"GRANT SELECT, INSERT, UPDATE ON {head} TO {who};",
        f"REVOKE DELETE, TRUNCATE ON {head} FROM {who};",
    ]
    for table in tables:
        sequence = _sequence(table)
        if sequence is not None:
            name = ".".join(quote(part.strip('"')) for part in sequence.split("."))
            out.append(f"GRANT USAGE ON SEQUENCE {name} TO {who};")
    return out


class Command(BaseCommand):
    help = "Print (or, on PostgreSQL, run) the GRANT and REVOKE statements that make the audit tables append-only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", required=True, help="the database role the application connects as")
        parser.add_argument("--execute", action="store_true", help="run the statements (PostgreSQL only)")

    def handle(self, *args: Any, role: str, execute: bool, **options: Any) -> None:
        if not ROLE_NAME.fullmatch(role):
            raise CommandError("The role name must be a plain PostgreSQL identifier (letters, digits, _).")
        if execute and connection.vendor != "postgresql":
            raise CommandError("--execute works on PostgreSQL only; without it the statements are printed.")
        sql = statements(role)
        if not execute:
            self.stdout.write("\n".join(sql))
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)
                self.stdout.write(statement)
        self.stdout.write(self.style.SUCCESS(f"Audit tables are append-only for {role}."))
