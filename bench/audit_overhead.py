"""Benchmark: what writing the access log costs a request, on PostgreSQL at 200,000 clients.

    .venv/bin/python bench/audit_overhead.py [--requests 1000] [--seconds 10] [--threads 4] [--seed 1]

Needs the populated `tukipolku_bench` database (bench/run.py or `manage.py generate_data`, see
docs/performance.md). Three measurements, all in one process with production settings:

1. Pages. The caseload and the case page are requested (as in bench/run.py) with the real
   `AccessLogMiddleware` flush and with `tukipolku.audit.chain.append` replaced by a no-op. Each
   sample is a pair: the same user and URL once in each mode, in random order, so that drift of the
   shared machine falls on both modes alike. Reported: median and p95 of each mode and their
   difference, a bootstrap 95 % interval of the p95 difference, and the median of the paired
   differences.
2. `chain.append` alone for 1 and 50 rows (the case page writes one row, the caseload up to 50):
   p50 and p95 of `time.perf_counter` around the call, its own transaction and commit included.
3. Concurrency. N threads, each with its own database connection, append for S seconds; rows/s,
   appends/s and append latency under contention, then `chain.verify` over the whole access log.

Results: bench/results/audit_overhead.json, written up in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
from typing import Any

import common
from common import (
    add_result_args,
    give_mfa,
    load_average,
    machine,
    percentile,
    run_context,
    summary,
    wait_for_quiet,
    write_results,
)


def noop_append(model: Any, rows: Any) -> None:
    return None


def bootstrap_p95_diff(a: list[float], b: list[float], rng: random.Random, rounds: int = 2000) -> list[float]:
    """95 % interval of p95(a) - p95(b) over paired samples, resampling the pairs."""
    n = len(a)
    diffs = []
    for _ in range(rounds):
        idx = [rng.randrange(n) for _ in range(n)]
        diffs.append(percentile([a[i] for i in idx], 95) - percentile([b[i] for i in idx], 95))
    return [round(percentile(diffs, 2.5), 2), round(percentile(diffs, 97.5), 2)]


def access_rows(n: int, user: Any, client_ids: list[int], rng: random.Random, request_id: str) -> list[Any]:
    from tukipolku.audit.choices import AccessAction, AccessOutcome
    from tukipolku.audit.models import PersonalDataAccess

    action = AccessAction.LIST if n > 1 else AccessAction.VIEW
    view = "cases:caseload" if n > 1 else "cases:detail"
    return [
        PersonalDataAccess(
            user=user,
            profession=user.profession,
            organisation_id=user.organisation_id,
            client_id=rng.choice(client_ids),
            episode_id=None,
            view=view,
            resource="case",
            action=action,
            basis="team_membership",
            outcome=AccessOutcome.ALLOWED,
            request_id=request_id,
        )
        for _ in range(n)
    ]


def append_breakdown(n: int, writer: Any, client_ids: list[int], rng: random.Random, rounds: int = 100) -> dict:
    """Where one `chain.append` of n rows spends its time (medians over `rounds` calls, measured in
    separate calls from the plain timing above): each statement's round trip, the COMMIT, and the rest
    (Python: hashing, Django preparing the INSERT, the transaction's begin)."""
    from django.db import connection

    from tukipolku.audit import chain
    from tukipolku.audit.models import PersonalDataAccess

    phases: dict[str, list[float]] = {}
    current: dict[str, float] = {}

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            name = "select_for_update" if "FOR UPDATE" in sql else sql.split(None, 1)[0].lower()
            current[name] = current.get(name, 0.0) + (time.perf_counter() - start) * 1000

    real_commit = connection.commit

    def timed_commit() -> None:
        start = time.perf_counter()
        try:
            real_commit()
        finally:
            current["commit"] = current.get("commit", 0.0) + (time.perf_counter() - start) * 1000

    connection.commit = timed_commit  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(wrapper):
            for i in range(rounds):
                rows = access_rows(n, writer, client_ids, rng, request_id=f"parts{i:027d}")
                current.clear()
                start = time.perf_counter()
                chain.append(PersonalDataAccess, rows)
                total = (time.perf_counter() - start) * 1000
                current["rest"] = total - sum(current.values())
                current["total"] = total
                for name, ms in current.items():
                    phases.setdefault(name, []).append(ms)
    finally:
        del connection.commit
    return {name: round(statistics.median(values), 2) for name, values in phases.items()}


def concurrent_appends(
    threads: int, seconds: float, batch: int, writer: Any, client_ids: list[int], seed: int
) -> dict[str, Any]:
    """`threads` threads, each with its own connection, call `chain.append` for `seconds`."""
    from django.db import connections

    from tukipolku.audit import chain
    from tukipolku.audit.models import PersonalDataAccess

    counts = [0] * threads
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors: list[str] = []
    barrier = threading.Barrier(threads + 1)

    def work(k: int) -> None:
        local = random.Random(seed * 100 + k)
        try:
            connections["default"].ensure_connection()  # Django's connections are per thread
            barrier.wait()
            deadline = time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                rows = access_rows(batch, writer, client_ids, local, request_id=f"thread{k}")
                start = time.perf_counter()
                chain.append(PersonalDataAccess, rows)
                latencies[k].append((time.perf_counter() - start) * 1000)
                counts[k] += batch
        except Exception as exc:  # reported in the results, not hidden
            errors.append(repr(exc))
        finally:
            connections["default"].close()

    pool = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in pool:
        t.join()
    wall = time.perf_counter() - started
    lat = [x for per in latencies for x in per]
    return {
        "rows_per_append": batch,
        "rows": sum(counts),
        "rows_per_s": round(sum(counts) / wall),
        "appends_per_s": round(len(lat) / wall),
        "append_latency_p50_ms": round(statistics.median(lat), 2) if lat else None,
        "append_latency_p95_ms": round(percentile(lat, 95), 2) if lat else None,
        "per_thread_rows": counts,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000, help="timed pairs per page (real + no-op)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--append-iterations", type=int, default=300)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--batch-sizes", default="1,50", help="rows per append in the concurrency check")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quiet-load", type=float, default=1.5, help="wait for a 1-min load average below this")
    parser.add_argument("--quiet-wait", type=float, default=600, help="... but at most this many seconds")
    add_result_args(parser)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as HttpClient
    from django.urls import reverse

    from tukipolku.audit import chain
    from tukipolku.audit.models import Disclosure, PersonalDataAccess
    from tukipolku.cases.choices import EpisodeStatus
    from tukipolku.cases.models import CaseTeamMember, Episode
    from tukipolku.clients.models import Client
    from tukipolku.core.models import User
    from tukipolku.core.permissions import TEAM_PROFESSIONS
    from tukipolku.core.runtime import tune_gc

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    n_clients = Client.objects.count()
    if n_clients < 1000:
        sys.exit(f"{common.DB_NAME} holds {n_clients} clients: fill it first (bench/run.py, docs/performance.md).")
    with connection.cursor() as cur:
        cur.execute("ANALYZE audit_personaldataaccess")
    data = {
        "clients": n_clients,
        "episodes": Episode.objects.count(),
        "access_log_rows_before": PersonalDataAccess.objects.count(),
    }
    info = machine(connection)
    info["load_average_at_start"] = load_average()
    print(json.dumps(info), json.dumps(data))

    tune_gc()
    info["quiet"] = wait_for_quiet(args.quiet_load, args.quiet_wait)
    context = run_context()
    rng = random.Random(args.seed)
    real_append = chain.append

    # ---------------------------------------------------------------- 1. pages, real vs no-op
    busy_user_ids = list(
        CaseTeamMember.objects.filter(
            removed_at__isnull=True,
            episode__status=EpisodeStatus.OPEN,
            user__profession__in=TEAM_PROFESSIONS,  # as bench/run.py: partner staff have no caseload (403)
        )
        .values_list("user_id", flat=True)
        .distinct()[:2000]
    )
    users = list(User.objects.filter(pk__in=rng.sample(busy_user_ids, min(20, len(busy_user_ids)))))
    give_mfa(users)
    http: dict[int, Any] = {}
    episodes_of: dict[int, list[int]] = {}
    for user in users:
        http[user.pk] = HttpClient()
        http[user.pk].force_login(user)
        episodes_of[user.pk] = list(
            CaseTeamMember.objects.filter(user=user, removed_at__isnull=True).values_list("episode_id", flat=True)[:50]
        )

    pages: dict[str, Any] = {}
    for name in ("caseload", "case_page"):
        times: dict[str, list[float]] = {"real": [], "noop": []}
        rows_written: list[int] = []
        for i in range(args.requests + args.warmup):
            user = users[i % len(users)]
            if name == "caseload":
                url = reverse("cases:caseload")
            else:
                url = reverse("cases:detail", args=[rng.choice(episodes_of[user.pk])])
            order = ["real", "noop"] if rng.random() < 0.5 else ["noop", "real"]
            for mode in order:
                chain.append = real_append if mode == "real" else noop_append  # type: ignore[assignment]
                start = time.perf_counter()
                response = http[user.pk].get(url)
                elapsed = (time.perf_counter() - start) * 1000
                chain.append = real_append  # type: ignore[assignment]
                assert response.status_code == 200, (url, response.status_code)
                if i < args.warmup:
                    continue
                times[mode].append(elapsed)
                if mode == "real":  # untimed: the rows this request wrote
                    rows_written.append(PersonalDataAccess.objects.filter(request_id=response["X-Request-ID"]).count())
        real, noop = times["real"], times["noop"]
        paired = [r - n for r, n in zip(real, noop, strict=True)]
        pages[name] = {
            "with_access_log": summary(real),
            "access_log_noop": summary(noop),
            "p95_difference_ms": round(percentile(real, 95) - percentile(noop, 95), 2),
            "p95_difference_95ci_ms": bootstrap_p95_diff(real, noop, rng),
            "median_difference_ms": round(statistics.median(real) - statistics.median(noop), 2),
            "median_of_paired_differences_ms": round(statistics.median(paired), 2),
            "rows_written_per_request": {"min": min(rows_written), "max": max(rows_written)},
        }
        print(name, json.dumps(pages[name]))

    # ---------------------------------------------------------------- 2. chain.append alone
    client_ids = list(Client.objects.values_list("pk", flat=True)[:50000])
    writer = users[0]
    append_alone: dict[str, Any] = {}
    for n in (1, 50):
        samples = []
        for i in range(args.append_iterations + args.warmup):
            rows = access_rows(n, writer, client_ids, rng, request_id=f"bench{i:027d}")
            start = time.perf_counter()
            chain.append(PersonalDataAccess, rows)
            elapsed = (time.perf_counter() - start) * 1000
            if i >= args.warmup:
                samples.append(elapsed)
        append_alone[f"{n}_rows"] = {
            "p50_ms": round(statistics.median(samples), 3),
            "p95_ms": round(percentile(samples, 95), 3),
            "max_ms": round(max(samples), 3),
            "n": len(samples),
        }
        print(f"chain.append {n} rows", json.dumps(append_alone[f"{n}_rows"]))
        append_alone[f"{n}_rows"]["breakdown_p50_ms"] = append_breakdown(n, writer, client_ids, rng)
        print("  breakdown", json.dumps(append_alone[f"{n}_rows"]["breakdown_p50_ms"]))

    # ---------------------------------------------------------------- 3. concurrent appenders
    concurrency: dict[str, Any] = {"threads": args.threads, "seconds": args.seconds, "runs": {}}
    for batch in [int(b) for b in args.batch_sizes.split(",")]:
        run = concurrent_appends(args.threads, args.seconds, batch, writer, client_ids, args.seed)
        concurrency["runs"][f"{batch}_rows"] = run
        print("concurrent", json.dumps(run))

    start = time.perf_counter()
    breaks = list(chain.verify(PersonalDataAccess))
    verify_s = time.perf_counter() - start
    disclosure_breaks = list(chain.verify(Disclosure))
    total_rows = PersonalDataAccess.objects.count()
    concurrency["verify"] = {
        "access_log_rows": total_rows,
        "breaks": [f"{b.row_id}: {b.problem}" for b in breaks[:20]],
        "disclosure_log_breaks": [f"{b.row_id}: {b.problem}" for b in disclosure_breaks[:20]],
        "ok": not breaks and not disclosure_breaks,
        "seconds": round(verify_s, 1),
    }
    print("verify", json.dumps(concurrency["verify"]))
    info["load_average_at_end"] = load_average()

    write_results(
        "audit_overhead.json",
        {
            "command": ".venv/bin/python bench/audit_overhead.py " + " ".join(sys.argv[1:]),
            "machine": info,
            "data": data,
            "pages": pages,
            "chain_append_alone": append_alone,
            "concurrency": concurrency,
        },
        context,
        args,
    )
    if not concurrency["verify"]["ok"]:
        sys.exit("the chain does not verify")


if __name__ == "__main__":
    main()
