"""Creating notifications (once per key and recipient) and sending their e-mails (at most once)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tukipolku.notifications.choices import EmailStatus
from tukipolku.notifications.findings import Finding
from tukipolku.notifications.models import Notification

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000  # the default of TUKIPOLKU_SWEEP_BATCH_SIZE


def _pause() -> None:
    """Test-only slow motion (TUKIPOLKU_SWEEP_BATCH_PAUSE seconds after each commit, default 0): lets the
    crash test kill a worker between two committed batches."""
    pause = getattr(settings, "TUKIPOLKU_SWEEP_BATCH_PAUSE", 0)
    if pause:
        time.sleep(pause)


def _rows(findings: Iterable[Finding]) -> Iterable[Notification]:
    for f in findings:
        yield Notification(
            recipient_id=f.recipient_id,
            kind=f.kind,
            key=f.key[:200],
            episode_id=f.episode_id,
            object_id=f.object_id,
            due_on=f.due_on,
            url=f.url,
        )


def notify_findings(*, findings: Iterable[Finding], batch_size: int | None = None) -> int:
    """Store the findings as notifications, each batch in its own transaction; existing keys are kept.

    Returns how many findings were handed in (not how many were new). A crash between batches leaves
    the committed batches in place; the rerun adds the rest and skips what exists (the unique
    (key, recipient) constraint with `ON CONFLICT DO NOTHING`, so two sweeps at once are safe too).
    """
    size = batch_size or getattr(settings, "TUKIPOLKU_SWEEP_BATCH_SIZE", BATCH_SIZE)
    total = 0
    it = iter(_rows(findings))
    while batch := list(islice(it, size)):
        with transaction.atomic():
            Notification.objects.bulk_create(batch, ignore_conflicts=True)
        total += len(batch)
        _pause()
    if total:
        transaction.on_commit(emails_enqueue)
    return total


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    key: str,
    episode_id: int | None = None,
    object_id: int | None = None,
    due_on: Any = None,
    url: str = "",
    email: bool = True,
) -> int:
    """Tell each recipient (users or user ids) about one thing, once. Call inside the service's transaction.

    `email=False`: in the app only, for things that send their own e-mail (meeting invitations).
    """
    ids = sorted({r if isinstance(r, int) else r.pk for r in recipients if r is not None})
    rows = [
        Notification(
            recipient_id=uid,
            kind=kind,
            key=key[:200],
            episode_id=episode_id,
            object_id=object_id,
            due_on=due_on,
            url=url,
            email_status=EmailStatus.PENDING if email else EmailStatus.IN_APP,
        )
        for uid in ids
    ]
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        if email:
            transaction.on_commit(emails_enqueue)
    return len(rows)


def mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when `ids` is None)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def unread_count(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def emails_enqueue() -> None:
    """Hand the e-mail sending to the background worker (immediately in tests and the demo's default)."""
    from tukipolku.notifications.jobs import deliver_emails_task

    try:
        deliver_emails_task.enqueue()
    except Exception:  # the sweep picks pending e-mails up on its next run
        logger.exception("could not enqueue notification e-mails")


def _message(n: Notification, connection: Any = None) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "notification": n,
            "link": settings.TUKIPOLKU_SITE_URL.rstrip("/") + (n.url or "/notifications/"),
        }
        subject = render_to_string("notifications/email/subject.txt", context).strip()
        body = render_to_string("notifications/email/body.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[n.recipient.email],
        # Stable per notification: a mail system that sees it twice can tell it is the same message.
        headers={"Message-ID": message_id(notification_id=n.pk)},
        connection=connection,
    )


def message_id(*, notification_id: int) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return f"<notification-{notification_id}@{domain}>"


def deliver_pending_emails(*, limit: int | None = None) -> int:
    """Send the e-mail of every pending notification once; returns how many were sent.

    Each notification is locked (`SKIP LOCKED`: two workers never take the same row), sent and marked
    sent in one transaction, one notification per transaction. A crash before the commit leaves it
    pending and it is sent on the next run; the only window for a second copy is between the mail
    server's acceptance and our commit (ADR 0009). The rows are walked in (created_at, id) order from
    where the previous one was, on the partial index of pending rows; one mail connection is reused.
    """
    sent = 0
    after: tuple[Any, int] | None = None
    connection = get_connection()
    relaxed = _relax_commit_wait()
    try:
        while limit is None or sent < limit:
            with transaction.atomic():
                qs = (
                    Notification.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("recipient")
                    .filter(email_status=EmailStatus.PENDING)
                    .order_by("created_at", "id")
                )
                if after is not None:
                    qs = qs.filter(Q(created_at__gt=after[0]) | Q(created_at=after[0], id__gt=after[1]))
                n = qs.first()
                if n is None:
                    break
                after = (n.created_at, n.pk)
                if not n.recipient.email or not n.recipient.is_active:
                    n.email_status = EmailStatus.SKIPPED
                    n.save(update_fields=["email_status"])
                    continue
                _message(n, connection).send()
                n.email_status = EmailStatus.SENT
                n.emailed_at = timezone.now()
                n.save(update_fields=["email_status", "emailed_at"])
                sent += 1
            _pause()
    finally:
        connection.close()
        if relaxed:
            with db_connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
    return sent


def _relax_commit_wait() -> bool:
    """On PostgreSQL, let each "sent" mark commit without waiting for the WAL flush (one commit per
    e-mail would otherwise wait for the disk every time). A killed worker loses nothing: the commit is
    done and visible at once; only a crash of the database server itself within a fraction of a
    second could lose the last marks and resend those e-mails (ADR 0009)."""
    if db_connection.vendor != "postgresql" or db_connection.in_atomic_block:
        return False
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    return True
