"""Audit completeness tripwire (reliability.md §5.5 item 2): every client whose rows a request read
from the database is named in that request's access log.

How it works. `Tripwire` installs `connection.execute_wrapper` for one test and wraps
`django.test.Client.request`. During a request the access-log middleware has set a request id
(`tukipolku.audit.services.current_request_id()`); for every SELECT of that request that mentions a
client-data table (`CLIENT_TABLES`) the wrapper reads the result rows (psycopg's client-side cursor
is read with `fetchall()` and rewound with `scroll(0)`, so Django still gets every row) and maps the
SELECT list of Django's SQL to ids: `"table"."column"` items, with join aliases such as `T3`
resolved from the top-level FROM clause. A column identifies a client when it is a client-data
table's primary key, a foreign key to a client-data table, or a plain `client_id` / `episode_id`.
After the response the ids are resolved to clients through their foreign-key chain (these lookups
run on psycopg's own cursor, so neither the tripwire nor a test's query counter sees them), and the
test fails unless

    set(client ids read) ⊆ set(PersonalDataAccess.client_id for the response's X-Request-ID)

(allowed and denied rows alike: a refusal that read the client's row logs the client). It also fails,
strictly, when a query returned rows carrying client-table data without any identifying column: the
message shows the SQL.

Exemptions, each deliberate:

1. **Aggregates that return no client data.** A SELECT list made only of `COUNT(...)`, literals
   (Django's `SELECT 1 AS "a" ... LIMIT 1` for `.exists()`) and columns of tables that are not
   client data (for example a pathway step's order grouped with a count) returns no client's rows.
   Other expressions over client tables (MIN/MAX of a date, a subquery value) count as client data
   and need an identifying column in the same row, which Django always selects for model rows.
2. **The gate's own lookups** of memberships, consents, grants and emergency accesses read
   id columns of client-data tables (`cases_caseteammember`, `privacy_*`). They get no exemption of
   their own: they pass exactly when the request logs those clients anyway (the page then shows or
   refuses that client). A lookup that returns ids of clients the request does not log is reported
   like any other read.
3. **Withheld responses.** When the access log cannot be written, the middleware replaces the
   response with a 503 that holds no client data (and the request has no log rows, by definition).
4. **Outside a request** (test set-up, the middleware's own log write after the view, background
   work) nothing is checked: there is no request id. Writes (INSERT/UPDATE/DELETE) are not reads.

Active on PostgreSQL only (the root conftest's `_audit_tripwire` fixture, for tests that use the
test `client` fixture). `TUKIPOLKU_TRIPWIRE_REPORT=<file>` collects every finding of a run into the
file instead of failing the test (a survey after a larger change).
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import ForeignKey, Model

CLIENT_TABLES = (
    "clients_client",
    "cases_episode",
    "cases_steprecord",
    "cases_caseteammember",
    "cases_assignment",
    "cases_followup",
    "plans_*",
    "meetings_*",
    "referrals_*",
    "entries_entry",
    "privacy_consent",
    "privacy_legalbasisgrant",
    "privacy_emergencyaccess",
    "handovers_handover",
    "intake_neednotification",
)
"""Tables that hold client data (`*`: every table of the app)."""

CLIENT = "clients_client"
EPISODE = "cases_episode"


def is_client_table(table: str) -> bool:
    return any(table == t or (t.endswith("*") and table.startswith(t[:-1])) for t in CLIENT_TABLES)


# ---------------------------------------------------------------- the schema: columns that identify


@dataclass
class Schema:
    models: dict[str, type[Model]] = field(default_factory=dict)  # table → model
    idents: dict[str, dict[str, str]] = field(default_factory=dict)  # table → column → table it names
    paths: dict[str, str] = field(default_factory=dict)  # table → ORM path from the model to the client id
    mention: re.Pattern[str] | None = None


def _path_to_client(model: type[Model], seen: frozenset[str] = frozenset()) -> str | None:
    table = model._meta.db_table
    if table == CLIENT:
        return "pk"
    for f in model._meta.concrete_fields:
        if f.name == "client" and isinstance(f, ForeignKey):
            return "client_id"
    for f in model._meta.concrete_fields:
        if isinstance(f, ForeignKey) and is_client_table(f.related_model._meta.db_table):
            target = f.related_model._meta.db_table
            if target in seen:
                continue
            rest = _path_to_client(f.related_model, seen | {table})
            if rest is not None:
                return f.name if rest == "pk" else f"{f.name}__{rest}"
    return None


_schema: Schema | None = None


def schema() -> Schema:
    global _schema
    if _schema is None:
        s = Schema()
        for model in apps.get_models():
            table = model._meta.db_table
            if not is_client_table(table):
                continue
            s.models[table] = model
            cols = {model._meta.pk.column: table}
            for f in model._meta.concrete_fields:
                if isinstance(f, ForeignKey) and is_client_table(f.related_model._meta.db_table):
                    cols[f.column] = f.related_model._meta.db_table
                elif f.column == "client_id":
                    cols[f.column] = CLIENT
                elif f.column == "episode_id":
                    cols[f.column] = EPISODE
            s.idents[table] = cols
            path = _path_to_client(model)
            assert path is not None, f"{table}: no foreign-key path to the client"
            s.paths[table] = path
        s.mention = re.compile("|".join(re.escape(f'"{t}"') for t in sorted(s.models)))
        _schema = s
    return _schema


# ---------------------------------------------------------------- reading Django's SQL

_KEYWORDS_AFTER_FROM = re.compile(r"\s(WHERE|GROUP BY|HAVING|ORDER BY|LIMIT|OFFSET|FOR UPDATE|FOR NO KEY|WINDOW)\b")
_TABLE_REF = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"(?:\s+(?:AS\s+)?"?([A-Z]\d+)"?(?=\s|$|,))?')
_COLUMN = re.compile(r'^(?:"(\w+)"|([A-Z]\d+))\."(\w+)"$')
_ALIAS = re.compile(r'^(.*?)\s+AS\s+"[^"]*"$', re.S)
_COUNT = re.compile(r"^COUNT\(", re.I)
_LITERAL = re.compile(r"^\(?\s*(\d+|TRUE|FALSE|NULL)\s*\)?$", re.I)


def _depth_zero(sql: str) -> Iterator[tuple[int, str]]:
    """Positions and characters of `sql` outside parentheses (quoted names and strings included,
    but their parentheses and commas do not count)."""
    depth = 0
    quote = ""
    for i, ch in enumerate(sql):
        if quote:
            closing = ch == quote
            if closing:
                quote = ""
            if depth == 0:
                yield i, ch if closing or ch.isalnum() or ch == "_" else "_"
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
            continue
        elif ch == ")":
            depth -= 1
            continue
        if depth == 0:
            yield i, ch


def _top_level(sql: str) -> str:
    """`sql` with everything inside parentheses and quotes blanked (same length)."""
    out = [" "] * len(sql)
    for i, ch in _depth_zero(sql):
        out[i] = ch
    return "".join(out)


@dataclass(frozen=True)
class Select:
    items: list[str]  # the top-level SELECT list, aliases stripped
    tables: dict[str, str]  # alias or table name → table, from the top-level FROM clause


def parse_select(sql: str) -> Select | None:
    text = sql.lstrip()
    if not text.upper().startswith("SELECT"):
        return None
    start = len(sql) - len(text) + len("SELECT")
    flat = _top_level(sql)
    found = re.search(r"\sFROM\s", flat[start:])
    if found is None:
        return None
    head = sql[start : start + found.start()].strip()
    if head.upper().startswith("DISTINCT ON"):
        positions = [i for i, _ch in _depth_zero(head)]
        inside = [i for i in range(len(head)) if i not in set(positions)]  # the ON ( ... ) list
        head = head[inside[-1] + 1 :] if inside else head
    elif head.upper().startswith("DISTINCT"):
        head = head[len("DISTINCT") :]
    head = head.strip()
    items, depth_zero_head, last = [], _top_level(head), 0
    for i, ch in enumerate(depth_zero_head):
        if ch == ",":
            items.append(head[last:i].strip())
            last = i + 1
    items.append(head[last:].strip())
    items = [m.group(1).strip() if (m := _ALIAS.match(item)) else item for item in items]
    rest_start = start + found.start()
    rest_flat = flat[rest_start:]
    end = _KEYWORDS_AFTER_FROM.search(rest_flat)
    from_clause = rest_flat[: end.start()] if end else rest_flat
    tables = {}
    for m in _TABLE_REF.finditer(from_clause):
        tables[m.group(1)] = m.group(1)
        if m.group(2):
            tables[m.group(2)] = m.group(1)
    return Select(items=items, tables=tables)


@dataclass(frozen=True)
class Plan:
    """How to read one query's rows: which columns name which client-data table's ids."""

    idents: list[tuple[int, str]]  # (column index, table the value is an id of)
    client_data: bool  # the rows carry data of a client-data table


def plan_for(sql: str, s: Schema) -> Plan | None:
    select = parse_select(sql)
    if select is None:
        return None
    idents: list[tuple[int, str]] = []
    client_data = False
    for i, item in enumerate(select.items):
        col = _COLUMN.match(item)
        if col:
            table = select.tables.get(col.group(1) or col.group(2) or "", col.group(1) or "")
            if not is_client_table(table):
                continue
            target = s.idents.get(table, {}).get(col.group(3))
            if target is not None:
                idents.append((i, target))
            client_data = True
            continue
        if _COUNT.match(item) or _LITERAL.match(item):
            continue  # exemption 1: counts and constants
        # Another expression: client data when it reads a client-data table (by name or join alias).
        if (s.mention and s.mention.search(item)) or any(
            is_client_table(t) and re.search(rf"(?<![\w\"]){a}\.", item) for a, t in select.tables.items() if a != t
        ):
            client_data = True
    return Plan(idents=idents, client_data=client_data)


# ---------------------------------------------------------------- the tripwire


@dataclass
class RequestReads:
    rows: dict[tuple[tuple[str, int], ...], int] = field(default_factory=dict)  # refs of one row → query index
    queries: list[str] = field(default_factory=list)
    unidentified: list[str] = field(default_factory=list)


class Violation(AssertionError):
    pass


class Tripwire:
    """One test's tripwire. Use `with Tripwire().installed(monkeypatch):`."""

    def __init__(self) -> None:
        self.schema = schema()
        self.reads: dict[str, RequestReads] = defaultdict(RequestReads)
        self.client_of: dict[tuple[str, int], int | None] = {}
        self.checked = 0
        from tukipolku.audit.services import current_request_id

        self._request_id = current_request_id

    # -- the execute wrapper

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        result = execute(sql, params, many, context)
        if many:
            return result
        request_id = self._request_id()
        if not request_id or not isinstance(sql, str) or self.schema.mention is None:
            return result
        if not self.schema.mention.search(sql):
            return result
        plan = plan_for(sql, self.schema)
        if plan is None or (not plan.idents and not plan.client_data):
            return result
        rows = self._rows(context["cursor"], sql, params)
        if not rows:
            return result
        reads = self.reads[request_id]
        if not plan.idents:
            reads.unidentified.append(sql)
            return result
        index = len(reads.queries)
        reads.queries.append(sql)
        for row in rows:
            refs = tuple(sorted({(t, row[i]) for i, t in plan.idents if row[i] is not None}, key=_closeness))
            if refs:
                reads.rows.setdefault(refs, index)
        return result

    def _rows(self, wrapper: Any, sql: str, params: Any) -> list[Any]:
        raw = wrapper.cursor
        if raw.description is None:
            return []
        import psycopg

        if isinstance(raw, psycopg.ServerCursor):  # not rewindable: read the same query again
            with connection.connection.cursor() as again:
                again.execute(sql, params)
                return list(again.fetchall())
        rows = raw.fetchall()
        if rows:
            raw.scroll(0, mode="absolute")  # Django reads the rows again from the start
        return list(rows)

    # -- after each request

    @staticmethod
    def _raw(queryset: Any) -> list[Any]:
        """Run a queryset on psycopg's own cursor: not through Django's cursor, so the tripwire's
        lookups are neither checked by itself nor counted by a test's CaptureQueriesContext."""
        sql, params = queryset.query.sql_with_params()
        with connection.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def _resolve(self, refs: set[tuple[str, int]]) -> None:
        todo: dict[str, set[int]] = defaultdict(set)
        for table, pk in refs:
            if (table, pk) not in self.client_of:
                todo[table].add(pk)
        for table, pks in todo.items():
            model = self.schema.models[table]
            path = self.schema.paths[table]
            found = dict(self._raw(model._base_manager.filter(pk__in=pks).values_list("pk", path)))
            for pk in pks:
                self.client_of[(table, pk)] = found.get(pk)

    def check(self, response: Any) -> None:
        request_id = response.get("X-Request-ID") if hasattr(response, "get") else None
        if not request_id:
            return
        reads = self.reads.pop(request_id, None)
        if reads is None:
            return
        self.checked += 1
        from tukipolku.audit.models import PersonalDataAccess

        logged = {
            c for (c,) in self._raw(PersonalDataAccess.objects.filter(request_id=request_id).values_list("client_id"))
        }
        if response.status_code == 503 and not logged:
            return  # exemption 3: the response was withheld
        problems = [f"query returned client-table rows without an id column:\n    {q}" for q in reads.unidentified]
        self._resolve({ref for refs in reads.rows for ref in refs})
        unlogged: dict[int, str] = {}
        for refs, index in reads.rows.items():
            client_id = next((self.client_of[r] for r in refs if self.client_of.get(r) is not None), None)
            if client_id is None:
                problems.append(f"rows {refs} could not be traced to a client:\n    {reads.queries[index]}")
            elif client_id not in logged:
                unlogged.setdefault(client_id, reads.queries[index])
        for client_id, sql in unlogged.items():
            problems.append(
                f"client {client_id} was read but not logged (logged: {sorted(logged, key=str)}):\n    {sql}"
            )
        if problems:
            where = f"{response.request.get('REQUEST_METHOD')} {response.request.get('PATH_INFO')}"
            message = f"audit tripwire, {where} (request {request_id}):\n  " + "\n  ".join(problems)
            report = os.environ.get("TUKIPOLKU_TRIPWIRE_REPORT")
            if report:  # survey mode: collect every finding of a run instead of failing at the first
                with open(report, "a", encoding="utf-8") as out:
                    out.write(f"{os.environ.get('PYTEST_CURRENT_TEST', '')}\n{message}\n\n")
                return
            raise Violation(message)

    # -- installing

    @contextmanager
    def installed(self, monkeypatch: Any) -> Iterator[Tripwire]:
        from django.test import Client

        original = Client.request
        tripwire = self

        def request(client: Any, **kwargs: Any) -> Any:
            response = original(client, **kwargs)
            tripwire.check(response)
            return response

        monkeypatch.setattr(Client, "request", request)
        with connection.execute_wrapper(self):
            yield self


def _closeness(ref: tuple[str, int]) -> int:
    """Resolve a row by the id nearest to the client first (it survives deletes of the row itself)."""
    return {CLIENT: 0, EPISODE: 1}.get(ref[0], 2 if ref[0] in ("plans_plan", "meetings_meeting") else 3)
