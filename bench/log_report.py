"""Benchmark: a client's two-year log report ("who has viewed my data") over 2,000,000 access-log rows.

    .venv/bin/python bench/log_report.py [--rows 2000000] [--disclosures 100000] [--clients 50] [--seed 1]

Needs the populated `tukipolku_bench` database (docs/performance.md). First brings the access log
to at least `--rows` rows and the disclosure log to at least `--disclosures` rows: synthetic rows
over the last 24 months, spread over the bench clients with a skew (most clients a few rows, some
hundreds), written by the clients' own case teams, with some searches, partner reads, refusals and
emergency access. They are valid chain links: hashed with `tukipolku.audit.chain.row_digest` in id
order after the current chain head, COPYed as complete rows (the append-only trigger refuses
UPDATE) and the chain head moved on, all in one transaction holding the head's lock. Then VACUUM
ANALYZE, as autovacuum would have done to a table that grew over two years.

Then `tukipolku.oversight.selectors.client_log_report(client_id=, since=, until=)` (or, while that
does not exist, `equivalent_report` below) runs for `--clients` clients weighted toward heavy ones
(the heaviest, half from the top 1 % by row count, half drawn in proportion to the row count): one
untimed pass to warm the caches, then a timed pass with the result fully materialised. Reported:
p50, p95 and max. Apart from the sample, a stress case: the client with the largest case team is
given two years of being on every team member's caseload (tens of rows a day, ~20,000 rows); its
report is timed ten times. `EXPLAIN (ANALYZE, BUFFERS)` of the statements of the slowest sampled
client and of the stress client goes to bench/results/log_report_explain.txt. Last, unless
`--no-cold`, a pass over other clients and the stress client right after the access log left
PostgreSQL's buffers and the OS page cache. With `--try-covering-index`, the cold pass and the
stress case again with a covering index on (client_id, accessed_at), built for the trial and
dropped after it. Figures: bench/results/log_report.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import io
import json
import math
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import common
from common import (
    RESULTS,
    add_result_args,
    load_average,
    machine,
    percentile,
    run_context,
    wait_for_quiet,
    write_results,
)

UTC = datetime.UTC
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)
PARTNER_PROFESSIONS = {
    "employment_coordinator",
    "kela_expert",
    "occupational_health_professional",
    "student_health_professional",
}
CATEGORIES = ["benefits", "employment", "health", "shared_plan", "social"]


class _Row:
    """The fields `chain.row_digest` reads, without the cost of a model instance per row."""

    def __init__(self, chain_fields: tuple[str, ...]) -> None:
        self.CHAIN_FIELDS = chain_fields


def _text(value: Any) -> str:
    """A value in COPY's text format (none of the generated strings hold tabs, newlines or backslashes)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, list):
        return json.dumps(value)
    return str(value)


# ---------------------------------------------------------------- data generation


@dataclasses.dataclass
class World:
    client_ids: list[int]
    episodes_of: dict[int, list[tuple[int, int]]]  # client -> [(episode, team organisation)]
    members_of: dict[int, list[int]]  # episode -> case team user ids
    users: dict[int, tuple[str, int | None]]  # user -> (profession, organisation)
    team_users: list[int]
    partner_users: list[int]


def load_world(cursor: Any) -> World:
    cursor.execute("SELECT id FROM clients_client ORDER BY id")
    client_ids = [r[0] for r in cursor.fetchall()]
    cursor.execute(
        "SELECT e.id, e.client_id, t.organisation_id FROM cases_episode e JOIN core_team t ON t.id = e.team_id"
    )
    episodes_of: dict[int, list[tuple[int, int]]] = {}
    for episode_id, client_id, org in cursor.fetchall():
        episodes_of.setdefault(client_id, []).append((episode_id, org))
    cursor.execute("SELECT episode_id, user_id FROM cases_caseteammember")
    members_of: dict[int, list[int]] = {}
    for episode_id, user_id in cursor.fetchall():
        members_of.setdefault(episode_id, []).append(user_id)
    cursor.execute("SELECT id, profession, organisation_id FROM core_user WHERE is_active")
    users = {pk: (profession, org) for pk, profession, org in cursor.fetchall()}
    partner = sorted(pk for pk, (profession, _) in users.items() if profession in PARTNER_PROFESSIONS)
    team = sorted({u for members in members_of.values() for u in members})
    return World(client_ids, episodes_of, members_of, users, team, partner)


def client_counts(client_ids: list[int], total: int, sigma: float, rng: random.Random) -> dict[int, int]:
    """Rows per client: log-normal weights (median a few rows, a long tail of hundreds), scaled to `total`."""
    weights = [rng.lognormvariate(0.0, sigma) for _ in client_ids]
    scale = total / sum(weights)
    counts = {c: int(w * scale) for c, w in zip(client_ids, weights, strict=True)}
    short = total - sum(counts.values())
    for c in rng.sample(client_ids, short):
        counts[c] += 1
    return counts


def _timestamps(n: int, months: int, now: datetime.datetime, rng: random.Random) -> list[int]:
    """Microseconds since the epoch, uniform over the last `months` months (ending an hour ago)."""
    end = int((now - EPOCH).total_seconds() * 1_000_000) - 3_600_000_000
    span = int(months * 30.4375 * 86400 * 1_000_000)
    return [end - rng.randrange(span) for _ in range(n)]


BURST = (1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6)
"""Rows of one sitting: a professional lists the caseload, opens the case, the plan... within minutes."""


def access_rows(world: World, counts: dict[int, int], months: int, now: datetime.datetime, rng: random.Random):
    """(µs timestamp, agent, user, profession, organisation, client, episode, view, resource, action,
    basis, outcome, reason, flagged) tuples, sorted by time. A client's rows come in sittings of one
    to six rows by the same person within half an hour, spread uniformly over the months."""
    rows = []
    team_users, partner_users, users = world.team_users, world.partner_users, world.users
    for client_id, n in counts.items():
        episodes = world.episodes_of.get(client_id) or [(None, None)]
        left = n
        while left > 0:
            size = min(left, rng.choice(BURST))
            left -= size
            (base,) = _timestamps(1, months, now, rng)
            episode_id, _org = rng.choice(episodes)
            members = world.members_of.get(episode_id) or team_users[:50]
            sitter = rng.choice(members)
            r = rng.random()
            for k in range(size):
                ts = base + k * rng.randrange(10_000_000, 300_000_000)  # 10 s to 5 min apart
                user, row_episode = sitter, episode_id
                flagged, reason, outcome, resource = False, "", "allowed", "case"
                if r < 0.92:  # the client's own team at work
                    kind = rng.random()
                    if k == 0 and kind < 0.6:
                        view, action, basis, resource = "cases:caseload", "list", "team_membership", ""
                    elif kind < 0.75:
                        view, action = "cases:detail", "view"
                        basis = rng.choice(("team_membership", "case_team_membership"))
                    else:
                        view, resource = rng.choice(
                            (
                                ("plans:edit", "shared_plan"),
                                ("meetings:detail", "shared_plan"),
                                ("entries:create", "health"),
                            )
                        )
                        action, basis = "view", "case_team_membership"
                elif r < 0.95:
                    view, action, basis, resource = "cases:intake", "search", "identity_code_lookup", ""
                    row_episode = None
                elif r < 0.98:
                    view, action, basis = "cases:partner_home", "view", "partner_consent"
                    resource = "shared_plan,employment"
                    user = partner_users[sitter % len(partner_users)] if partner_users else sitter
                elif r < 0.995:
                    view, action, basis, outcome, reason = "cases:detail", "view", "none", "denied", "no_relationship"
                    user = team_users[sitter % len(team_users)]
                else:
                    view, action, basis, flagged = "cases:detail", "view", "emergency_access", True
                    reason = "Asiakas soitti kriisissä, omatyöntekijä poissa"
                profession, org = users.get(user, ("", None))
                rows.append(
                    (ts, "user", user, profession, org, client_id, row_episode, view, resource, action, basis,
                     outcome, reason, flagged)
                )  # fmt: skip
    rows.sort(key=lambda row: row[0])
    return rows


def disclosure_rows(world: World, n: int, months: int, now: datetime.datetime, rng: random.Random):
    """(µs timestamp, user, client, episode, controller org, recipient org, recipient user, categories,
    view, basis, consent, grant) tuples, sorted by time: partner staff reading shared data."""
    if not world.partner_users:
        return []
    # A fifth of the clients have partner involvement; some of them many disclosures.
    involved = rng.sample(world.client_ids, len(world.client_ids) // 5)
    counts = client_counts(involved, n, 1.2, rng)
    rows = []
    for client_id, k in counts.items():
        episodes = world.episodes_of.get(client_id) or [(None, None)]
        partners = rng.sample(world.partner_users, min(3, len(world.partner_users)))
        for ts in _timestamps(k, months, now, rng):
            episode_id, controller = rng.choice(episodes)
            user = rng.choice(partners)
            cats = sorted(rng.sample(CATEGORIES, rng.randint(1, 3)))
            consent = rng.random() < 0.85
            rows.append(
                (ts, user, client_id, episode_id, controller, world.users[user][1], user, cats,
                 rng.choice(("cases:detail", "cases:partner_home")), "consent" if consent else "legal_basis",
                 rng.randint(1, 10**6) if consent else None, None if consent else rng.randint(1, 10**5))
            )  # fmt: skip
    rows.sort(key=lambda row: row[0])
    return rows


def busiest_client(cursor: Any) -> tuple[int, int, list[int]]:
    """The client whose case team is largest: (client, episode, user ids of the case team and of the
    episode's team, who all see the client on their caseload or board)."""
    cursor.execute(
        "SELECT e.client_id, e.id, e.team_id FROM cases_caseteammember m "
        "JOIN cases_episode e ON e.id = m.episode_id WHERE m.removed_at IS NULL "
        "GROUP BY e.client_id, e.id ORDER BY count(*) DESC, e.id LIMIT 1"
    )
    client_id, episode_id, team_id = cursor.fetchone()
    cursor.execute(
        "SELECT user_id FROM cases_caseteammember WHERE episode_id = %s AND removed_at IS NULL "
        "UNION SELECT user_id FROM core_teammembership WHERE team_id = %s AND ended_on IS NULL ORDER BY 1",
        [episode_id, team_id],
    )
    return client_id, episode_id, [r[0] for r in cursor.fetchall()]


def extreme_rows(world: World, client_id: int, episode_id: int, members: list[int], months: int, now, rng):
    """A client on the first page of every team member's caseload for two years: each working day
    each member lists the caseload 0-6 times and opens the case page 0-2 times (tens of rows a day)."""
    rows = []
    end = now - datetime.timedelta(hours=1)
    day = (end - datetime.timedelta(days=round(months * 30.4375))).date()
    while day < end.date():
        if day.weekday() < 5:
            for user in members:
                profession, org = world.users.get(user, ("", None))
                opens = [("list", "cases:caseload", "", "team_membership")] * rng.choice((0, 1, 2, 3, 4, 5, 6))
                opens += [("view", "cases:detail", "case", "case_team_membership")] * rng.choice((0, 0, 1, 2))
                for action, view, resource, basis in opens:
                    at = datetime.datetime.combine(day, datetime.time(5, 0), tzinfo=UTC) + datetime.timedelta(
                        seconds=rng.randrange(9 * 3600), microseconds=rng.randrange(1_000_000)
                    )
                    us = int((at - EPOCH).total_seconds()) * 1_000_000 + at.microsecond
                    rows.append(
                        (us, "user", user, profession, org, client_id, episode_id, view, resource, action, basis,
                         "allowed", "", False)
                    )  # fmt: skip
        day += datetime.timedelta(days=1)
    rows.sort(key=lambda row: row[0])
    return rows


def copy_chained(
    connection: Any,
    model: Any,
    rows: list[tuple],
    to_fields: Callable[[tuple], dict[str, Any]],
    chunk: int = 50_000,
) -> float:
    """Append `rows` to the model's chain: lock the head, hash in id order, COPY, move the head."""
    from django.db import transaction

    from tukipolku.audit.chain import chain_name, row_digest

    table = model._meta.db_table
    fields = ["id", "prev_hash", "row_hash", *model.CHAIN_FIELDS]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT last_hash, rows FROM audit_chainhead WHERE name = %s FOR UPDATE", [chain_name(model)])
        head = cur.fetchone()
        prev, head_rows = head if head else ("0" * 64, 0)
        cur.execute(f"SELECT row_hash FROM {table} ORDER BY id DESC LIMIT 1")
        last = cur.fetchone()
        if (last[0] if last else "0" * 64) != prev:
            raise SystemExit(f"{table}: the chain head does not point at the newest row; run chain.verify first")
        cur.execute(f"SELECT pg_get_serial_sequence('{table}', 'id')")
        sequence = cur.fetchone()[0]
        cur.execute("SELECT nextval(%s)", [sequence])
        first_id = cur.fetchone()[0]
        cur.execute("SELECT setval(%s, %s)", [sequence, first_id + len(rows) - 1])
        link = _Row(model.CHAIN_FIELDS)
        sql = f"COPY {table} ({', '.join(fields)}) FROM STDIN"
        for start in range(0, len(rows), chunk):
            buf = io.StringIO()
            for offset, row in enumerate(rows[start : start + chunk]):
                values = to_fields(row)
                for name, value in values.items():
                    setattr(link, name, value)
                digest = row_digest(prev, link)  # type: ignore[arg-type]
                line = [str(first_id + start + offset), prev, digest, *(_text(values[f]) for f in model.CHAIN_FIELDS)]
                buf.write("\t".join(line))
                buf.write("\n")
                prev = digest
            with cur.copy(sql) as copy:
                copy.write(buf.getvalue())
            print(f"  {table}: {min(start + chunk, len(rows))}/{len(rows)} rows, {time.perf_counter() - started:.0f} s")
        cur.execute(
            "UPDATE audit_chainhead SET last_hash = %s, rows = %s WHERE name = %s",
            [prev, head_rows + len(rows), chain_name(model)],
        )
    return time.perf_counter() - started


def _dt(us: int) -> datetime.datetime:
    return EPOCH + datetime.timedelta(microseconds=us)


def access_fields(row: tuple) -> dict[str, Any]:
    ts, agent, user, profession, org, client, episode, view, resource, action, basis, outcome, reason, flagged = row
    return {
        "accessed_at": _dt(ts),
        "agent": agent,
        "user_id": user,
        "profession": profession,
        "organisation_id": org,
        "client_id": client,
        "episode_id": episode,
        "view": view,
        "resource": resource,
        "action": action,
        "basis": basis,
        "outcome": outcome,
        "reason": reason,
        "flagged": flagged,
        "request_id": f"{(ts * 2654435761 + client) & (2**128 - 1):032x}",
    }


def disclosure_fields(row: tuple) -> dict[str, Any]:
    ts, user, client, episode, controller, recipient_org, recipient_user, cats, view, basis, consent, grant = row
    return {
        "disclosed_at": _dt(ts),
        "user_id": user,
        "client_id": client,
        "episode_id": episode,
        "controller_organisation_id": controller,
        "recipient_organisation_id": recipient_org,
        "recipient_user_id": recipient_user,
        "categories": cats,
        "view": view,
        "basis": basis,
        "consent_id": consent,
        "grant_id": grant,
        "request_id": f"{(ts * 40503 + client) & (2**128 - 1):032x}",
    }


def generate(args: argparse.Namespace, now: datetime.datetime) -> dict[str, Any]:
    from django.db import connection

    from tukipolku.audit.models import Disclosure, PersonalDataAccess

    report: dict[str, Any] = {}
    have_access = PersonalDataAccess.objects.count()
    have_disclosures = Disclosure.objects.count()
    need_access = max(0, args.rows - have_access)
    need_disclosures = max(0, args.disclosures - have_disclosures)
    with connection.cursor() as cur:
        extreme_client, extreme_episode, extreme_members = busiest_client(cur)
    need_extreme = args.extreme and PersonalDataAccess.objects.filter(client_id=extreme_client).count() < 15_000
    if not need_access and not need_disclosures and not need_extreme:  # only what this run did
        print(f"the logs already hold {have_access} access and {have_disclosures} disclosure rows")
        return {"generated": False}
    rng = random.Random(args.seed)
    started = time.perf_counter()
    with connection.cursor() as cur:
        world = load_world(cur)
    report["load_world_s"] = round(time.perf_counter() - started, 1)
    if need_access or need_extreme:
        t = time.perf_counter()
        rows = []
        if need_access:
            counts = client_counts(world.client_ids, need_access, args.sigma, rng)
            rows = access_rows(world, counts, args.months, now, rng)
            report["access_rows_generated"] = len(rows)
        if need_extreme:
            # Merged into the same time order, so that the stress client's rows lie spread over the
            # table as two years of appends would leave them (appended alone when the bulk exists).
            extra = extreme_rows(world, extreme_client, extreme_episode, extreme_members, args.months, now, rng)
            report["extreme_client"] = extreme_client
            report["extreme_rows_generated"] = len(extra)
            rows = sorted(rows + extra, key=lambda row: row[0]) if rows else extra
            del extra
        report["access_build_s"] = round(time.perf_counter() - t, 1)
        report["access_copy_s"] = round(copy_chained(connection, PersonalDataAccess, rows, access_fields), 1)
        del rows
    if need_disclosures:
        t = time.perf_counter()
        rows = disclosure_rows(world, need_disclosures, args.months, now, rng)
        report["disclosure_build_s"] = round(time.perf_counter() - t, 1)
        report["disclosure_rows_generated"] = len(rows)
        report["disclosure_copy_s"] = round(copy_chained(connection, Disclosure, rows, disclosure_fields), 1)
        del rows
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE) audit_personaldataaccess")
        cur.execute("VACUUM (ANALYZE) audit_disclosure")
    report["vacuum_analyze_s"] = round(time.perf_counter() - t, 1)
    report["total_s"] = round(time.perf_counter() - started, 1)
    report["generated"] = True
    print("generated", json.dumps(report))
    return report


# ---------------------------------------------------------------- the report


def equivalent_report(*, client_id: int, since: datetime.datetime, until: datetime.datetime) -> dict[str, Any]:
    """Stand-in for `client_log_report` until it exists: every access and disclosure row of the
    client in the period with the user's name, newest first, and a summary per person and basis."""
    from django.db.models import Count, Max, Min

    from tukipolku.audit.models import Disclosure, PersonalDataAccess

    accesses = PersonalDataAccess.objects.filter(
        client_id=client_id, accessed_at__gte=since, accessed_at__lt=until
    ).select_related("user")
    return {
        "accesses": list(accesses.order_by("-accessed_at", "-id")),
        "by_person": list(
            accesses.values("user_id", "user__first_name", "user__last_name", "profession", "organisation_id", "basis")
            .annotate(n=Count("id"), first=Min("accessed_at"), last=Max("accessed_at"))
            .order_by("-last")
        ),
        "disclosures": list(
            Disclosure.objects.filter(client_id=client_id, disclosed_at__gte=since, disclosed_at__lt=until)
            .select_related("user")
            .order_by("-disclosed_at", "-id")
        ),
    }


def report_function() -> tuple[Callable[..., Any], str]:
    try:
        from tukipolku.oversight.selectors import client_log_report  # type: ignore[import-not-found]
    except ImportError as exc:
        print(f"tukipolku.oversight.selectors.client_log_report not available ({exc}); using equivalent_report")
        return equivalent_report, "bench/log_report.py:equivalent_report"
    return client_log_report, "tukipolku.oversight.selectors.client_log_report"


def materialise(value: Any, depth: int = 0) -> int:
    """Evaluate whatever is lazy in the report (querysets, generators; inside dataclasses, dicts and
    lists) and count the items of its lists. Already built items are not walked (cheap, so that the
    walk does not add to the time measured)."""
    from django.db.models import QuerySet

    if depth > 4:
        return 0
    if isinstance(value, QuerySet):
        value = list(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(materialise(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value))
    if isinstance(value, dict):
        return sum(materialise(v, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return len(value) + sum(materialise(v, depth + 1) for v in value if isinstance(v, QuerySet | Iterator))
    if isinstance(value, Iterator):
        return materialise(list(value), depth)
    return 0


def choose_clients(per_client: dict[int, int], k: int, rng: random.Random) -> list[int]:
    """k distinct clients weighted toward heavy ones: the heaviest, half of the rest from the top 1 %
    by row count, the other half drawn with probability proportional to the row count
    (Efraimidis–Spirakis)."""
    ranked = sorted(per_client, key=lambda c: (-per_client[c], c))
    chosen = [ranked[0]]
    top = ranked[1 : max(2, len(ranked) // 100)]
    chosen += rng.sample(top, min(len(top), (k - 1) // 2))
    taken = set(chosen)
    rest = [c for c in ranked if c not in taken]
    keyed = sorted(rest, key=lambda c: math.log(1.0 - rng.random()) / per_client[c], reverse=True)
    return chosen + keyed[: k - len(chosen)]


def explain(
    connection: Any, report: Callable[..., Any], kwargs: dict[str, Any], path: Any, title: str, mode: str = "w"
) -> list[dict[str, Any]]:
    """Capture the statements of one report and write EXPLAIN (ANALYZE, BUFFERS) of each, slowest first."""
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        materialise(report(**kwargs))
    plans = []
    with connection.cursor() as cur:
        for q in ctx.captured_queries:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            text = "\n".join(r[0] for r in cur.fetchall())
            execution = next(
                (float(line.split(":")[1].split()[0]) for line in text.splitlines() if "Execution Time" in line), 0.0
            )
            plans.append({"sql": sql, "plan": text, "execution_ms": execution, "captured_ms": float(q["time"]) * 1000})
    plans.sort(key=lambda p: -p["execution_ms"])
    with path.open(mode) as out:
        out.write(
            f"{'' if mode == 'w' else chr(10)}# {title}: EXPLAIN (ANALYZE, BUFFERS), client {kwargs['client_id']}\n"
        )
        out.write(f"# period {kwargs['since'].isoformat()} .. {kwargs['until'].isoformat()}; slowest statement first\n")
        for i, p in enumerate(plans, 1):
            out.write(f"\n## statement {i} of {len(plans)}: execution {p['execution_ms']:.2f} ms\n\n{p['sql']}\n\n")
            out.write(p["plan"] + "\n")
    return [{"execution_ms": p["execution_ms"], "sql": p["sql"][:300]} for p in plans]


def evict_os_cache(cursor: Any, table: str) -> dict[str, Any]:
    """Drop the table's and its indexes' files from the OS page cache (posix_fadvise DONTNEED, after a
    CHECKPOINT so that the pages are clean). Needs read access to PostgreSQL's data directory (root
    or postgres on the same machine); PostgreSQL's own shared_buffers are not emptied."""
    import os
    from pathlib import Path

    cursor.execute("CHECKPOINT")
    cursor.execute("SHOW data_directory")
    base = Path(cursor.fetchone()[0])
    cursor.execute(
        "SELECT pg_relation_filepath(c.oid) FROM pg_class c WHERE c.oid = %s::regclass "
        "OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = %s::regclass)",
        [table, table],
    )
    evicted = 0
    for (relpath,) in cursor.fetchall():
        segment = 0
        while True:
            path = base / (relpath if segment == 0 else f"{relpath}.{segment}")
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                break
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                evicted += os.fstat(fd).st_size
            finally:
                os.close(fd)
            segment += 1
    return {"evicted_mib": round(evicted / 2**20)}


def cold_pass(
    report: Callable[..., Any],
    per_client: dict[int, int],
    exclude: set[int],
    extreme_client: int | None,
    since: datetime.datetime,
    until: datetime.datetime,
    k: int,
    seed: int,
) -> dict[str, Any] | None:
    """Reports of clients not read before, right after the access log left PostgreSQL's buffers and
    the OS page cache. The stress client goes first."""
    from django.db import connection

    fresh = {c: n for c, n in per_client.items() if c not in exclude and c != extreme_client}
    clients = choose_clients(fresh, k, random.Random(seed + 2))
    if extreme_client is not None:
        clients.insert(0, extreme_client)
    try:
        with connection.cursor() as cur:
            # Push the access log out of PostgreSQL's shared_buffers: read 5 M event rows by index.
            cur.execute("SET enable_seqscan = off")
            cur.execute("SET enable_bitmapscan = off")
            cur.execute("SELECT count(*) FROM (SELECT id, payload FROM audit_auditevent ORDER BY id OFFSET 0) x")
            cur.execute("RESET enable_seqscan")
            cur.execute("RESET enable_bitmapscan")
            evicted = evict_os_cache(cur, "audit_personaldataaccess")
    except OSError as exc:
        print(f"cold pass skipped: cannot reach PostgreSQL's data files ({exc})")
        return None
    times = {}
    for c in clients:
        start = time.perf_counter()
        materialise(report(client_id=c, since=since, until=until))
        times[c] = (time.perf_counter() - start) * 1000
    sampled = [t for c, t in times.items() if c != extreme_client]
    return {
        **evicted,
        "clients": len(sampled),
        "rows_per_client": {"median": statistics.median(per_client[c] for c in times if c != extreme_client)},
        "p50_ms": round(statistics.median(sampled), 1),
        "p95_ms": round(percentile(sampled, 95), 1),
        "max_ms": round(max(sampled), 1),
        "stress_client_ms": round(times[extreme_client], 1) if extreme_client is not None else None,
        "client_ids": list(times),
    }


COVERING_INDEX = (
    "CREATE INDEX bench_access_client_covering ON audit_personaldataaccess (client_id, accessed_at) "
    "INCLUDE (id, user_id, agent, profession, organisation_id, view, resource, action, basis, outcome)"
)


def covering_index_trial(
    report: Callable[..., Any],
    per_client: dict[int, int],
    exclude: set[int],
    extreme_client: int | None,
    since: datetime.datetime,
    until: datetime.datetime,
    k: int,
    seed: int,
) -> dict[str, Any]:
    """What a covering index would change: build it, repeat the cold pass (on other clients) and the
    warm stress case, then drop it again so that the bench schema stays the migrations' schema."""
    from django.db import connection

    with connection.cursor() as cur:
        start = time.perf_counter()
        cur.execute(COVERING_INDEX)
        build_s = time.perf_counter() - start
        cur.execute("VACUUM (ANALYZE) audit_personaldataaccess")  # visibility map: index-only scans
        cur.execute("SELECT pg_size_pretty(pg_relation_size('bench_access_client_covering'))")
        size = cur.fetchone()[0]
    try:
        cold = cold_pass(report, per_client, exclude, extreme_client, since, until, k, seed + 10)
        out: dict[str, Any] = {"index": COVERING_INDEX, "build_s": round(build_s, 1), "size": size, "cold": cold}
        if extreme_client is not None:
            kw = {"client_id": extreme_client, "since": since, "until": until}
            materialise(report(**kw))
            runs = []
            for _ in range(10):
                start = time.perf_counter()
                materialise(report(**kw))
                runs.append((time.perf_counter() - start) * 1000)
            out["stress_warm_median_ms"] = round(statistics.median(runs), 1)
            out["stress_statements"] = explain(
                connection,
                report,
                kw,
                RESULTS / "log_report_explain.txt",
                "Trial only (index dropped afterwards): the stress client with a covering index",
                mode="a",
            )
    finally:
        with connection.cursor() as cur:
            cur.execute("DROP INDEX IF EXISTS bench_access_client_covering")
    print("covering index trial", json.dumps({k: v for k, v in out.items() if k != "stress_statements"}))
    return out


def run_report(args: argparse.Namespace, now: datetime.datetime, extreme_client: int | None) -> dict[str, Any]:
    from django.db import connection

    report, report_name = report_function()
    until = now
    since = now - datetime.timedelta(days=730)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT client_id, count(*) FROM audit_personaldataaccess "
            "WHERE accessed_at >= %s AND accessed_at < %s AND client_id IS NOT NULL GROUP BY client_id",
            [since, until],
        )
        per_client = dict(cur.fetchall())
    rng = random.Random(args.seed + 1)
    sampled = {c: n for c, n in per_client.items() if c != extreme_client}
    chosen = choose_clients(sampled, args.clients, rng)
    kwargs = [{"client_id": c, "since": since, "until": until} for c in chosen]

    first_pass = []
    for kw in kwargs:  # warm-up: the first pass reads the pages into the caches
        start = time.perf_counter()
        materialise(report(**kw))
        first_pass.append((time.perf_counter() - start) * 1000)
    timed = []
    for kw in kwargs:
        start = time.perf_counter()
        items = materialise(report(**kw))
        timed.append(((time.perf_counter() - start) * 1000, kw["client_id"], items))
    times = [t for t, _, _ in timed]
    slowest = max(timed)
    statements = explain(
        connection,
        report,
        {"client_id": slowest[1], "since": since, "until": until},
        RESULTS / "log_report_explain.txt",
        f"Slowest of the {len(chosen)} sampled clients ({slowest[0]:.1f} ms, {per_client[slowest[1]]} access rows)",
    )
    # Before the stress client is read warm, so that its pages are in neither cache.
    cold = (
        cold_pass(report, per_client, set(chosen), extreme_client, since, until, args.clients // 2, args.seed)
        if args.cold
        else None
    )
    if cold:
        print("cold", json.dumps(cold))
    extreme = None
    if extreme_client is not None and extreme_client in per_client:
        kw = {"client_id": extreme_client, "since": since, "until": until}
        materialise(report(**kw))  # warm
        runs = []
        for _ in range(10):
            start = time.perf_counter()
            items = materialise(report(**kw))
            runs.append((time.perf_counter() - start) * 1000)
        extreme = {
            "client_id": extreme_client,
            "access_rows": per_client[extreme_client],
            "items": items,
            "runs": len(runs),
            "median_ms": round(statistics.median(runs), 1),
            "max_ms": round(max(runs), 1),
            "statements": explain(
                connection,
                report,
                kw,
                RESULTS / "log_report_explain.txt",
                f"Stress case, not in the sample: a client listed on every team member's caseload for two "
                f"years ({per_client[extreme_client]} access rows)",
                mode="a",
            ),
        }
        print("extreme client", json.dumps(extreme))
    trial = None
    if args.try_covering_index:
        seen = set(chosen) | set(cold["client_ids"] if cold else [])
        trial = covering_index_trial(
            report, per_client, seen, extreme_client, since, until, args.clients // 2, args.seed
        )
    sample_rows = sorted(per_client[c] for c in chosen)
    all_rows = sorted(sampled.values())  # the stress client apart
    return {
        "report_function": report_name,
        "period": {"since": since.isoformat(), "until": until.isoformat()},
        "clients_in_sample": len(chosen),
        "rows_per_client_in_sample": {
            "min": sample_rows[0],
            "median": statistics.median(sample_rows),
            "max": sample_rows[-1],
        },
        "rows_per_client_all": {
            "clients_with_rows": len(all_rows),
            "median": statistics.median(all_rows),
            "p90": percentile(all_rows, 90),
            "p99": percentile(all_rows, 99),
            "max": all_rows[-1],
            "clients_over_100": sum(1 for r in all_rows if r > 100),
        },
        "warm": {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 95), 1),
            "max_ms": round(max(times), 1),
        },
        "first_pass": {
            "p50_ms": round(statistics.median(first_pass), 1),
            "p95_ms": round(percentile(first_pass, 95), 1),
            "max_ms": round(max(first_pass), 1),
        },
        "slowest": {
            "client_id": slowest[1],
            "ms": round(slowest[0], 1),
            "access_rows": per_client[slowest[1]],
            "items": slowest[2],
        },
        "statements_of_slowest": statements,
        "stress_client": extreme,
        "cold_caches": cold,
        "covering_index_trial": trial,
        "target_p95_ms": 1500,
        "meets_target": percentile(times, 95) <= 1500,
    }


def verify_chains() -> dict[str, Any]:
    """`chain.verify` over both whole logs, as the nightly check does: proves the generated rows are
    valid links, and times the walk."""
    from tukipolku.audit import chain
    from tukipolku.audit.models import Disclosure, PersonalDataAccess

    out = {}
    for model in (PersonalDataAccess, Disclosure):
        start = time.perf_counter()
        breaks = list(chain.verify(model))
        out[model._meta.db_table] = {
            "rows": model.objects.count(),
            "seconds": round(time.perf_counter() - start, 1),
            "ok": not breaks,
            "breaks": [f"{b.row_id}: {b.problem}" for b in breaks[:20]],
        }
    print("verify", json.dumps(out))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000, help="access-log rows to have at least")
    parser.add_argument("--disclosures", type=int, default=100_000, help="disclosure-log rows to have at least")
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--sigma", type=float, default=1.4, help="skew of rows per client (log-normal sigma)")
    parser.add_argument("--clients", type=int, default=50, help="clients whose report is timed")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quiet-load", type=float, default=1.5, help="wait for a 1-min load average below this")
    parser.add_argument("--quiet-wait", type=float, default=600, help="... but at most this many seconds")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument(
        "--no-cold",
        dest="cold",
        action="store_false",
        help="skip the pass with the access log evicted from the OS page cache (needs the data directory)",
    )
    parser.add_argument(
        "--try-covering-index",
        action="store_true",
        help="also time the cold pass and the stress case with a covering index (built, then dropped)",
    )
    parser.add_argument(
        "--no-extreme",
        dest="extreme",
        action="store_false",
        help="skip the stress case: one client with tens of thousands of rows, timed apart from the sample",
    )
    parser.add_argument("--verify", action="store_true", help="also time chain.verify over both whole logs")
    add_result_args(parser)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from tukipolku.audit.models import Disclosure, PersonalDataAccess
    from tukipolku.clients.models import Client
    from tukipolku.core.runtime import tune_gc

    call_command("migrate", verbosity=0)
    n_clients = Client.objects.count()
    if n_clients < 1000:
        sys.exit(f"{common.DB_NAME} holds {n_clients} clients: fill it first (bench/run.py, docs/performance.md).")
    info = machine(connection)
    info["load_average_at_start"] = load_average()
    now = timezone.now()
    generation = generate(args, now)
    # Only what this run measured: without --verify the results say it was not run (never an
    # earlier run's figures).
    verification = verify_chains() if args.verify else {"run": False}
    if args.generate_only:
        return
    tune_gc()
    info["quiet"] = wait_for_quiet(args.quiet_load, args.quiet_wait)
    context = run_context()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('audit_personaldataaccess')), "
            "pg_size_pretty(pg_relation_size('audit_personaldataaccess'))"
        )
        total_size, heap_size = cur.fetchone()
    data = {
        "clients": n_clients,
        "access_log_rows": PersonalDataAccess.objects.count(),
        "disclosure_log_rows": Disclosure.objects.count(),
        "access_log_size_with_indexes": total_size,
        "access_log_heap_size": heap_size,
    }
    print(json.dumps(data))
    extreme_client = None
    if args.extreme:
        with connection.cursor() as cur:
            extreme_client = busiest_client(cur)[0]
    results = run_report(args, now, extreme_client)
    print(json.dumps(results, indent=2))
    info["load_average_at_end"] = load_average()
    write_results(
        "log_report.json",
        {
            "command": ".venv/bin/python bench/log_report.py " + " ".join(sys.argv[1:]),
            "machine": info,
            "data": data,
            "generation": generation,
            "verify": verification,
            "report": results,
        },
        context,
        args,
    )


if __name__ == "__main__":
    main()
