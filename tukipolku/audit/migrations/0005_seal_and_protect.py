"""Seal the access-log rows written before the chain existed, and make both logs append-only on
PostgreSQL: triggers refuse UPDATE and DELETE for every role, the application's included.

TRUNCATE is not blocked by a trigger because the test runner empties tables with it; production
grants the application's role only SELECT and INSERT on these tables (docs/deployment.md,
`manage.py audit_grants`).
"""

import hashlib
import json

from django.db import migrations

TABLES = ("audit_personaldataaccess", "audit_disclosure", "audit_auditevent")
GENESIS = "0" * 64
FIELDS = (
    "accessed_at", "agent", "user_id", "profession", "organisation_id", "client_id", "episode_id", "view",
    "resource", "action", "basis", "outcome", "reason", "flagged", "request_id",
)


def seal_existing(apps, schema_editor):
    import datetime

    Access = apps.get_model("audit", "PersonalDataAccess")
    Head = apps.get_model("audit", "ChainHead")
    prev = GENESIS
    count = 0
    batch = []
    for row in Access.objects.order_by("pk").iterator(chunk_size=5000):
        values = []
        for f in FIELDS:
            v = getattr(row, f)
            if isinstance(v, datetime.datetime):
                v = v.astimezone(datetime.UTC).isoformat(timespec="microseconds")
            values.append(v)
        canonical = json.dumps(values, separators=(",", ":"), ensure_ascii=False, default=str)
        digest = hashlib.sha256(f"{prev}|{canonical}".encode()).hexdigest()
        batch.append((row.pk, prev, digest))
        prev = digest
        count += 1
        if len(batch) >= 5000:
            _write(Access, batch)
            batch = []
    _write(Access, batch)
    Head.objects.update_or_create(pk="audit.personaldataaccess", defaults={"last_hash": prev, "rows": count})
    Head.objects.update_or_create(pk="audit.disclosure", defaults={"last_hash": GENESIS, "rows": 0})


def _write(Access, batch):
    for pk, prev, digest in batch:
        # The historical model's default manager is the plain one, so .update() is allowed here.
        Access._default_manager.filter(pk=pk).update(prev_hash=prev, row_hash=digest)


PG_FUNCTION = """
CREATE OR REPLACE FUNCTION tukipolku_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def protect(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # params=None: the function body's `%` placeholders are PL/pgSQL's, not the driver's.
    schema_editor.execute(PG_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION tukipolku_audit_append_only()"
        )


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS tukipolku_audit_append_only()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_chain_and_disclosure_log")]

    operations = [
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.RunPython(protect, unprotect),
    ]
