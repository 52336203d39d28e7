"""Creating notifications (once per key and recipient) and sending their e-mails (at most once)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tukipolku.notifications.choices import EmailStatus
from tukipolku.notifications.models import Notification
from tukipolku.notifications.registry import Finding

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000


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


def notify_findings(findings: Iterable[Finding], *, batch_size: int = BATCH_SIZE) -> int:
    """Store the findings as notifications, each batch in its own transaction; existing keys are kept.

    Returns how many findings were handed in (not how many were new). A crash between batches leaves
    the committed batches in place; the rerun adds the rest and skips what exists.
    """
    total = 0
    it = iter(_rows(findings))
    while batch := list(islice(it, batch_size)):
        with transaction.atomic():
            Notification.objects.bulk_create(batch, ignore_conflicts=True)
        total += len(batch)
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
) -> int:
    """Tell each recipient (users or user ids) about one thing, once. Call inside the service's transaction."""
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
        )
        for uid in ids
    ]
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        transaction.on_commit(emails_enqueue)
    return len(rows)


def mark_read(user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when `ids` is None)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def emails_enqueue() -> None:
    """Hand the e-mail sending to the background worker (immediately in tests and the demo's default)."""
    from tukipolku.notifications.tasks import deliver_emails

    try:
        deliver_emails.enqueue()
    except Exception:  # the sweep picks pending e-mails up on its next run
        logger.exception("could not enqueue notification e-mails")


def _message(n: Notification) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "notification": n,
            "link": settings.TUKIPOLKU_SITE_URL.rstrip("/") + (n.url or "/notifications/"),
        }
        subject = render_to_string("notifications/email/subject.txt", context).strip()
        body = render_to_string("notifications/email/body.txt", context)
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return EmailMessage(
        subject=subject,
        body=body,
        to=[n.recipient.email],
        # Stable per notification: a mail system that sees it twice can tell it is the same message.
        headers={"Message-ID": f"<notification-{n.pk}@{domain}>"},
    )


def deliver_pending_emails(*, limit: int | None = None) -> int:
    """Send the e-mail of every pending notification once; returns how many were sent.

    Each notification is locked (`SKIP LOCKED`: two workers never take the same row), sent and marked
    sent in one transaction. A crash before the commit leaves it pending and it is sent on the next
    run; the only window for a second copy is between the mail server's acceptance and our commit.
    """
    sent = 0
    done: set[int] = set()
    while limit is None or sent < limit:
        with transaction.atomic():
            qs = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .filter(email_status=EmailStatus.PENDING)
                .exclude(pk__in=done)
                .order_by("created_at", "id")
            )
            n = qs.first()
            if n is None:
                break
            done.add(n.pk)
            if not n.recipient.email or not n.recipient.is_active:
                n.email_status = EmailStatus.SKIPPED
                n.save(update_fields=["email_status"])
                continue
            _message(n).send()
            n.email_status = EmailStatus.SENT
            n.emailed_at = timezone.now()
            n.save(update_fields=["email_status", "emailed_at"])
            sent += 1
    return sent
