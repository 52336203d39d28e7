"""`manage.py audit_verify` (the nightly chain check) and `manage.py audit_grants` (the database
privileges of the application's role). The commands live in the audit app; the data protection
officer relies on them, so they are tested with the oversight tools."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from tukipolku.audit.models import Disclosure, PersonalDataAccess
from tukipolku.oversight.tests.helpers import disclosure_rows, log_rows

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def logged(nurse, episode):
    now = timezone.now()
    log_rows(nurse, episode.client_id, [now, now, now])
    disclosure_rows(nurse, episode.client_id, [now])


def test_audit_verify__intact_chains(logged):
    accesses = PersonalDataAccess.objects.count()

    output = run("audit_verify")

    assert f"audit.personaldataaccess: {accesses} rows checked, chain intact" in output
    assert f"audit.disclosure: {Disclosure.objects.count()} rows checked, chain intact" in output


def test_audit_verify__empty_logs_are_fine(db):
    output = run("audit_verify")

    assert "audit.personaldataaccess: 0 rows checked, chain intact" in output


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's triggers refuse the UPDATE itself")
def test_audit_verify__detects_a_changed_row(logged):
    row = PersonalDataAccess.objects.order_by("pk")[1]
    with connection.cursor() as cursor:  # behind the application's back, as an intruder with SQL would
        cursor.execute("UPDATE audit_personaldataaccess SET view = %s WHERE id = %s", ["cases:caseload", row.pk])

    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("audit_verify", stdout=out)

    assert exc.value.returncode == 1
    assert f"row {row.pk}: row hash does not match its content" in out.getvalue()
    assert "audit.disclosure: 1 rows checked, chain intact" in out.getvalue()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's triggers refuse the DELETE itself")
def test_audit_verify__detects_a_removed_row(logged):
    row = PersonalDataAccess.objects.order_by("pk")[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_personaldataaccess WHERE id = %s", [row.pk])

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("audit_verify", stdout=out)

    assert "previous hash does not match" in out.getvalue()


def test_audit_grants__prints_the_statements():
    output = run("audit_grants", "--role", "tukipolku_app")

    tables = '"audit_personaldataaccess", "audit_disclosure", "audit_auditevent", "audit_auditcheckpoint"'
    assert f'GRANT SELECT, INSERT ON {tables} TO "tukipolku_app";' in output
    assert f'REVOKE UPDATE, DELETE, TRUNCATE ON {tables} FROM "tukipolku_app";' in output
    assert 'GRANT SELECT, INSERT, UPDATE ON "audit_chainhead" TO "tukipolku_app";' in output
    assert 'REVOKE DELETE, TRUNCATE ON "audit_chainhead" FROM "tukipolku_app";' in output
    for table in ("audit_personaldataaccess", "audit_disclosure", "audit_auditevent", "audit_auditcheckpoint"):
        assert f'GRANT USAGE ON SEQUENCE "{table}_id_seq" TO "tukipolku_app";' in output or (
            connection.vendor == "postgresql" and f'{table}_id_seq" TO "tukipolku_app";' in output
        )


@pytest.mark.parametrize("role", ["app; DROP TABLE x", 'a"b', "1app", ""])
def test_audit_grants__refuses_odd_role_names(role):
    with pytest.raises(CommandError, match="plain PostgreSQL identifier"):
        call_command("audit_grants", "--role", role, stdout=io.StringIO())


@pytest.mark.skipif(connection.vendor == "postgresql", reason="executes only on PostgreSQL")
def test_audit_grants__execute_needs_postgresql():
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("audit_grants", "--role", "tukipolku_app", "--execute", stdout=io.StringIO())
