"""Append-only records: domain events (what changed), the access log (who read what) and the
disclosure log (what was given to another organisation).

This module imports no domain code: clients and episodes are referenced by id only, so that a log
row outlives anything it points at. The access and disclosure logs are hash-chained (`chain.py`)
and, on PostgreSQL, protected by triggers that refuse UPDATE and DELETE (migration 0004).
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tukipolku.audit.choices import AccessAction, AccessOutcome, Agent, EventType


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


class ChainedModel(AppendOnlyModel):
    """A row carries the hash of the previous row of its table and its own: editing, deleting or
    reordering any row breaks the chain, which `manage.py audit_verify` detects."""

    prev_hash = models.CharField(_("previous row's hash"), max_length=64, editable=False, default="")
    row_hash = models.CharField(_("row hash"), max_length=64, editable=False, default="")

    CHAIN_FIELDS: tuple[str, ...] = ()

    class Meta:
        abstract = True


class PersonalDataAccess(ChainedModel):
    """Access log (käyttöloki): one row per client whose data a request showed, searched or was refused."""

    accessed_at = models.DateTimeField(_("accessed at"), default=timezone.now)
    agent = models.CharField(_("agent"), max_length=10, choices=Agent.choices, default=Agent.USER)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    profession = models.CharField(_("profession"), max_length=40, blank=True)
    organisation_id = models.BigIntegerField(_("organisation"), null=True)
    client_id = models.BigIntegerField(_("client"), null=True)
    episode_id = models.BigIntegerField(_("episode"), null=True)
    view = models.CharField(_("view"), max_length=80)
    resource = models.CharField(_("data"), max_length=80, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AccessAction.choices)
    basis = models.CharField(_("basis"), max_length=40)
    outcome = models.CharField(_("outcome"), max_length=10, choices=AccessOutcome.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    flagged = models.BooleanField(_("flagged for review"), default=False)
    request_id = models.CharField(_("request"), max_length=32, blank=True)

    CHAIN_FIELDS = (
        "accessed_at",
        "agent",
        "user_id",
        "profession",
        "organisation_id",
        "client_id",
        "episode_id",
        "view",
        "resource",
        "action",
        "basis",
        "outcome",
        "reason",
        "flagged",
        "request_id",
    )

    class Meta:
        verbose_name = _("access log row")
        verbose_name_plural = _("access log")
        permissions = [("review_access_log", _("Can review the access and disclosure logs"))]
        indexes = [
            models.Index(fields=["client_id", "accessed_at"], name="audit_access_client"),
            models.Index(fields=["user", "accessed_at"], name="audit_access_user"),
            models.Index(fields=["accessed_at"], name="audit_access_time"),
            models.Index(fields=["request_id"], name="audit_access_request"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.client_id}"


class Disclosure(ChainedModel):
    """Disclosure log (luovutusloki): client data given to another organisation, and on what basis."""

    disclosed_at = models.DateTimeField(_("disclosed at"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("disclosed by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    client_id = models.BigIntegerField(_("client"))
    episode_id = models.BigIntegerField(_("episode"), null=True)
    controller_organisation_id = models.BigIntegerField(_("disclosing organisation"), null=True)
    recipient_organisation_id = models.BigIntegerField(_("recipient organisation"), null=True)
    recipient_user_id = models.BigIntegerField(_("recipient"), null=True)
    categories = models.JSONField(_("data categories"), default=list)
    view = models.CharField(_("view"), max_length=80)
    basis = models.CharField(_("basis"), max_length=40)
    consent_id = models.BigIntegerField(_("consent"), null=True)
    grant_id = models.BigIntegerField(_("sharing on a legal basis"), null=True)
    request_id = models.CharField(_("request"), max_length=32, blank=True)

    CHAIN_FIELDS = (
        "disclosed_at",
        "user_id",
        "client_id",
        "episode_id",
        "controller_organisation_id",
        "recipient_organisation_id",
        "recipient_user_id",
        "categories",
        "view",
        "basis",
        "consent_id",
        "grant_id",
        "request_id",
    )

    class Meta:
        verbose_name = _("disclosure log row")
        verbose_name_plural = _("disclosure log")
        indexes = [models.Index(fields=["client_id", "disclosed_at"], name="audit_disclosure_client")]

    def __str__(self) -> str:
        return f"{self.client_id} → {self.recipient_organisation_id}"


class ChainHead(models.Model):
    """The hash of the newest row of each chained log. Locked while rows are appended."""

    name = models.CharField(max_length=60, primary_key=True)
    last_hash = models.CharField(max_length=64)
    rows = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("log chain head")
        verbose_name_plural = _("log chain heads")

    def __str__(self) -> str:
        return self.name


class AuditCheckpoint(AppendOnlyModel):
    """A checkpoint of a chained log's head, also written outside the database (`anchors.py`).

    The row is bookkeeping (when, how far, where the anchor went); the anchor that counts is the
    write-once file or the e-mail, which a database owner cannot rewind with the chain.
    """

    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)
    chain = models.CharField(_("log"), max_length=60)
    rows = models.BigIntegerField(_("rows"))
    last_hash = models.CharField(_("hash of the newest row"), max_length=64)
    file_name = models.CharField(_("anchor file"), max_length=200, blank=True)
    emailed_to = models.CharField(_("anchor e-mailed to"), max_length=254, blank=True)

    class Meta:
        verbose_name = _("audit log checkpoint")
        verbose_name_plural = _("audit log checkpoints")
        indexes = [models.Index(fields=["chain", "rows"], name="audit_checkpoint_chain")]

    def __str__(self) -> str:
        return f"{self.chain} @ {self.rows}"
