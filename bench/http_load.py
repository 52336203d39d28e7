"""HTTP load benchmark: gunicorn with the production settings against `tukipolku_bench`, driven by an
async client as logged-in professionals (issue 11 item 3).

    .venv/bin/python bench/http_load.py [--users 1,10,50] [--think 5,0] [--duration 45] [--workers 4]
    make bench-http

What it does, all on 127.0.0.1 only:

1. Picks team professionals with open caseloads from the bench database (as bench/run.py does), gives
   them the authenticator row production requires, and logs each in: `django.contrib.auth.login`
   through Django's test client writes a real session row in the session store the server reads
   (the same SECRET_KEY, generated for this run and handed to gunicorn). Each virtual user sends its
   own session cookie and a CSRF cookie with the matching token for its writes.
2. Starts gunicorn (`config/gunicorn.conf.py`, `--workers`, sync workers, DEBUG=false,
   ALLOWED_HOSTS=127.0.0.1, access log to a temporary file) on a free loopback port.
3. For each number of users and each think time (5 s between clicks is the target workload, 0 s the
   saturation), runs a phase of `--duration` seconds after `--warmup` seconds: each virtual user
   clicks the mixed workload, 45 % its caseload, 45 % a case page of one of its clients, 10 % a new
   entry (a short note a professional writes; written to clients of the user that the reads do not
   open, so the pages measured do not grow from run to run), and waits the think time (uniformly
   0.5-1.5 x, so that the users do not click in step).
4. Reports per kind p50/p95/p99 and errors (any status but 200, or 302 for a saved entry; timeouts),
   throughput, the gunicorn workers' CPU time per request (utime + stime from /proc/PID/stat before
   and after the phase, divided by the requests answered in it), the driver's own CPU, and the
   database's connections by state (pg_stat_activity sampled every 100 ms): how much of the time
   they are active, idle in transaction (a transaction held open while Python runs) or idle.

Bounded: each phase stops at its duration; a request times out after 30 s; the default run (15 s of
warm-up, then 6 phases of 45 + 5 s) takes about 6 minutes. Results: bench/results/http_load.json (docs/performance.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess  # nosec B404 - starts gunicorn from this virtualenv with fixed arguments
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import common
from common import ROOT, add_result_args, give_mfa, machine, percentile, run_context, write_results

HOST = "127.0.0.1"
KINDS = (("caseload", 45), ("case_page", 45), ("write", 10))
# The server and this driver share one secret for this run only: the driver writes the sessions.
os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
os.environ["ALLOWED_HOSTS"] = HOST
os.environ.setdefault("LOG_LEVEL", "WARNING")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


# ---------------------------------------------------------------- the server and its CPU time


def start_server(port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "-c",
        str(ROOT / "config" / "gunicorn.conf.py"),
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
        "--timeout",
        "60",
    ]
    out = log.open("wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603  # nosec B603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn exited with {proc.returncode}; see {log}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                pass
        except OSError:
            time.sleep(0.3)
            continue
        if len(worker_pids(proc.pid)) >= workers:
            return proc
        time.sleep(0.3)
    proc.terminate()
    sys.exit(f"gunicorn did not start in 60 s; see {log}")


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: the master's children (from /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == master:  # field 4 of stat, the parent
            pids.append(int(entry.name))
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of these processes, in seconds (fields 14 and 15 of /proc/PID/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


# ---------------------------------------------------------------- the database's connection states


class ActivitySampler(threading.Thread):
    """Samples pg_stat_activity of the bench database every `interval` s on its own connection."""

    def __init__(self, dsn: str, db: str, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.dsn, self.db, self.interval = dsn, db, interval
        self.samples: list[dict[str, int]] = []
        self.running = threading.Event()
        self.stop = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while not self.stop.is_set():
                if self.running.is_set():
                    rows = conn.execute(
                        "SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity"
                        " WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                        " GROUP BY 1",
                        [self.db],
                    ).fetchall()
                    self.samples.append(dict(rows))
                time.sleep(self.interval)

    def take(self) -> dict[str, Any]:
        samples, self.samples = self.samples, []
        if not samples:
            return {}
        states = sorted({s for sample in samples for s in sample})
        mean = {s: round(statistics.fmean(sample.get(s, 0) for sample in samples), 2) for s in states}
        connections = sum(mean.values())
        return {
            "samples": len(samples),
            "mean_connections": round(connections, 2),
            "mean_by_state": mean,
            "share_of_connection_time": {s: round(mean[s] / connections, 3) if connections else 0 for s in states},
            "active_share": round(mean.get("active", 0) / connections, 3) if connections else 0,
            "idle_in_transaction_share": round(mean.get("idle in transaction", 0) / connections, 3)
            if connections
            else 0,
        }


# ---------------------------------------------------------------- the users


def prepare_users(n: int, seed: int) -> list[dict[str, Any]]:
    """`n` team professionals with open caseloads, each logged in (a real session row), with the
    episodes the reads open and the ones the writes go to, and a register each may write to."""
    from django.conf import settings
    from django.test import Client as HttpClient
    from django.utils.crypto import get_random_string

    from tukipolku.access.policy import writable_registers
    from tukipolku.cases.choices import EpisodeStatus
    from tukipolku.cases.models import CaseTeamMember, Episode
    from tukipolku.core.models import User
    from tukipolku.core.permissions import TEAM_PROFESSIONS

    rng = random.Random(seed)
    busy = list(
        CaseTeamMember.objects.filter(
            removed_at__isnull=True,
            episode__status=EpisodeStatus.OPEN,
            user__profession__in=TEAM_PROFESSIONS,  # partner staff have no caseload
            user__is_active=True,
        )
        .values_list("user_id", flat=True)
        .distinct()[:4000]
    )
    chosen = list(User.objects.filter(pk__in=rng.sample(busy, min(len(busy), n * 3))))
    rng.shuffle(chosen)
    users: list[dict[str, Any]] = []
    for user in chosen:
        episodes = list(
            CaseTeamMember.objects.filter(user=user, removed_at__isnull=True, episode__status=EpisodeStatus.OPEN)
            .order_by("episode_id")
            .values_list("episode_id", flat=True)[:60]
        )
        if len(episodes) < 4:
            continue
        half = len(episodes) // 2
        reads, writes = episodes[:half], []
        for episode in Episode.objects.filter(pk__in=episodes[half:]):
            registers = writable_registers(actor=user, episode=episode)
            if registers:
                writes.append((episode.pk, registers[0]))
        if not writes:
            continue
        give_mfa([user])
        http = HttpClient()
        http.force_login(user)  # django.contrib.auth.login: a session row, as the login form makes
        csrf = get_random_string(32)
        users.append(
            {
                "cookies": {
                    settings.SESSION_COOKIE_NAME: http.cookies[settings.SESSION_COOKIE_NAME].value,
                    settings.CSRF_COOKIE_NAME: csrf,
                },
                "csrf": csrf,
                "reads": reads,
                "writes": writes,
            }
        )
        if len(users) == n:
            break
    if len(users) < n:
        sys.exit(f"only {len(users)} professionals with enough open clients found; need {n}")
    return users


# ---------------------------------------------------------------- the phases


async def user_loop(
    client: Any,
    user: dict[str, Any],
    think: float,
    start_measuring: float,
    stop: float,
    rng: random.Random,
    records: list[tuple[str, float, bool, float]],
) -> None:
    from django.urls import reverse

    caseload = reverse("cases:caseload")
    kinds = [k for k, _w in KINDS]
    weights = [w for _k, w in KINDS]
    if think:
        await asyncio.sleep(rng.uniform(0, think))  # users arrive spread over one think time
    n = 0
    while time.monotonic() < stop:
        kind = rng.choices(kinds, weights)[0]
        started = time.monotonic()
        ok = False
        try:
            if kind == "caseload":
                response = await client.get(caseload)
                ok = response.status_code == 200
            elif kind == "case_page":
                response = await client.get(reverse("cases:detail", args=[rng.choice(user["reads"])]))
                ok = response.status_code == 200
            else:
                episode_id, register = rng.choice(user["writes"])
                n += 1
                response = await client.post(
                    reverse("entries:create", args=[episode_id]),
                    data={
                        "csrfmiddlewaretoken": user["csrf"],
                        "register": register,
                        "text": f"Kuormitustesti: puhelu asiakkaan kanssa, seuraava yhteydenotto sovittu ({n}).",
                        "ehr_reference": "",
                    },
                )
                ok = response.status_code == 302 and "/accounts/" not in response.headers.get("location", "")
        except Exception:  # a timeout or a refused connection is an error of the run, counted
            ok = False
        finished = time.monotonic()
        if started >= start_measuring and finished <= stop:
            records.append((kind, (finished - started) * 1000, ok, finished))
        if think:
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))


async def phase(
    base_url: str, users: list[dict[str, Any]], think: float, warmup: float, duration: float, seed: int
) -> tuple[list[tuple[str, float, bool, float]], float, float]:
    import httpx

    records: list[tuple[str, float, bool, float]] = []
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        httpx.AsyncClient(base_url=base_url, cookies=u["cookies"], timeout=30.0, limits=limits, follow_redirects=False)
        for u in users
    ]
    now = time.monotonic()
    start_measuring = now + warmup
    stop = start_measuring + duration
    try:
        await asyncio.gather(
            *(
                user_loop(c, u, think, start_measuring, stop, random.Random(seed * 1000 + i), records)
                for i, (c, u) in enumerate(zip(clients, users, strict=True))
            )
        )
    finally:
        for c in clients:
            await c.aclose()
    return records, start_measuring, stop


def summarise(records: list[tuple[str, float, bool, float]], seconds: float) -> dict[str, Any]:
    out: dict[str, Any] = {"requests": len(records), "requests_per_s": round(len(records) / seconds, 1)}
    out["errors"] = sum(1 for r in records if not r[2])
    for kind, _w in KINDS:
        times = [r[1] for r in records if r[0] == kind]
        if not times:
            continue
        out[kind] = {
            "n": len(times),
            "errors": sum(1 for r in records if r[0] == kind and not r[2]),
            "p50_ms": round(percentile(times, 50), 1),
            "p95_ms": round(percentile(times, 95), 1),
            "p99_ms": round(percentile(times, 99), 1),
            "max_ms": round(max(times), 1),
        }
    reads = [r[1] for r in records if r[0] != "write"]
    if reads:
        out["reads_p95_ms"] = round(percentile(reads, 95), 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", default="1,10,50", help="concurrent users of each phase, comma-separated")
    parser.add_argument("--think", default="5,0", help="seconds between a user's clicks (mean), comma-separated")
    parser.add_argument("--duration", type=float, default=45.0, help="measured seconds per phase (at most 60)")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured seconds at the start of each phase")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (2 x cores)")
    parser.add_argument(
        "--server-warmup", type=float, default=15.0, help="unmeasured seconds of 10 users without pause first"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", default="http_load.json", help="file name in bench/results/")
    add_result_args(parser)
    args = parser.parse_args()
    args.duration = min(args.duration, 60.0)
    user_counts = [int(x) for x in args.users.split(",")]
    thinks = [float(x) for x in args.think.split(",")]

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from tukipolku.clients.models import Client

    call_command("collectstatic", interactive=False, verbosity=0)  # production static storage needs its manifest
    if Client.objects.count() < 1000:
        sys.exit(f"{common.DB_NAME} is not filled: run bench/run.py first (docs/performance.md).")
    users = prepare_users(max(user_counts), args.seed)
    info = machine(connection)
    settings_db = connection.settings_dict
    info["conn_max_age"] = settings_db.get("CONN_MAX_AGE")
    info["db_options"] = {k: str(v) for k, v in (settings_db.get("OPTIONS") or {}).items()}
    connections.close_all()
    dsn = f"postgres://postgres@127.0.0.1:5432/{common.DB_NAME}"
    sampler = ActivitySampler(dsn, common.DB_NAME)
    sampler.start()
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"tukipolku-http-load-{port}.log"
    server = start_server(port, args.workers, log)
    context = run_context()
    phases: list[dict[str, Any]] = []
    try:
        workers = worker_pids(server.pid)
        if args.server_warmup:  # every worker compiles its templates and fills its caches first
            asyncio.run(phase(f"http://{HOST}:{port}", users[:10], 0, args.server_warmup, 0, args.seed))
        for think in thinks:
            for n in user_counts:
                sampler.running.clear()
                sampler.take()

                async def measured(n: int = n, think: float = think) -> Any:
                    # Sampling and the CPU reading start with the measured window, after the warm-up.
                    task = asyncio.create_task(
                        phase(f"http://{HOST}:{port}", users[:n], think, args.warmup, args.duration, args.seed)
                    )
                    await asyncio.sleep(args.warmup)
                    sampler.running.set()
                    before = (cpu_seconds(workers), time.process_time())
                    result = await task
                    sampler.running.clear()
                    return result, before, (cpu_seconds(workers), time.process_time())

                (records, t0, t1), before, after = asyncio.run(measured())
                if len(worker_pids(server.pid)) != len(workers) or server.poll() is not None:
                    print("a gunicorn worker was restarted during the phase: its CPU time is missing", flush=True)
                seconds = t1 - t0
                row = {"users": n, "think_s": think, "seconds": round(seconds, 1), **summarise(records, seconds)}
                server_cpu = after[0] - before[0]
                row["server_cpu_s"] = round(server_cpu, 2)
                row["server_cpu_ms_per_request"] = round(1000 * server_cpu / max(len(records), 1), 1)
                row["server_cpu_cores_used"] = round(server_cpu / seconds, 2)
                row["driver_cpu_ms_per_request"] = round(1000 * (after[1] - before[1]) / max(len(records), 1), 1)
                row["database"] = sampler.take()
                row["load_average_after"] = common.load_average()
                phases.append(row)
                print(json.dumps(row), flush=True)
    finally:
        sampler.stop.set()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    target = next((p for p in phases if p["users"] == 50 and p["think_s"] == 5), None)
    saturation = next((p for p in phases if p["users"] == 50 and p["think_s"] == 0), None)
    verdict = {}
    if target:
        verdict["50_users_5s_reads_p95_ms"] = target.get("reads_p95_ms")
        verdict["50_users_5s_writes_p95_ms"] = (target.get("write") or {}).get("p95_ms")
        verdict["50_users_5s_errors"] = target["errors"]
        verdict["target_met"] = bool(
            target.get("reads_p95_ms", 1e9) <= 250
            and (target.get("write") or {}).get("p95_ms", 1e9) <= 500
            and target["errors"] == 0
        )
    if saturation:
        verdict["saturation_requests_per_s"] = saturation["requests_per_s"]
        verdict["throughput_target_met"] = saturation["requests_per_s"] >= 80
    print(json.dumps(verdict), flush=True)
    write_results(
        args.output,
        {
            "command": ".venv/bin/python bench/http_load.py " + " ".join(sys.argv[1:]),
            "machine": info,
            "workers": args.workers,
            "mix": dict(KINDS),
            "phases": phases,
            "targets": verdict,
            "server_log": str(log),
        },
        context,
        args,
    )


if __name__ == "__main__":
    main()
