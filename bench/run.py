"""Benchmark: server time of the caseload and the case page at 200,000 clients on PostgreSQL.

    .venv/bin/python bench/run.py [--clients 200000] [--requests 300] [--seed 1]

Creates (or reuses) the database `tukipolku_bench`, fills it with the synthetic generator, then for
a sample of professionals and episodes measures, in-process with Django's test client (middleware,
gate, access-log insert, templates included; no network): median and p95 of the server time, and
the raw SQL time of running the same SELECT statements directly on the connection. Results go to
bench/results/ and are written up in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time

import common  # noqa: F401 - bench/common.py: production settings against the bench database
from common import (
    DB_NAME,
    add_result_args,
    load_average,
    machine,
    percentile,
    run_context,
    write_results,
)


def ensure_database() -> None:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(values), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "n": len(values),
    }


def spread(values: list[float]) -> dict[str, float]:
    """min / median / max of one figure over the repeated runs."""
    return {"min": round(min(values), 2), "median": round(statistics.median(values), 2), "max": round(max(values), 2)}


def measure(client, url: str, connection) -> tuple[float, float, float, int]:
    """(server ms, server CPU ms, raw SQL ms of the same SELECTs, number of queries) for one page.

    The timed request runs without query capture (capturing formats every statement, which would
    inflate the time); a second, untimed request of the same page captures the statements, which
    are then re-run directly on the connection and timed. The CPU time is this process's
    (`time.process_time`: Django, the gate, the templates, the driver; not PostgreSQL's): on a shared
    machine the wall time includes waiting for a core, the CPU time does not.
    """
    from django.test.utils import CaptureQueriesContext

    cpu_start = time.process_time()
    start = time.perf_counter()
    response = client.get(url)
    server = (time.perf_counter() - start) * 1000
    cpu = (time.process_time() - cpu_start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    connection.queries_log.clear()  # the log is a bounded deque: keep the capture's indices valid
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    selects = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    start = time.perf_counter()
    with connection.cursor() as cur:
        for sql in selects:
            cur.execute(sql)  # captured SQL has its parameters inlined already
            cur.fetchall()
    raw = (time.perf_counter() - start) * 1000
    return server, cpu, raw, len(ctx.captured_queries)


def one_run(args, users, clients, rng, connection) -> dict[str, dict]:
    """One pass: each page `args.requests` times (after 20 warm-up requests) round the users."""
    from django.urls import reverse

    from tukipolku.cases.models import CaseTeamMember

    results: dict[str, dict] = {}
    for name in ("caseload", "case_page"):
        server_times: list[float] = []
        cpu_times: list[float] = []
        raw_times: list[float] = []
        queries: set[int] = set()
        for i in range(args.requests + 20):
            user = users[i % len(users)]
            http = clients[user.pk]
            if name == "caseload":
                url = reverse("cases:caseload")
            else:
                ids = list(
                    CaseTeamMember.objects.filter(user=user, removed_at__isnull=True).values_list(
                        "episode_id", flat=True
                    )[:50]
                )
                url = reverse("cases:detail", args=[rng.choice(ids)])
            server, cpu, raw, n = measure(http, url, connection)
            if i >= 20:  # the first requests warm caches and connections
                server_times.append(server)
                cpu_times.append(cpu)
                raw_times.append(raw)
                queries.add(n)
        results[name] = {
            "server": summary(server_times),
            "server_cpu": summary(cpu_times),
            "raw_sql": summary(raw_times),
            "queries_per_request": sorted(queries),
        }
        ratio = results[name]["server"]["p95_ms"] / max(results[name]["raw_sql"]["p95_ms"], 0.001)
        results[name]["p95_ratio_server_to_sql"] = round(ratio, 2)
        print(name, json.dumps(results[name]), "load", load_average(), flush=True)
    return results


# Where a request's CPU goes, by the file of each function's own time (cProfile's tottime): the parts add
# up to the whole. First match wins.
PROFILE_PARTS = (
    ("database driver (psycopg)", ("psycopg",)),
    ("ORM: compiling SQL", ("django/db/models/sql/",)),
    ("ORM: models, querysets, expressions, rows to objects", ("django/db/",)),
    ("templates", ("django/template/", "django/templatetags/", "tukipolku/templatetags", "templatetags")),
    ("translation (gettext)", ("django/utils/translation", "gettext")),
    ("forms", ("django/forms/",)),
    ("access log (hash chain)", ("tukipolku/audit/",)),
    ("access gate", ("tukipolku/access/",)),
    ("other application code", ("tukipolku/",)),
    ("test client (not in a real server)", ("django/test/",)),
    ("Django request, middleware, sessions, auth", ("django/",)),
)
INCLUSIVE = (
    ("SQLCompiler.as_sql (compiling)", "compiler.py", "as_sql"),
    ("cursor execute (round trips)", "utils.py", "_execute"),
    ("Template.render", "base.py", "render"),
    ("chain.append (access log)", "chain.py", "append"),
)


def profile_pages(args, users, clients, rng) -> dict[str, dict]:
    """cProfile over `args.profile` requests of each page, in CPU time: own time by part, and a few
    inclusive times (which overlap: templates run queries)."""
    import cProfile
    import pstats

    from django.urls import reverse

    from tukipolku.cases.models import CaseTeamMember

    out: dict[str, dict] = {}
    for name in ("caseload", "case_page"):
        profiler = cProfile.Profile(time.process_time)  # CPU time: waiting for a core or PostgreSQL is not in it
        for i in range(args.profile):
            user = users[i % len(users)]
            if name == "caseload":
                url = reverse("cases:caseload")
            else:
                ids = list(
                    CaseTeamMember.objects.filter(user=user, removed_at__isnull=True).values_list(
                        "episode_id", flat=True
                    )[:50]
                )
                url = reverse("cases:detail", args=[rng.choice(ids)])
            profiler.enable()
            response = clients[user.pk].get(url)
            profiler.disable()
            assert response.status_code == 200
        stats = pstats.Stats(profiler)
        parts: dict[str, float] = {}
        total = 0.0
        inclusive: dict[str, float] = {}
        for (filename, _line, func), (_cc, _nc, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
            total += tottime
            path = filename.replace("\\", "/")
            part = next((label for label, keys in PROFILE_PARTS if any(k in path for k in keys)), "Python and other")
            parts[part] = parts.get(part, 0.0) + tottime
            for label, file_end, fn in INCLUSIVE:
                if path.endswith(file_end) and func == fn and ("django" in path):
                    inclusive[label] = max(inclusive.get(label, 0.0), cumtime)
        per = 1000 / args.profile
        out[name] = {
            "requests": args.profile,
            "profiled_ms_per_request": round(total * per, 1),
            "own_time_ms_per_request": {k: round(v * per, 2) for k, v in sorted(parts.items(), key=lambda kv: -kv[1])},
            "share": {k: round(v / total, 3) for k, v in sorted(parts.items(), key=lambda kv: -kv[1])},
            "inclusive_ms_per_request": {k: round(v * per, 2) for k, v in inclusive.items()},
        }
        print(name, "profile", json.dumps(out[name]), flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=1, help="runs; the results give min/median/max over them")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", type=int, default=0, help="also profile this many requests of each page")
    parser.add_argument(
        "--teams",
        type=int,
        default=1300,
        help="teams of ~8 professionals; 1300 gives ~150 open clients a team, as in a busy real team",
    )
    add_result_args(parser)
    args = parser.parse_args()
    ensure_database()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as HttpClient

    from tukipolku.cases.choices import EpisodeStatus
    from tukipolku.cases.models import CaseTeamMember, Episode
    from tukipolku.clients.models import Client
    from tukipolku.core.models import User

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # production static storage needs its manifest
    have = Client.objects.count()
    if have < args.clients:
        if have:
            sys.exit(f"{DB_NAME} holds {have} clients, fewer than {args.clients}: drop it first (dropdb {DB_NAME}).")
        started = time.perf_counter()
        call_command("generate_data", clients=args.clients, seed=args.seed, teams=args.teams)
        print(f"generated {args.clients} clients in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    counts = {
        "clients": Client.objects.count(),
        "episodes": Episode.objects.count(),
        "open_episodes": Episode.objects.filter(status=EpisodeStatus.OPEN).count(),
    }
    print(counts)

    from tukipolku.core.permissions import TEAM_PROFESSIONS
    from tukipolku.core.runtime import tune_gc

    tune_gc()  # as config/wsgi.py does in every worker
    rng = random.Random(args.seed)
    busy_user_ids = list(
        CaseTeamMember.objects.filter(
            removed_at__isnull=True,
            episode__status=EpisodeStatus.OPEN,
            user__profession__in=TEAM_PROFESSIONS,  # partner staff have no caseload
        )
        .values_list("user_id", flat=True)
        .distinct()[:2000]
    )
    users = list(User.objects.filter(pk__in=rng.sample(busy_user_ids, min(20, len(busy_user_ids)))))
    from common import give_mfa  # production settings require an authenticator app

    give_mfa(users)
    clients = {}
    for user in users:
        clients[user.pk] = HttpClient()
        clients[user.pk].force_login(user)
    context = run_context()
    runs = [one_run(args, users, clients, rng, connection) for _ in range(args.repeat)]
    profile = profile_pages(args, users, clients, rng) if args.profile else None
    over_runs: dict[str, dict] = {}
    for name in ("caseload", "case_page"):
        over_runs[name] = {
            figure: spread([r[name][part][stat] for r in runs])
            for figure, part, stat in (
                ("server_median_ms", "server", "median_ms"),
                ("server_p95_ms", "server", "p95_ms"),
                ("server_cpu_median_ms", "server_cpu", "median_ms"),
                ("server_cpu_p95_ms", "server_cpu", "p95_ms"),
                ("raw_sql_p95_ms", "raw_sql", "p95_ms"),
            )
        }
        over_runs[name]["p95_ratio_server_to_sql"] = spread([r[name]["p95_ratio_server_to_sql"] for r in runs])
        print(name, "over", args.repeat, "runs", json.dumps(over_runs[name]))
    write_results(
        "caseload_casepage.json",
        {
            "command": ".venv/bin/python bench/run.py " + " ".join(sys.argv[1:]),
            "machine": machine(connection),
            "data": counts,
            "over_runs": over_runs,
            "results": runs[-1],
            "runs": runs,
            "profile": profile,
        },
        context,
        args,
    )


if __name__ == "__main__":
    main()
