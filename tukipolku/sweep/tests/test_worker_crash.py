"""A worker killed in the middle of the sweep, then run again: every notification and every e-mail
exactly once (issue 4). A real `manage.py sweep` process against the test database, slowed down by
TUKIPOLKU_SWEEP_BATCH_PAUSE so that SIGKILL lands between committed batches; e-mails go to files."""

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from conftest import open_episode
from tukipolku.core.choices import Profession
from tukipolku.core.tests.factories import member
from tukipolku.notifications.choices import EmailStatus
from tukipolku.notifications.models import Notification
from tukipolku.notifications.services import message_id
from tukipolku.sweep.models import SweepRun
from tukipolku.sweep.tests.conftest import add_action, days, name_contact, today, with_email

OWNERS = 10


def _env(mail_dir: Path, *, pause: float) -> dict[str, str]:
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY="crash-test-only-secret-key-0123456789-abcdefgh",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        TASKS_BACKEND="database",  # the e-mail task is only queued; the sweep itself delivers
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        TUKIPOLKU_SWEEP_BATCH_SIZE="2",
        TUKIPOLKU_SWEEP_BATCH_PAUSE=str(pause),
        LOG_LEVEL="WARNING",
    )
    return env


def _start(mail_dir: Path, *, pause: float) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "sweep"],
        env=_env(mail_dir, pause=pause),
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _kill_when(proc: subprocess.Popen, condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the sweep finished before it could be killed: {out!r} {err!r}")
        if condition():
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            return
        time.sleep(0.02)
    proc.kill()
    pytest.fail("the sweep did not get far enough to be killed")


def _message_ids(mail_dir: Path) -> Counter:
    ids: Counter = Counter()
    for f in mail_dir.iterdir():
        ids.update(re.findall(r"^Message-ID: (\S+)$", f.read_text(), flags=re.M))
    return ids


@pytest.mark.django_db(transaction=True)
def test_sweep__killed_mid_run_and_rerun_delivers_each_notification_once(team, nurse, satakunta, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs a second process on the same database: PostgreSQL only (SQLite test DB is in memory)")
    episode = open_episode(nurse, team, satakunta)
    name_contact(episode, nurse)
    owners = with_email(*(member(team, profession=Profession.NURSE) for _ in range(OWNERS)))
    actions = [add_action(episode, u, today() - days(1 + i)) for i, u in enumerate(owners)]
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()

    # 1. Killed while storing the findings (two per batch): some committed, none e-mailed yet.
    proc = _start(mail_dir, pause=0.5)
    _kill_when(proc, lambda: Notification.objects.count() >= 4)
    stored = Notification.objects.count()
    assert 4 <= stored < OWNERS
    assert _message_ids(mail_dir) == Counter()

    # 2. Rerun, killed while sending the e-mails (after the third e-mail's commit).
    proc = _start(mail_dir, pause=0.5)
    _kill_when(proc, lambda: Notification.objects.filter(email_status=EmailStatus.SENT).count() >= 3)
    assert Notification.objects.count() == OWNERS
    sent = Notification.objects.filter(email_status=EmailStatus.SENT).count()
    assert 3 <= sent < OWNERS

    # 3. Rerun to the end.
    proc = _start(mail_dir, pause=0)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()

    notifications = list(Notification.objects.all())
    assert sorted(n.object_id for n in notifications) == sorted(a.pk for a in actions)
    assert Counter((n.key, n.recipient_id) for n in notifications).most_common(1)[0][1] == 1
    assert {n.email_status for n in notifications} == {EmailStatus.SENT}
    assert _message_ids(mail_dir) == Counter({message_id(notification_id=n.pk): 1 for n in notifications})
    runs = list(SweepRun.objects.order_by("started_at"))
    assert [r.finished_at is not None for r in runs] == [False, False, True]
