"""Checkpoints of the log chains anchored outside the database, and `audit_verify` against them.

The attack (issue 9): a database owner deletes the newest access-log rows and rewinds the chain
head to the last remaining row. The chain then looks whole to the database; only an anchor kept
elsewhere shows that rows are missing.
"""

from __future__ import annotations

import io
import json
import stat

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from tukipolku.audit import chain
from tukipolku.audit.anchors import checkpoint_take
from tukipolku.audit.choices import AccessAction, AccessOutcome
from tukipolku.audit.models import AuditCheckpoint, ChainHead, Disclosure, PersonalDataAccess

pytestmark = pytest.mark.django_db

ACCESS = chain.chain_name(PersonalDataAccess)


@pytest.fixture
def anchor_dir(settings, tmp_path):
    directory = tmp_path / "anchors"
    settings.TUKIPOLKU_AUDIT_ANCHOR_DIR = str(directory)
    settings.TUKIPOLKU_AUDIT_ANCHOR_EMAIL = ""
    return directory


def write_rows(n: int, *, view: str = "cases:detail") -> None:
    chain.append(
        PersonalDataAccess,
        [
            PersonalDataAccess(
                client_id=1000 + i, view=view, action=AccessAction.VIEW, basis="team", outcome=AccessOutcome.ALLOWED
            )
            for i in range(n)
        ],
    )


def verify() -> tuple[bool, str]:
    out = io.StringIO()
    try:
        call_command("audit_verify", stdout=out)
    except CommandError:
        return False, out.getvalue()
    return True, out.getvalue()


def cut_newest(n: int) -> None:
    """As a database owner with SQL: delete the newest n access rows, rewind the chain head to the
    last remaining row (and, on PostgreSQL, step past the append-only triggers to do it)."""
    keep = list(PersonalDataAccess.objects.order_by("pk"))[:-n]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off, as an owner may
        cursor.execute("DELETE FROM audit_personaldataaccess WHERE id > %s", [keep[-1].pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute(
            "UPDATE audit_chainhead SET last_hash = %s, rows = %s WHERE name = %s",
            [keep[-1].row_hash, len(keep), ACCESS],
        )


def test_checkpoint__writes_a_read_only_file_once(anchor_dir):
    write_rows(3)

    made = checkpoint_take()

    assert [(c.chain, c.rows) for c in made] == [(ACCESS, 3)]
    path = anchor_dir / made[0].file_name
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    head = ChainHead.objects.get(pk=ACCESS)
    assert json.loads(path.read_text())["last_hash"] == head.last_hash == made[0].last_hash
    assert checkpoint_take() == []  # nothing moved: no second file, no second row
    assert len(list(anchor_dir.iterdir())) == 1


def test_checkpoint__never_overwrites_an_anchor_file(anchor_dir):
    write_rows(2)
    checkpoint_take()
    (first,) = anchor_dir.iterdir()
    before = first.read_text()
    AuditCheckpoint.objects.all()._raw_delete(AuditCheckpoint.objects.db)  # the bookkeeping row gone: it tries again

    again = checkpoint_take()

    assert again[0].file_name == ""  # the file of that row count exists: left as it was
    assert first.read_text() == before


def test_checkpoint__e_mails_the_heads_to_the_dpo(settings, anchor_dir):
    settings.TUKIPOLKU_AUDIT_ANCHOR_EMAIL = "tietosuoja@example.fi"
    write_rows(2)
    chain.append(Disclosure, [Disclosure(client_id=1, view="cases:detail", basis="consent", categories=["health"])])

    made = checkpoint_take()

    assert {c.chain for c in made} == {ACCESS, chain.chain_name(Disclosure)}
    (message,) = mail.outbox
    assert message.to == ["tietosuoja@example.fi"]
    for c in made:
        assert f"{c.chain} rows={c.rows} last_hash={c.last_hash}" in message.body
        assert c.emailed_to == "tietosuoja@example.fi"


def test_audit_verify__passes_with_anchors_and_no_attack(anchor_dir):
    write_rows(4)
    checkpoint_take()
    write_rows(2)  # rows after the newest anchor are fine

    ok, output = verify()

    assert ok, output
    assert f"{ACCESS}: 6 rows checked, chain intact" in output
    assert f"{ACCESS}: 2 anchor(s), newest 4 rows" in output


def test_audit_verify__fails_when_the_newest_rows_are_cut_and_the_head_rewound(anchor_dir):
    write_rows(5)
    checkpoint_take()
    cut_newest(2)

    ok, output = verify()

    assert not ok
    assert "counts 5 rows, the table holds 3: the newest rows were removed and the chain head rewound" in output


def test_audit_verify__the_file_anchor_holds_when_the_checkpoint_rows_are_deleted_too(anchor_dir):
    write_rows(5)
    checkpoint_take()
    cut_newest(2)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditcheckpoint")

    ok, output = verify()

    assert not ok
    assert f"({ACCESS}.000000000005.json) counts 5 rows, the table holds 3" in output


def test_audit_verify__fails_when_cut_rows_are_replaced_by_others(anchor_dir):
    write_rows(5)
    checkpoint_take()
    cut_newest(2)
    write_rows(2, view="cases:caseload")  # the chain grows back to 5 rows, with other content

    ok, output = verify()

    assert not ok
    assert "row 5 differs from the anchor" in output


def test_audit_verify__an_unreadable_anchor_file_is_a_break(anchor_dir):
    write_rows(1)
    anchor_dir.mkdir()
    (anchor_dir / f"{ACCESS}.000000000001.json").write_text("not json")

    ok, output = verify()

    assert not ok
    assert "cannot be read" in output


def test_audit_verify__a_missing_anchor_directory_is_a_break(anchor_dir):
    write_rows(1)

    ok, output = verify()

    assert not ok
    assert "anchor directory" in output


def test_audit_checkpoint_command(anchor_dir):
    write_rows(2)
    out = io.StringIO()

    call_command("audit_checkpoint", stdout=out)

    assert f"{ACCESS}: anchored at 2 rows" in out.getvalue()
    call_command("audit_checkpoint", stdout=out)
    assert "nothing to anchor" in out.getvalue()


def test_audit_checkpoint_command__needs_somewhere_to_anchor(settings):
    settings.TUKIPOLKU_AUDIT_ANCHOR_DIR = ""
    settings.TUKIPOLKU_AUDIT_ANCHOR_EMAIL = ""

    with pytest.raises(CommandError, match="nowhere to anchor"):
        call_command("audit_checkpoint", stdout=io.StringIO())


def test_the_sweep_schedule_takes_a_checkpoint(anchor_dir, django_capture_on_commit_callbacks):
    from tukipolku.sweep.services import schedule_slot

    write_rows(2)
    with django_capture_on_commit_callbacks(execute=True):
        schedule_slot()

    assert AuditCheckpoint.objects.filter(chain=ACCESS, rows=2).exists()
    assert (anchor_dir / f"{ACCESS}.000000000002.json").exists()


def test_audit_checkpoint_command__quiet_with_verbosity_0(anchor_dir):
    write_rows(1)
    out = io.StringIO()

    call_command("audit_checkpoint", verbosity=0, stdout=out)

    assert out.getvalue() == ""
    assert AuditCheckpoint.objects.filter(chain=ACCESS, rows=1).exists()
