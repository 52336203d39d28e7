"""Notifications: what a user is told in the app (list with unread count) and once by e-mail.

A notification is keyed by what it is about (`key`, e.g. "action_overdue:42:2026-11-01") and its
recipient; the pair is unique, so whoever creates it twice (a rerun sweep, a retried task) creates it
once. The e-mail goes out at most once per row: `email_status` changes from pending to sent in the
same transaction that holds the row lock while sending (ADR 0009).

Notifications hold ids and a link, never client names or free text: the link leads through the access
gate, which decides and logs what the reader sees.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tukipolku.notifications.choices import EmailStatus, NotificationKind


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=40, choices=NotificationKind.choices)
    key = models.CharField(_("what it is about"), max_length=200)
    episode_id = models.BigIntegerField(_("client relationship"), null=True, blank=True)
    object_id = models.BigIntegerField(_("object"), null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(
        _("e-mail"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key", "recipient"], name="notification_once_per_recipient"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(fields=["created_at"], condition=Q(email_status="pending"), name="notification_email_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}→{self.recipient_id}"
