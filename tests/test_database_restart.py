"""PostgreSQL restarts during a burst of writes: only 2xx/3xx/503 answers and nothing half-written (issue 9).

The test starts a PostgreSQL cluster of its own (initdb into a temporary directory, its own port),
migrates it, and points the application's connection at it. A team member then writes diary entries
through the whole middleware stack (the test client, exceptions turned into answers as a server
would) while a thread restarts the cluster (`pg_ctl restart -m fast`: open connections are terminated,
new ones refused until it is up). Every answer is a success, a redirect or a 503 with `Retry-After`;
every entry written has its audit event and every audit event its entry.

Runs wherever the PostgreSQL 15 server binaries are installed (`make test` on the development
machine); skipped only when they are absent.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test import Client, override_settings
from django.urls import reverse

PG_BIN = Path("/usr/lib/postgresql/15/bin")

pytestmark = pytest.mark.skipif(
    not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists(),
    reason=f"PostgreSQL server binaries absent ({PG_BIN})",
)

WRITES_BEFORE_RESTART = 5
WRITES_AFTER_RESTART = 5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """A throw-away PostgreSQL cluster. As root (initdb refuses root) it runs as the `postgres` user."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="tukipolku-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, user="postgres")

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(  # noqa: S603 - the PostgreSQL tools with fixed arguments
            [*self.as_user, str(PG_BIN / tool), *args], check=True, capture_output=True, timeout=60
        )

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "-N")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-o", options, "-w", "start")

    def restart(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-m", "fast", "-w", "restart")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # never started, or already stopped
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def own_database(django_db_blocker):
    """The application's default connection, in this thread, on a migrated database of its own cluster."""
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: cannot start PostgreSQL as another user")
    cluster = Cluster()
    previous = connections["default"]
    try:
        cluster.start()
        settings_dict = {
            **connections.settings["default"],
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "postgres",
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": str(cluster.port),
            "OPTIONS": {},
            "CONN_MAX_AGE": 0,
        }
        connections["default"] = DatabaseWrapper(settings_dict, alias="default")
        # The tables straight from the models (as pytest-django's --nomigrations): seconds instead of the
        # minute that replaying every migration takes on a busy machine. The migrations are tested elsewhere.
        no_migrations = {app.label: None for app in apps.get_app_configs()}
        with django_db_blocker.unblock():
            with override_settings(MIGRATION_MODULES=no_migrations):
                call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
            yield cluster
    finally:
        connections["default"].close()
        connections["default"] = previous
        cluster.remove()


def test_restart_during_a_burst_of_writes__only_success_or_503_and_nothing_half_written(own_database):
    from conftest import open_episode
    from tukipolku.audit.choices import EventType
    from tukipolku.audit.models import AuditEvent
    from tukipolku.core.choices import Profession
    from tukipolku.core.tests.factories import TeamFactory, member
    from tukipolku.entries.choices import Register
    from tukipolku.entries.models import Entry
    from tukipolku.pathways.loader import load_pathways
    from tukipolku.pathways.models import Pathway, PathwayStep, PathwayVersion

    load_pathways(Pathway, PathwayVersion, PathwayStep)
    team = TeamFactory()
    nurse = member(team, profession=Profession.PUBLIC_HEALTH_NURSE, username="burst-nurse")
    episode = open_episode(nurse, team, Pathway.objects.get(code="satakunta"))
    browser = Client(raise_request_exception=False)  # exceptions answered as the server would
    browser.force_login(nurse)
    url = reverse("entries:create", args=[episode.pk])
    statuses: list[int] = []
    answers_503 = []

    def write(n: int) -> None:
        response = browser.post(url, {"register": Register.SHARED, "text": f"Kirjaus {n}", "ehr_reference": ""})
        statuses.append(response.status_code)
        if response.status_code == 503:
            answers_503.append(response)

    for n in range(WRITES_BEFORE_RESTART):
        write(n)
    restart = threading.Thread(target=own_database.restart)
    restart.start()
    n = WRITES_BEFORE_RESTART
    deadline = time.monotonic() + 30
    while restart.is_alive() and time.monotonic() < deadline:  # the burst goes on while it restarts
        write(n)
        n += 1
    restart.join()
    for _ in range(WRITES_AFTER_RESTART):
        write(n)
        n += 1

    assert all(200 <= s < 400 or s == 503 for s in statuses), statuses
    assert answers_503, "no request met the restart; the test proved nothing"
    assert all(200 <= s < 400 for s in statuses[-WRITES_AFTER_RESTART:]), statuses  # back by itself
    for response in answers_503:
        assert response["Retry-After"] == "10"
        assert "<h1>" in response.content.decode()  # the page, not a traceback
    # Nothing half-written: each entry has its audit event, each event its entry.
    entries = set(Entry.objects.filter(episode=episode).values_list("pk", flat=True))
    written = sum(1 for s in statuses if 300 <= s < 400 or s == 204)
    assert written <= len(entries) <= written + len(answers_503)
    events = AuditEvent.objects.filter(verb=EventType.ENTRY_WRITTEN, episode_id=episode.pk)
    assert set(events.values_list("target_id", flat=True)) == entries
    assert events.count() == len(entries)
