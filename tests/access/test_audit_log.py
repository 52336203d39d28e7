"""The access and disclosure logs cannot be quietly changed, and no client data leaves without its
log row (reliability.md §1.2, §5.5 items 4 and 5).

* On PostgreSQL, triggers refuse UPDATE and DELETE of audit rows for every role, the superuser the
  tests run as included; an application role with only SELECT and INSERT is refused by its grants.
* The hash chain (`tukipolku.audit.chain.verify`) finds an edited row, a deleted row and a missing
  tail, even when an attacker with DBA rights switched the triggers off.
* A refused request keeps its `denied` row although the view's transaction rolled back; if the log
  cannot be written, the response is withheld (503).

PostgreSQL-only tests skip themselves on SQLite (the `postgres` fixture); the verifier tests run on
both databases.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from tukipolku.access import log as access_log
from tukipolku.audit import chain
from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent, ChainHead, Disclosure, PersonalDataAccess
from tukipolku.audit.services import access_record, disclosure_record, event_record
from tukipolku.core.unavailable import database_unavailable_response

TABLES = ("audit_personaldataaccess", "audit_disclosure", "audit_auditevent")


@pytest.fixture
def postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: triggers and roles")


@pytest.fixture
def logged(nurse, episode):
    """Three access rows, one disclosure row and one event, written through the services."""
    access_record(
        actor=nurse,
        view="cases:detail",
        rows=[(episode.client_id, episode.pk), (episode.client_id, None), (None, None)],
        basis="team_membership",
    )
    disclosure_record(
        actor=nurse,
        client_id=episode.client_id,
        episode_id=episode.pk,
        controller_organisation_id=episode.team.organisation_id,
        recipient_organisation_id=None,
        recipient_user_id=None,
        categories=["shared_plan"],
        view="cases:detail",
        basis="consent",
    )
    event_record(actor=nurse, verb=EventType.ENTRY_WRITTEN, client_id=episode.client_id, episode_id=episode.pk)
    return {
        "audit_personaldataaccess": list(PersonalDataAccess.objects.order_by("pk").values_list("pk", flat=True)),
        "audit_disclosure": list(Disclosure.objects.order_by("pk").values_list("pk", flat=True)),
        "audit_auditevent": list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
    }


def run(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def refused(sql, params=()):
    """Run `sql` in a savepoint and return the database's refusal (the test's transaction stays usable)."""
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        run(sql, params)
    return str(caught.value)


def breaks(model):
    return [(b.row_id, b.problem) for b in chain.verify(model)]


@pytest.fixture
def tamper(db):
    """Switch the append-only triggers off for this transaction: a DBA's rights (superuser only)."""

    def switch_off():
        if connection.vendor == "postgresql":
            run("SET LOCAL session_replication_role = replica")

    return switch_off


# ================================================================ append-only, PostgreSQL


@pytest.mark.parametrize("table", TABLES)
def test_triggers__update_and_delete_are_refused_even_for_the_superuser(postgres, logged, table):
    pk = logged[table][0]
    column = {"audit_personaldataaccess": "reason", "audit_disclosure": "view", "audit_auditevent": "verb"}[table]

    assert "append-only" in refused(f"UPDATE {table} SET {column} = 'x' WHERE id = %s", [pk])  # noqa: S608
    assert "append-only" in refused(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE id = %s", [pk])  # noqa: S608
        assert cursor.fetchone() == (1,)


@pytest.mark.parametrize("table", TABLES)
def test_grants__the_application_role_may_only_select_and_insert(postgres, logged, table):
    role = f"tukipolku_test_app_{uuid.uuid4().hex[:8]}"  # roles are cluster-wide: a unique name
    run(f"CREATE ROLE {role} NOLOGIN")  # rolled back with the test's transaction
    run(f"GRANT SELECT, INSERT ON {', '.join(TABLES)} TO {role}")
    pk = logged[table][0]
    run(f"SET ROLE {role}")
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            assert cursor.fetchone()[0] >= 1
        for sql in (
            f"UPDATE {table} SET id = id WHERE id = %s",  # noqa: S608
            f"DELETE FROM {table} WHERE id = %s",  # noqa: S608
        ):
            message = refused(sql, [pk])
            assert "permission denied" in message or "append-only" in message, message
        assert "permission denied" in refused(f"TRUNCATE {table}")
    finally:
        run("RESET ROLE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user = session_user")
        assert cursor.fetchone() == (True,)


def test_grants__the_application_role_can_still_append(postgres, nurse, episode):
    role = f"tukipolku_test_app_{uuid.uuid4().hex[:8]}"
    run(f"CREATE ROLE {role} NOLOGIN")
    run(f"GRANT SELECT, INSERT ON {', '.join(TABLES)} TO {role}")
    run(f"GRANT SELECT, INSERT, UPDATE ON audit_chainhead TO {role}")  # the head moves on
    run(f"GRANT SELECT ON core_user TO {role}")  # the foreign key check reads the user
    run(f"SET ROLE {role}")
    try:
        access_record(actor=nurse, view="cases:detail", rows=[(episode.client_id, episode.pk)], basis="team")
    finally:
        run("RESET ROLE")
    assert PersonalDataAccess.objects.filter(user=nurse, client_id=episode.client_id).count() == 1
    assert breaks(PersonalDataAccess) == []


# ================================================================ the hash chain, both databases


def test_chain__intact_chain_reports_nothing(logged):
    assert breaks(PersonalDataAccess) == []
    assert breaks(Disclosure) == []
    head = ChainHead.objects.get(pk=chain.chain_name(PersonalDataAccess))
    assert head.rows == PersonalDataAccess.objects.count() == 3


def test_chain__an_edited_row_is_found(logged, tamper):
    second = logged["audit_personaldataaccess"][1]
    tamper()

    run("UPDATE audit_personaldataaccess SET reason = 'tyhjä' WHERE id = %s", [second])

    assert breaks(PersonalDataAccess) == [(second, "row hash does not match its content: the row was changed")]


def test_chain__an_edited_disclosure_is_found(logged, tamper):
    (only,) = logged["audit_disclosure"]
    tamper()

    run("UPDATE audit_disclosure SET recipient_organisation_id = 999 WHERE id = %s", [only])

    assert (only, "row hash does not match its content: the row was changed") in breaks(Disclosure)


def test_chain__a_row_edited_with_its_hash_recomputed_breaks_the_next_link(logged, tamper):
    first, second, _third = logged["audit_personaldataaccess"]
    row = PersonalDataAccess.objects.get(pk=first)
    row.reason = "muutettu"
    tamper()

    run(
        "UPDATE audit_personaldataaccess SET reason = %s, row_hash = %s WHERE id = %s",
        [row.reason, chain.row_digest(row.prev_hash, row), first],
    )

    assert (second, "previous hash does not match: a row before it was removed or changed") in breaks(
        PersonalDataAccess
    )


def test_chain__a_deleted_row_is_found(logged, tamper):
    _first, second, third = logged["audit_personaldataaccess"]
    tamper()

    run("DELETE FROM audit_personaldataaccess WHERE id = %s", [second])

    found = breaks(PersonalDataAccess)
    assert (third, "previous hash does not match: a row before it was removed or changed") in found
    assert (None, "the head counts 3 rows, the table holds 2") in found


def test_chain__a_missing_tail_is_found(logged, tamper):
    *_rest, last = logged["audit_personaldataaccess"]
    tamper()

    run("DELETE FROM audit_personaldataaccess WHERE id = %s", [last])

    found = breaks(PersonalDataAccess)
    assert (None, "the newest rows are missing: the chain head points past the last row") in found
    assert (None, "the head counts 3 rows, the table holds 2") in found


# ================================================================ refused and failed requests


@pytest.mark.django_db(transaction=True)
def test_refused_request__keeps_its_denied_row_although_the_view_rolled_back(client, monkeypatch, outsider, episode):
    """A write request is one transaction (AtomicWritesMiddleware), rolled back on the 404; the log is
    written after it."""
    real = access_log.episode_get_for

    def write_then_refuse(**kwargs):
        event_record(actor=kwargs["actor"], verb=EventType.ENTRY_WRITTEN, client_id=episode.client_id)
        return real(**kwargs)

    monkeypatch.setattr(access_log, "episode_get_for", write_then_refuse)
    client.force_login(outsider)

    response = client.post(reverse("cases:step", args=[episode.pk]), {"action": "complete"})

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(actor=outsider).exists()  # the view's write was rolled back
    (denied,) = PersonalDataAccess.objects.filter(request_id=response["X-Request-ID"])
    assert (denied.outcome, denied.user_id, denied.client_id, denied.episode_id) == (
        "denied",
        outsider.pk,
        episode.client_id,
        episode.pk,
    )
    assert breaks(PersonalDataAccess) == []


@pytest.mark.django_db(transaction=True)
def test_refused_request__a_403_keeps_its_denied_row_too(client, admin_user, episode):
    client.force_login(admin_user)

    response = client.get(reverse("cases:detail", args=[episode.pk]))

    assert response.status_code == 403
    (denied,) = PersonalDataAccess.objects.filter(request_id=response["X-Request-ID"])
    assert (denied.outcome, denied.reason, denied.view) == ("denied", "role", "cases:detail")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["nurse", "outsider"])
def test_log_failure__withholds_the_response(client, monkeypatch, request, episode, who):
    def broken(model, rows):
        if rows:
            raise DatabaseError("the log database is unavailable")

    monkeypatch.setattr(chain, "append", broken)
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("cases:detail", args=[episode.pk]))

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    body = response.content.decode()
    person = episode.client
    assert not [t for t in (person.first_names, person.last_name, person.identity_code) if t in body]
    assert "Työkyky" not in body
    assert body == database_unavailable_response(response.wsgi_request).content.decode()  # the fixed 503 page
