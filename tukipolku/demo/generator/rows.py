"""Rows as plain tuples and how they are written: COPY on PostgreSQL, `bulk_create` elsewhere, in batches."""

from __future__ import annotations

import json
import queue
import threading
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction

from tukipolku.audit.models import AuditEvent
from tukipolku.cases.models import SITUATION_FIELDS, Assignment, CaseTeamMember, Episode, FollowUp, StepRecord
from tukipolku.clients.models import Client
from tukipolku.entries.models import Entry
from tukipolku.meetings.models import Decision, Meeting, Participant
from tukipolku.plans.models import Action, Goal, Plan, PlanVersion
from tukipolku.privacy.models import Consent

COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    Client: (
        "id",
        "created_at",
        "updated_at",
        "identity_code",
        "first_names",
        "last_name",
        "birth_date",
        "language",
        "phone",
        "email",
        "municipality",
        "employment_status",
    ),
    Consent: (
        "id",
        "client_id",
        "kind",
        "recipient_organisation_id",
        "recipient_kind",
        "categories",
        "purpose",
        "purpose_details",
        "valid_from",
        "valid_until",
        "given_how",
        "given_note",
        "recorded_by_id",
        "recorded_at",
        "withdrawn_at",
        "withdrawn_by_id",
        "withdrawal_note",
    ),
    Episode: (
        "id",
        "created_at",
        "updated_at",
        "client_id",
        "team_id",
        "pathway_version_id",
        "status",
        "current_step_id",
        "current_step_due",
        "opened_at",
        "opened_by_id",
        "source",
        *SITUATION_FIELDS.values(),
        "need_description",
        "team_consent_on",
        "team_consent_method",
        "team_consent_recorded_by_id",
        "outcome",
        "outcome_on",
        "outcome_detail",
        "closed_at",
        "closed_by_id",
    ),
    StepRecord: (
        "id",
        "created_at",
        "updated_at",
        "episode_id",
        "step_id",
        "status",
        "started_at",
        "started_by_id",
        "due_on",
        "ended_at",
        "ended_by_id",
        "output",
        "reason",
    ),
    CaseTeamMember: (
        "id",
        "created_at",
        "updated_at",
        "episode_id",
        "user_id",
        "role_in_case",
        "added_at",
        "added_by_id",
        "removed_at",
        "removed_by_id",
    ),
    Assignment: (
        "id",
        "created_at",
        "updated_at",
        "episode_id",
        "kind",
        "user_id",
        "started_at",
        "started_by_id",
        "ended_at",
        "note",
    ),
    FollowUp: ("created_at", "updated_at", "episode_id", "due_on", "owner_id", "status", "note"),
    Plan: ("id", "created_at", "updated_at", "episode_id", "revision", "summary", "next_review_on", "updated_by_id"),
    Goal: (
        "id",
        "created_at",
        "updated_at",
        "plan_id",
        "domain",
        "description",
        "client_wording",
        "target_on",
        "status",
    ),
    Action: (
        "id",
        "created_at",
        "updated_at",
        "plan_id",
        "goal_id",
        "title",
        "owner_id",
        "due_on",
        "status",
        "source",
        "completed_at",
    ),
    PlanVersion: (
        "plan_id",
        "number",
        "snapshot",
        "created_at",
        "created_by_id",
        "agreed_on",
        "agreement_method",
        "agreement_recorded_by_id",
    ),
    Meeting: (
        "id",
        "created_at",
        "updated_at",
        "episode_id",
        "kind",
        "starts_at",
        "location",
        "client_participated",
        "agenda",
        "minutes",
        "recorded_by_id",
    ),
    Participant: ("meeting_id", "user_id", "name", "organisation"),
    Decision: ("meeting_id", "text", "action_id"),
    Entry: ("id", "episode_id", "register", "text", "ehr_reference", "author_id", "written_at"),
    AuditEvent: ("occurred_at", "actor_id", "verb", "client_id", "episode_id", "target_type", "target_id", "payload"),
}
"""Columns written per table, in insert order (parents first). Ids are given where rows are referred to."""
ID_MODELS = [m for m, cols in COLUMNS.items() if cols[0] == "id"]
Rows = dict[type[models.Model], list[tuple[Any, ...]]]

_T_CLIENT = Client._meta.label_lower
_T_EPISODE = Episode._meta.label_lower
_T_RECORD = StepRecord._meta.label_lower
_T_MEMBER = CaseTeamMember._meta.label_lower
_T_ASSIGNMENT = Assignment._meta.label_lower
_T_PLAN = Plan._meta.label_lower
_T_MEETING = Meeting._meta.label_lower
_T_ENTRY = Entry._meta.label_lower
_T_CONSENT = Consent._meta.label_lower


class _Table:
    """How to write one model's rows: the given columns plus constant defaults for any other field."""

    def __init__(self, model: type[models.Model], columns: tuple[str, ...]) -> None:
        self.model = model
        self.columns = columns
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise RuntimeError(f"{model.__name__} has no fields {sorted(unknown)}: update demo/generator/")
        self.json_positions = [i for i, c in enumerate(columns) if isinstance(fields[c], models.JSONField)]
        self.extra: dict[str, Any] = {}
        for attname, f in fields.items():
            if attname in columns or (attname == "id" and f.primary_key):
                continue
            if f.has_default():
                self.extra[attname] = f.get_default()
            elif f.has_db_default():  # left out: the database fills it (e.g. Episode.last_activity_at)
                continue
            elif f.null:
                self.extra[attname] = None
            elif f.blank and isinstance(f, models.CharField | models.TextField):
                self.extra[attname] = ""
            else:
                raise RuntimeError(f"{model.__name__}.{attname} needs a value: update demo/generator/")
        self.db_columns = [fields[c].column for c in columns] + [fields[c].column for c in self.extra]

    def write(self, rows: list[tuple[Any, ...]], use_copy: bool) -> None:
        if not rows:
            return
        if use_copy:
            self._copy(rows)
        else:
            model, columns, extra = self.model, self.columns, self.extra
            objs = [model(**dict(zip(columns, row, strict=True)), **extra) for row in rows]
            model._default_manager.bulk_create(objs, batch_size=1000)

    def _copy(self, rows: list[tuple[Any, ...]]) -> None:
        quoted = ", ".join(connection.ops.quote_name(str(c)) for c in self.db_columns)
        sql = f"COPY {connection.ops.quote_name(self.model._meta.db_table)} ({quoted}) FROM STDIN"
        extra = tuple(json.dumps(v) if isinstance(v, dict | list) else v for v in self.extra.values())
        json_positions = self.json_positions
        dumps = json.dumps
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            write = copy.write_row
            for row in rows:
                if json_positions:
                    values = list(row)
                    for i in json_positions:
                        values[i] = dumps(values[i], ensure_ascii=False)
                    row = tuple(values)
                write((*row, *extra) if extra else row)


def _write_batch(tables: dict[type[models.Model], _Table], rows: Rows, use_copy: bool) -> None:
    """Write one batch in one transaction and move the id sequences past the ids given."""
    with transaction.atomic():
        for model, table in tables.items():
            table.write(rows[model], use_copy)
        _reset_sequences()


def _reset_sequences() -> None:
    """Move the id sequences past the ids the generator gave (PostgreSQL; a no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), ID_MODELS)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


class _BackgroundWriters:
    """Threads that write batches, each on its own connection, while the next batch is generated.

    On PostgreSQL the database spends longer on a batch (indexes, deferred foreign key checks at
    commit) than Python does building it, so the writing overlaps the generating and runs on
    several connections. Batches are independent: every id is given up front.
    """

    def __init__(self, tables: dict[type[models.Model], _Table], count: int) -> None:
        self.tables = tables
        self.queue: queue.Queue[Rows | None] = queue.Queue(maxsize=count)
        self.error: BaseException | None = None
        self.threads = [
            threading.Thread(target=self._run, name=f"generator-writer-{n}", daemon=True) for n in range(count)
        ]
        for thread in self.threads:
            thread.start()

    def _run(self) -> None:
        try:
            while (rows := self.queue.get()) is not None:
                if self.error is None:  # after a failure keep draining, so that the producer never blocks
                    try:
                        _write_batch(self.tables, rows, use_copy=True)
                    except BaseException as exc:
                        self.error = exc
        finally:
            connection.close()

    def submit(self, rows: Rows) -> None:
        """Queue a batch; waits while every writer is busy and a batch is already waiting."""
        if self.error is not None:
            self.close()
        self.queue.put(rows)

    def close(self) -> None:
        """Wait for the queued batches; raise the first writer error, if any."""
        for thread in self.threads:
            if thread.is_alive():
                self.queue.put(None)
        for thread in self.threads:
            thread.join()
        if self.error is not None:
            raise self.error
