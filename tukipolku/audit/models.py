"""Append-only records: domain events (what changed) and the access log (who read what).

This module imports no domain code: clients and episodes are referenced by id only, so that a
log row outlives anything it points at.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tukipolku.audit.choices import AccessAction, AccessOutcome, EventType


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Bulk updates and deletes would bypass the model's guard: refuse them too."""

    def update(self, **kwargs: Any) -> int:
        raise RuntimeError("Audit rows are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit rows are append-only.")


class AppendOnlyModel(models.Model):
    """Rows are written once and never changed or deleted by the application."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise RuntimeError("Audit rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Audit rows are append-only.")


class AuditEvent(AppendOnlyModel):
    """One state change: who did what to which object, for which client and episode.

    The case page's history and the service metrics are read from these rows.
    """

    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verb = models.CharField(_("event"), max_length=40, choices=EventType.choices)
    client_id = models.BigIntegerField(_("client"), null=True)
    episode_id = models.BigIntegerField(_("episode"), null=True)
    target_type = models.CharField(_("target type"), max_length=60, blank=True)
    target_id = models.BigIntegerField(_("target object"), null=True)
    payload = models.JSONField(_("details"), default=dict)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["episode_id", "occurred_at"], name="audit_event_episode"),
            models.Index(fields=["client_id", "occurred_at"], name="audit_event_client"),
            models.Index(fields=["verb", "occurred_at"], name="audit_event_verb"),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.target_type}:{self.target_id}"


class PersonalDataAccess(AppendOnlyModel):
    """Access log (käyttöloki): one row per client whose data a request showed or searched."""

    accessed_at = models.DateTimeField(_("accessed at"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    client_id = models.BigIntegerField(_("client"), null=True)
    episode_id = models.BigIntegerField(_("episode"), null=True)
    view = models.CharField(_("view"), max_length=80)
    action = models.CharField(_("action"), max_length=20, choices=AccessAction.choices)
    basis = models.CharField(_("basis"), max_length=40)
    outcome = models.CharField(_("outcome"), max_length=10, choices=AccessOutcome.choices)

    class Meta:
        verbose_name = _("access log row")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(fields=["client_id", "accessed_at"], name="audit_access_client"),
            models.Index(fields=["user", "accessed_at"], name="audit_access_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.client_id}"
