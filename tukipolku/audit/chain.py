"""Hash chain over the access and disclosure logs (ASVS 16.4.2).

Rows are appended in batches: the chain head of the table is locked, each row gets
`row_hash = sha256(prev_hash | canonical row)`, the rows are inserted and the head moves on, all in
one short transaction. Ids grow in chain order because the head is held until commit.

The rows go in with one `COPY … FROM STDIN` on PostgreSQL, else one multi-row `INSERT` per 1,000 rows,
built here rather than by `bulk_create`:
a request's log is on every page's path, and a 50-row caseload cost several milliseconds of Django's
per-row preparation (issue 11). Values are taken as they are, except what the database needs adapted
(date-times, JSON); the statement count is constant in the number of rows (tests/access/test_audit_log.py).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router, transaction

from tukipolku.audit.models import ChainedModel, ChainHead

GENESIS = "0" * 64


def _value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    return value


def row_digest(prev_hash: str, row: ChainedModel) -> str:
    canonical = json.dumps(
        [_value(getattr(row, f)) for f in row.CHAIN_FIELDS], separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(f"{prev_hash}|{canonical}".encode()).hexdigest()


def chain_name(model: type[ChainedModel]) -> str:
    return model._meta.label_lower


INSERT_BATCH = 1000
"""Rows per INSERT statement: 17 parameters a row stays far below PostgreSQL's 65,535 and SQLite's 32,766."""


def _insert(model: type[ChainedModel], rows: Sequence[ChainedModel], using: str) -> None:
    """One `INSERT … VALUES (…), (…)` per batch of sealed rows, in chain order (ids follow it)."""
    connection = connections[using]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    adapt: list[Any] = []
    for f in fields:
        if isinstance(f, models.DateTimeField):
            adapt.append(connection.ops.adapt_datetimefield_value)
        elif isinstance(f, models.JSONField):
            adapt.append(lambda value, f=f: f.get_db_prep_save(value, connection))
        else:
            adapt.append(None)
    quote = connection.ops.quote_name
    # Only the model's own table and column names (quoted) and placeholders enter the SQL; values are parameters.
    columns = ", ".join(quote(str(f.column)) for f in fields)
    head = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608  # nosec B608
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    attnames = [f.attname for f in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: no statement text to build or parse per row
            copy_sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"  # nosec B608
            as_json = [isinstance(f, models.JSONField) for f in fields]
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(
                        [
                            json.dumps(getattr(row, a)) if j else getattr(row, a)
                            for a, j in zip(attnames, as_json, strict=True)
                        ]
                    )
            if connection.queries_logged:  # the COPY bypasses Django's cursor: count it like a statement
                connection.queries_log.append({"sql": f"{copy_sql} -- {len(rows)} rows", "time": "0.000"})
            return
        for start in range(0, len(rows), INSERT_BATCH):
            batch = rows[start : start + INSERT_BATCH]
            params: list[Any] = []
            for row in batch:
                for attname, conv in zip(attnames, adapt, strict=True):
                    value = getattr(row, attname)
                    params.append(conv(value) if conv is not None and value is not None else value)
            cursor.execute(head + ", ".join([one] * len(batch)), params)


def append(model: type[ChainedModel], rows: Sequence[ChainedModel]) -> None:
    """Seal and insert the rows as the next links of the model's chain."""
    if not rows:
        return
    name = chain_name(model)
    using = router.db_for_write(model)
    with transaction.atomic(using=using):
        head = ChainHead.objects.select_for_update().filter(pk=name).first()
        if head is None:
            ChainHead.objects.get_or_create(pk=name, defaults={"last_hash": GENESIS})
            head = ChainHead.objects.select_for_update().get(pk=name)
        prev = head.last_hash
        for row in rows:
            row.prev_hash = prev
            row.row_hash = prev = row_digest(prev, row)
        _insert(model, rows, using)
        ChainHead.objects.filter(pk=name).update(last_hash=prev, rows=head.rows + len(rows))


@dataclass
class Break:
    row_id: int | None
    problem: str


@dataclass(frozen=True)
class Anchor:
    """The chain `chain` held `rows` rows, the newest with hash `last_hash`, at `taken_at`; kept
    outside the database (`anchors.py`). `source` says where: the file's name or "checkpoint row"."""

    chain: str
    rows: int
    last_hash: str
    taken_at: str
    source: str


def verify(model: type[ChainedModel], chunk_size: int = 5000, anchors: Sequence[Anchor] = ()) -> Iterator[Break]:
    """Walk the chain in insertion order and yield every place where it does not hold.

    `anchors` are earlier heads of the chain kept outside the database: the row at each anchor's
    position must carry the anchored hash, and the chain must reach every anchor."""
    by_rows: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        by_rows.setdefault(anchor.rows, []).append(anchor)
    prev = GENESIS
    count = 0
    for row in model.objects.order_by("pk").iterator(chunk_size=chunk_size):
        count += 1
        if row.prev_hash != prev:
            yield Break(row.pk, "previous hash does not match: a row before it was removed or changed")
        expected = row_digest(row.prev_hash, row)
        if row.row_hash != expected:
            yield Break(row.pk, "row hash does not match its content: the row was changed")
        prev = row.row_hash
        for anchor in by_rows.get(count, ()):
            if anchor.last_hash != row.row_hash:
                yield Break(
                    row.pk,
                    f"row {count} differs from the anchor of {anchor.taken_at} ({anchor.source}): "
                    "rows up to it were replaced",
                )
    for anchor in sorted((a for a in anchors if a.rows > count), key=lambda a: a.rows):
        yield Break(
            None,
            f"the anchor of {anchor.taken_at} ({anchor.source}) counts {anchor.rows} rows, the table holds "
            f"{count}: the newest rows were removed and the chain head rewound",
        )
    head = ChainHead.objects.filter(pk=chain_name(model)).first()
    if head is not None and count and head.last_hash != prev:
        yield Break(None, "the newest rows are missing: the chain head points past the last row")
    if head is not None and head.rows != count:
        yield Break(None, f"the head counts {head.rows} rows, the table holds {count}")
