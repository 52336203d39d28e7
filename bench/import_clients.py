"""Benchmark: importing clients and their relationships from a spreadsheet on PostgreSQL (issue 13,
part 5): ≥ 5,000 clients/s for a 200,000-row file, memory flat in the number of rows.

    .venv/bin/python bench/import_clients.py [--sizes 20000,200000] [--kind csv]

For each size a fresh process recreates its own database (`tukipolku_bench_import`, never the shared
`tukipolku_bench`), migrates it, adds a team with a nurse, and writes a synthetic CSV (identity codes
in the test range 900–999, a contact person on every row). It then times the three things a user
waits for, calling the same services the task worker's jobs call:

* the dry run (`import_check`: every row read, checked and matched against the client register by
  identity code, its outcome stored),
* the commit (`import_write`: every row checked again and written in one transaction: client,
  relationship, first step record, case team member, contact person and 4 domain events a row),
* the dry run of the same file again (every row *already imported*: the idempotency check).

Memory: the process's peak resident set (ru_maxrss) after each phase; each size runs in its own
process, so the peaks compare. Results: bench/results/import_clients.json; figures in
docs/performance.md ("Spreadsheet import").
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import subprocess  # nosec B404 - runs this script itself with fixed arguments
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DB", "tukipolku_bench_import")
from bench.common import add_result_args, machine, run_context, write_results  # noqa: E402 - sets the environment

os.environ.setdefault("LOG_LEVEL", "WARNING")
_DIR = tempfile.mkdtemp(prefix="tukipolku-import-bench-")
os.environ["TUKIPOLKU_IMPORT_DIR"] = _DIR

_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def _code(n: int) -> str:
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=n // 100)
    digits = f"{birth:%d%m%y}{900 + n % 100:03d}"
    return f"{birth:%d%m%y}{'-' if birth.year < 2000 else 'A'}{900 + n % 100:03d}{_CHECK[int(digits) % 31]}"


def _write_csv(path: Path, rows: int, contact: str) -> None:
    start = "1.1.2026"  # in the past: a start date may not be in the future
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Henkilötunnus;Sukunimi;Etunimet;Alkupäivä;Kunta;Vastuutyöntekijä;Erityistilanne\r\n")
        for n in range(rows):
            out.write(f"{_code(n)};Testinen{n};Aino Maria;{start};Pori;{contact};long_unemployment\r\n")


def _recreate_database() -> None:
    import psycopg

    name = os.environ["BENCH_DB"]
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def measure(rows: int) -> dict[str, Any]:
    """One size in this process: a fresh database, the three timed phases, counts and memory."""
    _recreate_database()
    import django

    django.setup()
    from django.core.files.uploadedfile import UploadedFile
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from tukipolku.audit.models import AuditEvent
    from tukipolku.cases.models import Assignment, Episode
    from tukipolku.clients.models import Client
    from tukipolku.core.choices import Profession
    from tukipolku.core.models import Organisation, Team, TeamMembership, User
    from tukipolku.imports import services
    from tukipolku.imports.choices import RowOutcome
    from tukipolku.imports.models import ImportBatch

    org = Organisation.objects.create(name="Penkkikeskus")
    team = Team.objects.create(name="Penkkitiimi", organisation=org)
    nurse = User.objects.create(username="bench-nurse", profession=Profession.PUBLIC_HEALTH_NURSE, organisation=org)
    TeamMembership.objects.create(team=team, user=nurse)
    path = Path(_DIR) / f"clients-{rows}.csv"
    _write_csv(path, rows, nurse.username)
    size = path.stat().st_size
    result: dict[str, Any] = {"rows": rows, "file_mib": round(size / 2**20, 1), "peak_mib_at_start": _peak_mib()}

    def upload() -> ImportBatch:
        with path.open("rb") as handle:
            batch = services.import_upload(
                actor=nurse, team=team, upload=UploadedFile(handle, name=path.name, size=size)
            )
        services.import_map(actor=nurse, batch=batch, mapping=batch.mapping, expected_revision=batch.revision)
        return batch

    batch = upload()
    started, cpu = time.perf_counter(), _cpu_s()
    counts = services.import_check(batch_id=batch.pk)
    result["dry_run_s"] = round(time.perf_counter() - started, 2)
    result["dry_run_python_cpu_s"] = round(_cpu_s() - cpu, 2)
    result["peak_mib_after_dry_run"] = _peak_mib()
    assert counts[RowOutcome.NEW_CLIENT] == rows, counts
    batch.refresh_from_db()

    services.import_commit(actor=nurse, batch=batch, only_valid=False, expected_revision=batch.revision)
    started, cpu = time.perf_counter(), _cpu_s()
    created = services.import_write(batch_id=batch.pk)
    result["commit_s"] = round(time.perf_counter() - started, 2)
    result["commit_python_cpu_s"] = round(_cpu_s() - cpu, 2)
    result["peak_mib_after_commit"] = _peak_mib()
    result["created"] = created
    result["clients_per_s_commit"] = round(rows / result["commit_s"])
    result["load_average_after_commit"] = [round(x, 2) for x in os.getloadavg()]
    result["clients_per_s_dry_run_and_commit"] = round(rows / (result["commit_s"] + result["dry_run_s"]))
    result["in_database"] = {
        "clients": Client.objects.count(),
        "relationships": Episode.objects.count(),
        "contact_persons": Assignment.objects.count(),
        "events": AuditEvent.objects.count(),
    }
    assert result["in_database"]["clients"] == rows and result["in_database"]["events"] == 4 * rows

    again = upload()
    started = time.perf_counter()
    counts = services.import_check(batch_id=again.pk)
    result["dry_run_again_s"] = round(time.perf_counter() - started, 2)
    assert counts[RowOutcome.ALREADY_IMPORTED] == rows, counts
    result["peak_mib_at_end"] = _peak_mib()
    result["machine"] = machine(connection)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="20000,200000", help="rows per run, comma-separated")
    parser.add_argument("--results", default="import_clients.json", help="file name under bench/results")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process: measure one size
    add_result_args(parser)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)), flush=True)
        return
    context = run_context()
    runs = []
    for rows in (int(s) for s in args.sizes.split(",")):
        print(f"importing {rows:,} rows ...", flush=True)
        out = subprocess.run(  # noqa: S603  # nosec B603 - this script with fixed arguments
            [sys.executable, __file__, "--one", str(rows)], capture_output=True, text=True, check=True
        )
        run = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"  dry run {run['dry_run_s']} s, commit {run['commit_s']} s ({run['clients_per_s_commit']:,} clients/s), "
            f"again {run['dry_run_again_s']} s; peak {run['peak_mib_at_end']} MiB",
            flush=True,
        )
        runs.append(run)
    write_results(args.results, {"runs": runs}, context, args)


if __name__ == "__main__":
    main()
