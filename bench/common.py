"""Shared set-up of the benchmarks in bench/: production settings against `tukipolku_bench`, and
the summary statistics. Import this module before Django is set up."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))
DB_NAME = os.environ.get("BENCH_DB", "tukipolku_bench")
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
os.environ.update(
    DEBUG="false",
    SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnop",
    ALLOWED_HOSTS="testserver",
    SECURE_SSL_REDIRECT="false",
    DJANGO_SETTINGS_MODULE="config.settings.base",
)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile, as in bench/run.py."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(values: list[float], digits: int = 2) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(values), digits),
        "p95_ms": round(percentile(values, 95), digits),
        "max_ms": round(max(values), digits),
        "n": len(values),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def wait_for_quiet(max_load: float, max_wait: float) -> dict[str, Any]:
    """Wait (at most `max_wait` s) until the 1-minute load average is below `max_load`: other jobs on
    the shared machine inflate the tail latencies. Returns what was waited and seen."""
    import time

    started = time.monotonic()
    while os.getloadavg()[0] >= max_load and time.monotonic() - started < max_wait:
        print(f"waiting for a quieter machine: load {os.getloadavg()[0]:.2f} >= {max_load}", flush=True)
        time.sleep(15)
    load = os.getloadavg()[0]
    return {"max_load": max_load, "waited_s": round(time.monotonic() - started), "load_1min": round(load, 2)}


def machine(connection: Any) -> dict[str, Any]:
    """What the figures were measured on: CPU, memory, PostgreSQL and its relevant settings."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
        settings = {}
        for name in (
            "shared_buffers",
            "work_mem",
            "effective_cache_size",
            "synchronous_commit",
            "fsync",
            "random_page_cost",
            "jit",
            "max_parallel_workers_per_gather",
        ):
            cur.execute(f"SHOW {name}")
            settings[name] = cur.fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "python": platform.python_version(),
        "postgresql": version,
        "postgresql_settings": settings,
    }


def give_mfa(users: list[Any]) -> None:
    """Production settings require an authenticator app (`RequireMFAMiddleware`): give the bench
    users a TOTP authenticator row, so that their requests pass the check as a real user's would."""
    from allauth.mfa.models import Authenticator

    for user in users:
        Authenticator.objects.get_or_create(
            user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "bench-not-a-secret"}}
        )


# ---------------------------------------------------------------- honest results: commit, load, refusal

DEFAULT_MAX_LOAD = 1.5  # 1-minute load average on this 2-core machine above which figures are not kept


def git_commit() -> dict[str, Any]:
    """The commit the figures were measured at, and whether the work tree had uncommitted changes."""
    import subprocess  # nosec B404 - fixed git commands, no user input

    def git(*args: str) -> str:
        try:
            out = subprocess.run(  # noqa: S603  # nosec B603 B607 - git with fixed arguments
                ["git", *args],  # noqa: S607
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return ""
        return out.stdout.strip()

    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    return {"commit": git("rev-parse", "HEAD") or None, "dirty": dirty}


def add_result_args(parser: Any) -> None:
    """--force and --max-load, shared by every bench: a run on a loaded machine does not overwrite the
    kept results unless asked."""
    parser.add_argument(
        "--max-load",
        type=float,
        default=DEFAULT_MAX_LOAD,
        help="keep the results only when the 1-min load average before and after the run was at most this",
    )
    parser.add_argument("--force", action="store_true", help="write the results even if the machine was too loaded")


def run_context() -> dict[str, Any]:
    """Call when the measuring starts: the commit and the load before, for `write_results`."""
    import datetime

    return {
        **git_commit(),
        "started_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "load_average_before": load_average(),
        "cores": os.cpu_count(),
    }


def write_results(name: str, payload: dict[str, Any], context: dict[str, Any], args: Any) -> Path:
    """Write `payload` to bench/results/`name` with the run's commit and the load before and after.

    A run whose 1-minute load average (before or after) was above `args.max_load` does not overwrite
    the kept file unless `args.force`: its figures go to `name` + `.tmp` (ignored by git) and the
    command exits with status 3, so that a loaded machine never silently replaces quieter figures.
    """
    import datetime

    context = {
        **context,
        "finished_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "load_average_after": load_average(),
        "max_load": args.max_load,
        "forced": bool(args.force),
    }
    worst = max(context["load_average_before"][0], context["load_average_after"][0])
    context["too_loaded"] = worst > args.max_load
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / name
    body = json.dumps({"run": context, **payload}, indent=2, default=str) + "\n"
    if context["too_loaded"] and not args.force:
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(body)
        print(
            f"1-min load average reached {worst:.2f} > {args.max_load}: {out.relative_to(ROOT)} kept as it was; "
            f"this run's figures are in {tmp.relative_to(ROOT)} (rerun on a quieter machine, or pass --force)",
            flush=True,
        )
        sys.exit(3)
    out.write_text(body)
    before, after = context["load_average_before"], context["load_average_after"]
    print(f"written to {out.relative_to(ROOT)} (load average {before} -> {after})")
    return out
