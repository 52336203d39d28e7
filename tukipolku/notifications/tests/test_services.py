"""notify, mark_read, unread_count, notify_findings and the e-mail delivery (at most once per row)."""

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tukipolku.notifications.choices import EmailStatus, NotificationKind
from tukipolku.notifications.findings import Finding
from tukipolku.notifications.models import Notification
from tukipolku.notifications.services import (
    deliver_pending_emails,
    mark_read,
    message_id,
    notify,
    notify_findings,
    unread_count,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _emails(nurse, physician):
    for u in (nurse, physician):
        u.email = f"{u.username}@example.test"
        u.save(update_fields=["email"])


def test_notify__once_per_key_and_recipient(nurse, physician, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[nurse, physician.pk, None], kind=NotificationKind.MEETING_INVITED, key="meeting:1")
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[nurse], kind=NotificationKind.MEETING_INVITED, key="meeting:1")
    assert Notification.objects.count() == 2
    assert unread_count(user=nurse) == 1
    # the test settings deliver on commit at once: one e-mail each
    assert sorted(m.to[0] for m in mail.outbox) == sorted([nurse.email, physician.email])


def test_mark_read__own_rows_only(nurse, physician):
    notify(recipients=[nurse, physician], kind=NotificationKind.MEETING_INVITED, key="meeting:2")
    notify(recipients=[nurse], kind=NotificationKind.MEETING_CHANGED, key="meeting:2:changed")
    theirs = Notification.objects.get(recipient=physician)
    assert mark_read(user=nurse, ids=[theirs.pk]) == 0
    assert unread_count(user=physician) == 1
    assert mark_read(user=nurse) == 2
    assert unread_count(user=nurse) == 0


def test_notify_findings__batches_commit_and_rerun_adds_nothing(nurse, physician, django_capture_on_commit_callbacks):
    found = [
        Finding(kind=NotificationKind.ACTION_OVERDUE, key=f"action_overdue:{i}:2026-01-01", recipient_id=u.pk)
        for i in range(5)
        for u in (nurse, physician)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_findings(findings=found, batch_size=3) == 10
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_findings(findings=found, batch_size=3) == 10
    assert Notification.objects.count() == 10
    assert len(mail.outbox) == 10


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
def test_deliver_pending_emails__each_once_with_a_stable_message_id(nurse, physician):
    notify(recipients=[nurse, physician], kind=NotificationKind.REFERRAL_RECEIVED, key="referral:9")
    assert mail.outbox == []  # nothing runs the queued task here
    assert deliver_pending_emails() == 2
    assert deliver_pending_emails() == 0
    ids = {m.extra_headers["Message-ID"] for m in mail.outbox}
    assert ids == {message_id(notification_id=n.pk) for n in Notification.objects.all()}
    assert set(Notification.objects.values_list("email_status", flat=True)) == {EmailStatus.SENT}


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
def test_deliver_pending_emails__limit_and_inactive_user(nurse, physician):
    physician.is_active = False
    physician.save()
    notify(recipients=[nurse], kind=NotificationKind.REFERRAL_RECEIVED, key="referral:1")
    notify(recipients=[physician], kind=NotificationKind.REFERRAL_RECEIVED, key="referral:2")
    notify(recipients=[nurse], kind=NotificationKind.REFERRAL_RECEIVED, key="referral:3")
    assert deliver_pending_emails(limit=1) == 1
    assert deliver_pending_emails() == 1
    assert Notification.objects.get(recipient=physician).email_status == EmailStatus.SKIPPED
    assert len(mail.outbox) == 2


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
def test_deliver_pending_emails__queries_per_mail_do_not_grow(nurse):
    for i in range(3):
        notify(recipients=[nurse], kind=NotificationKind.REFERRAL_RECEIVED, key=f"a:{i}")
    with CaptureQueriesContext(connection) as three:
        deliver_pending_emails()
    for i in range(6):
        notify(recipients=[nurse], kind=NotificationKind.REFERRAL_RECEIVED, key=f"b:{i}")
    with CaptureQueriesContext(connection) as six:
        deliver_pending_emails()
    per_mail = (len(six) - len(three)) / 3
    assert len(six) == len(three) + 3 * per_mail
    assert per_mail <= 4
