"""run_sweep: idempotent, one e-mail per notification, a record of each run, the scheduler's slots."""

import datetime

import pytest
from django.core import mail
from django.test import override_settings

from tukipolku.notifications.choices import EmailStatus, NotificationKind
from tukipolku.notifications.models import Notification
from tukipolku.sweep import registry
from tukipolku.sweep.models import SweepRun, SweepSlot
from tukipolku.sweep.services import run_sweep, schedule_slot, slot_start
from tukipolku.sweep.tests.conftest import add_action, days, today, with_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(episode, nurse, physician, manager):
    with_email(nurse, physician, manager)
    return [add_action(episode, nurse, today() - days(1)), add_action(episode, physician, today() - days(2))]


def test_run_sweep__twice_gives_one_notification_and_one_email_each(overdue, nurse, physician, manager):
    first = run_sweep(today=today() + days(1))
    second = run_sweep(today=today() + days(1))
    rows = Notification.objects.order_by("key")
    # two overdue actions, and the managers' note that nobody is the contact person
    assert sorted((n.kind, n.recipient_id) for n in rows) == sorted(
        [
            (NotificationKind.ACTION_OVERDUE, nurse.pk),
            (NotificationKind.ACTION_OVERDUE, physician.pk),
            (NotificationKind.NO_CONTACT_PERSON, manager.pk),
        ]
    )
    assert all(n.email_status == EmailStatus.SENT for n in rows)
    assert len(mail.outbox) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted([nurse.email, physician.email, manager.email])
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 3
    assert first.counts["overdue_actions"] == 2 and second.counts["overdue_actions"] == 2
    assert second.emails_sent == 0 and first.ok and second.ok


def test_run_sweep__email_names_no_client(overdue, episode):
    run_sweep()
    body = mail.outbox[0].body
    assert episode.client.last_name not in body and episode.client.identity_code not in body
    assert f"/episodes/{episode.pk}/" in body


def test_run_sweep__records_the_run(overdue):
    result = run_sweep(today=today())
    run = SweepRun.objects.get(pk=result.run_id)
    assert run.finished_at is not None and run.error == "" and run.ok
    assert run.counts["overdue_actions"] == 2
    assert run.emails_sent == result.emails_sent == 2
    assert run.today == today()


def test_run_sweep__a_failing_step_does_not_stop_the_others(overdue, monkeypatch):
    def broken(today):
        raise RuntimeError("Meikäläinen 010190-900P")  # a message that must not be stored

    monkeypatch.setitem(registry.sweep_steps, "broken", broken)
    result = run_sweep()
    assert result.errors == {"broken": "RuntimeError"}
    assert result.counts["overdue_actions"] == 2
    run = SweepRun.objects.get(pk=result.run_id)
    assert run.error == "broken: RuntimeError" and not run.ok
    assert len(mail.outbox) == 2


def test_run_sweep__user_without_email_is_skipped(episode, nurse):
    nurse.email = ""
    nurse.save()
    add_action(episode, nurse, today() - days(1))
    run_sweep()
    assert Notification.objects.get().email_status == EmailStatus.SKIPPED
    assert mail.outbox == []


@override_settings(TUKIPOLKU_SWEEP_INTERVAL_MINUTES=15)
def test_slot_start__rounds_down_to_the_interval():
    now = datetime.datetime(2026, 3, 2, 10, 44, 59, tzinfo=datetime.UTC)
    assert slot_start(now=now) == datetime.datetime(2026, 3, 2, 10, 30, tzinfo=datetime.UTC)


def test_schedule_slot__two_schedulers_enqueue_one_sweep(overdue):
    now = datetime.datetime(2026, 3, 2, 10, 31, tzinfo=datetime.UTC)
    first = schedule_slot(now=now)
    second = schedule_slot(now=now + datetime.timedelta(minutes=1))
    assert first is not None and first.task_id
    assert second is None
    assert SweepSlot.objects.count() == 1
    # the test settings run tasks at once: the enqueued sweep ran one time
    assert SweepRun.objects.filter(trigger="task").count() == 1
    assert len(mail.outbox) == 2
