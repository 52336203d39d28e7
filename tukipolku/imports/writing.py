"""Writing the checked rows of an import in bulk: the same rows and the same domain events as
`clients.services.client_create`, `cases.services.episode_open` and `cases.services.assignment_set`
write one at a time, but a chunk at a time — COPY on PostgreSQL, `bulk_create` elsewhere — so that a
file of hundreds of thousands of rows is written in seconds (docs/performance.md).

Runs inside the commit's one transaction (`services.import_commit`): every id is reserved up front
(sequences on PostgreSQL; on SQLite the transaction holds the write lock from its start)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent
from tukipolku.cases.choices import AssignmentKind, EpisodeStatus, StepStatus
from tukipolku.cases.models import SITUATION_FIELDS, Assignment, CaseTeamMember, Episode, StepRecord
from tukipolku.clients import identity
from tukipolku.clients.choices import EmploymentStatus
from tukipolku.clients.models import Client
from tukipolku.imports.choices import RowOutcome
from tukipolku.imports.validation import Checked

_T_CLIENT = Client._meta.label_lower
_T_EPISODE = Episode._meta.label_lower
_T_MEMBER = CaseTeamMember._meta.label_lower
_T_ASSIGNMENT = Assignment._meta.label_lower


@dataclass
class Written:
    """What a commit created, by kind (shown on the import's page and kept on the batch)."""

    clients: int = 0
    relationships: int = 0
    contact_persons: int = 0
    events: int = 0

    def add(self, other: Written) -> None:
        self.clients += other.clients
        self.relationships += other.relationships
        self.contact_persons += other.contact_persons
        self.events += other.events

    def as_dict(self) -> dict[str, int]:
        return {
            "clients": self.clients,
            "relationships": self.relationships,
            "contact_persons": self.contact_persons,
            "events": self.events,
        }


@dataclass
class _Tables:
    rows: dict[type[models.Model], list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, model: type[models.Model], **values: Any) -> None:
        self.rows.setdefault(model, []).append(values)


def _reserve(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh ids of `model`'s table."""
    if count == 0:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, count],
            )
            return [r[0] for r in cursor.fetchall()]
    start = (model._default_manager.aggregate(m=Max("id"))["m"] or 0) + 1
    return list(range(start, start + count))


class RawJson(str):
    """A JSON field's value already serialised (the same payload for many rows is dumped once)."""


def _loads(row: dict[str, Any]) -> dict[str, Any]:
    return {k: json.loads(v) if isinstance(v, RawJson) else v for k, v in row.items()}


def _json(value: Any) -> str:
    return value if isinstance(value, RawJson) else json.dumps(value, ensure_ascii=False)


def write_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert rows given as column → value (every row the same columns): COPY on PostgreSQL."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create([model(**_loads(r)) for r in rows], batch_size=500)
        return
    fields = {f.attname: f for f in model._meta.concrete_fields}
    names = list(rows[0])
    columns = ", ".join(connection.ops.quote_name(str(fields[n].column)) for n in names)
    json_names = {n for n in names if isinstance(fields[n], models.JSONField)}
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([_json(row[n]) if n in json_names else row[n] for n in names])


def _step_payload(target: Any) -> dict[str, Any]:
    step = target.first_step
    return {"order": step.order, "name": {"fi": step.name_fi, "sv": step.name_sv, "en": step.name_en}}


def write_chunk(
    *,
    actor_id: int,
    actor_team_ids: frozenset[int],
    batch_id: int,
    rows: Sequence[Checked],
    member_names: dict[int, str],
) -> tuple[Written, dict[str, int]]:
    """Create the clients, relationships, first step records, case team members, contact persons and
    their domain events for a chunk of checked rows (outcomes NEW_CLIENT and NEW_RELATIONSHIP).
    Returns what was written and the ids of the clients created, by identity code."""
    now = timezone.now()
    today = timezone.localdate()
    tables = _Tables()
    written = Written()
    new_codes = list(dict.fromkeys(r.code for r in rows if r.outcome == RowOutcome.NEW_CLIENT and r.client_id is None))
    created = dict(zip(new_codes, _reserve(Client, len(new_codes)), strict=True))
    events: list[dict[str, Any]] = []
    payloads: dict[tuple[Any, ...], RawJson] = {}
    opened: dict[datetime.date, datetime.datetime] = {}

    def event(
        verb: str, client_id: int, episode_id: int | None, target: tuple[str, int], key: tuple[Any, ...], **payload: Any
    ) -> None:
        """One domain event; `key` names its payload, dumped once for all the rows that share it."""
        dumped = payloads.get((verb, *key))
        if dumped is None:
            dumped = payloads[(verb, *key)] = RawJson(json.dumps({**payload, "import": batch_id}, ensure_ascii=False))
        events.append(
            {
                "occurred_at": now,
                "actor_id": actor_id,
                "verb": verb,
                "client_id": client_id,
                "episode_id": episode_id,
                "target_type": target[0],
                "target_id": target[1],
                "payload": dumped,
            }
        )

    first_row_of: dict[str, Checked] = {}
    for row in rows:
        if row.code in created and row.code not in first_row_of:
            first_row_of[row.code] = row
    for code, client_id in created.items():
        row = first_row_of[code]
        tables.add(
            Client,
            id=client_id,
            created_at=now,
            updated_at=now,
            identity_code=code,
            first_names=row.first_names,
            last_name=row.last_name,
            birth_date=identity.birth_date(code),
            language=row.language,
            phone=row.phone,
            email=row.email,
            street_address="",
            postal_code="",
            post_office="",
            municipality=row.municipality,
            address_protected=False,
            revision=0,
            employment_status=EmploymentStatus.UNKNOWN,
        )
        event(EventType.CLIENT_CREATED, client_id, None, (_T_CLIENT, client_id), ())
        written.clients += 1
    episode_rows = [r for r in rows if r.outcome in (RowOutcome.NEW_CLIENT, RowOutcome.NEW_RELATIONSHIP)]
    episode_ids = _reserve(Episode, len(episode_rows))
    contact_rows = [r for r in episode_rows if r.contact_id is not None]
    member_rows = [r for r in episode_rows if r.contact_id is not None or (r.team and r.team.pk in actor_team_ids)]
    member_ids = iter(_reserve(CaseTeamMember, len(member_rows)))
    assignment_ids = iter(_reserve(Assignment, len(contact_rows)))
    default_need = _("Imported from a spreadsheet.")
    for row, episode_id in zip(episode_rows, episode_ids, strict=True):
        assert row.team is not None and row.target is not None and row.start_on is not None
        client_id = row.client_id or created[row.code]
        row.client_id = client_id
        target = row.target
        step = target.first_step
        opened_at = opened.get(row.start_on)
        if opened_at is None:
            opened_at = timezone.make_aware(datetime.datetime.combine(row.start_on, datetime.time(12)))
            opened[row.start_on] = opened_at
        due = today + datetime.timedelta(days=step.expected_duration_days)
        chosen = set(row.situations)
        tables.add(
            Episode,
            id=episode_id,
            created_at=now,
            updated_at=now,
            client_id=client_id,
            team_id=row.team.pk,
            pathway_version_id=target.version.pk,
            status=EpisodeStatus.OPEN,
            current_step_id=step.pk,
            current_step_due=due,
            opened_at=opened_at,
            opened_by_id=actor_id,
            source=row.source,
            **{name: code in chosen for code, name in SITUATION_FIELDS.items()},
            need_description=row.need or default_need,
            risk_factors=[],
            team_consent_on=row.start_on,
            team_consent_method=row.consent_method,
            team_consent_recorded_by_id=actor_id,
            outcome="",
            outcome_on=None,
            outcome_detail="",
            closed_at=None,
            closed_by_id=None,
            # What the sweep reads on its indexes (ADR 0019): the contact person and the newest event.
            contact_person_id=row.contact_id,
            last_activity_at=now,
        )
        tables.add(
            StepRecord,
            created_at=now,
            updated_at=now,
            episode_id=episode_id,
            step_id=step.pk,
            status=StepStatus.ACTIVE,
            started_at=now,
            started_by_id=actor_id,
            due_on=due,
            ended_at=None,
            ended_by_id=None,
            output="",
            reason="",
        )
        pathway = target.pathway
        event(
            EventType.EPISODE_OPENED,
            client_id,
            episode_id,
            (_T_EPISODE, episode_id),
            (target.version.pk, row.source, tuple(sorted(chosen))),
            pathway={"fi": pathway.name_fi, "sv": pathway.name_sv, "en": pathway.name_en},
            version=target.version.number,
            source=row.source,
            situations=sorted(chosen),
            risk_factors=[],
            step=_step_payload(target),
        )
        written.relationships += 1
        member_user = row.contact_id or (actor_id if row.team.pk in actor_team_ids else None)
        if member_user is not None:
            member_id = next(member_ids)
            tables.add(
                CaseTeamMember,
                id=member_id,
                created_at=now,
                updated_at=now,
                episode_id=episode_id,
                user_id=member_user,
                role_in_case="",
                added_at=now,
                added_by_id=actor_id,
                removed_at=None,
                removed_by_id=None,
            )
            if row.contact_id is not None:
                event(
                    EventType.TEAM_MEMBER_ADDED,
                    client_id,
                    episode_id,
                    (_T_MEMBER, member_id),
                    (row.contact_id,),
                    member=member_names.get(row.contact_id, ""),
                    role="",
                )
        if row.contact_id is not None:
            assignment_id = next(assignment_ids)
            tables.add(
                Assignment,
                id=assignment_id,
                created_at=now,
                updated_at=now,
                episode_id=episode_id,
                kind=AssignmentKind.CONTACT_PERSON,
                user_id=row.contact_id,
                started_at=now,
                started_by_id=actor_id,
                ended_at=None,
                note="",
            )
            event(
                EventType.CONTACT_PERSON_NAMED,
                client_id,
                episode_id,
                (_T_ASSIGNMENT, assignment_id),
                (row.contact_id,),
                person=member_names.get(row.contact_id, ""),
                previous="",
            )
            written.contact_persons += 1
    for model in (Client, Episode, StepRecord, CaseTeamMember, Assignment):
        write_rows(model, tables.rows.get(model, []))
    write_rows(AuditEvent, events)
    written.events = len(events)
    return written, created
