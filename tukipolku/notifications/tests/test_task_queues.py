"""The background jobs through both real queues (ADR 0009): the database queue with `manage.py db_worker`
and Redis with `manage.py rqworker --job-class django_tasks_rq.Job` (without that job class RQ fails every
task: it was missing until this test ran the queue). One process records a notification and, when its
transaction commits, enqueues the e-mail job on the configured backend, as a page would; a separate worker process
takes the job and sends the e-mail to files. Nothing is run in the test process: the job must cross the
queue. PostgreSQL only (the worker processes connect to the test database); the Redis case needs Redis
on 127.0.0.1:6379."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tukipolku.core.choices import Profession
from tukipolku.core.tests.factories import TeamFactory, member
from tukipolku.notifications.choices import EmailStatus
from tukipolku.notifications.models import Notification
from tukipolku.notifications.services import message_id

# What the "page" process runs: a notification recorded in a transaction whose commit enqueues the job.
RECORD = """
from django.db import transaction
from tukipolku.notifications.services import notify
with transaction.atomic():
    notify(recipients=[{user_id}], kind="action_overdue", key="{key}")
"""


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), 2).close()
    except OSError:
        return False
    return True


def _env(mail_dir: Path, backend: str, redis_db: int) -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=(
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            f"/{db['NAME']}"
        ),
        DEBUG="false",
        SECRET_KEY="queue-test-only-secret-key-0123456789-abcdefgh",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        TASKS_BACKEND=backend,
        REDIS_URL=f"redis://127.0.0.1:6379/{redis_db}",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        LOG_LEVEL="WARNING",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("backend", "worker"),
    [
        ("database", ("db_worker", "--batch", "--no-reload")),
        ("rq", ("rqworker", "--burst", "--job-class", "django_tasks_rq.Job", "default")),
    ],
)
def test_a_job_enqueued_by_one_process_is_run_by_the_worker(tmp_path, backend, worker):
    if connection.vendor != "postgresql":
        pytest.skip("the worker processes connect to the PostgreSQL test database")
    if backend == "rq" and not _redis_reachable():
        pytest.skip("no Redis on 127.0.0.1:6379")
    recipient = member(TeamFactory(), profession=Profession.PUBLIC_HEALTH_NURSE, email="hoitaja@example.test")
    # A Redis database of its own per run (8–15), so a parallel test run's worker never takes this job.
    redis_db = 8 + uuid.uuid4().int % 8
    env = _env(tmp_path, backend, redis_db)
    key = f"queue-test-{uuid.uuid4().hex}"

    recorded = _manage(env, "shell", "-c", RECORD.format(user_id=recipient.pk, key=key))
    assert recorded.returncode == 0, recorded.stderr

    notification = Notification.objects.get(key=key)
    assert notification.email_status == EmailStatus.PENDING  # enqueued, not run by the recording process
    assert list(tmp_path.iterdir()) == []

    ran = _manage(env, *worker)
    assert ran.returncode == 0, ran.stderr

    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT, (recorded.stderr, ran.stdout, ran.stderr)
    mails = [f.read_text() for f in tmp_path.iterdir()]
    assert len(mails) == 1
    assert message_id(notification_id=notification.pk) in mails[0]
    assert "To: hoitaja@example.test" in mails[0]
