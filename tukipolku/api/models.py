"""A system client of the API and the stored answers to idempotent creates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tukipolku.core.models import Organisation


class SystemClient(models.Model):
    """Another system that calls the API or the FHIR interface (an EHR, the employment authority's
    system, an analytics warehouse): an OAuth 2.0 confidential client with the client-credentials grant.

    It acts for one organisation and for the purposes (`privacy.choices.Purpose`) it was granted; the
    access policy lets it read what the client's consents open to that organisation for those purposes
    (`access.policy._system_access`). `account` is its service account (no password, no profession):
    the agent of every access-log and disclosure row its calls write.
    """

    application = models.OneToOneField(
        "oauth2_provider.Application",
        verbose_name=_("OAuth application"),
        on_delete=models.PROTECT,
        related_name="system_client",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="system_clients"
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service account"),
        on_delete=models.PROTECT,
        related_name="system_client",
    )
    purposes = models.JSONField(_("granted purposes"), default=list)
    scopes = models.JSONField(_("granted scopes"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    requests_per_minute = models.PositiveIntegerField(_("requests per minute"), default=120)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("system client")
        verbose_name_plural = _("system clients")
        ordering = ["application__name"]

    def __str__(self) -> str:
        return self.application.name


class IdempotentRequest(models.Model):
    """The answer to a create sent with an `Idempotency-Key` header, kept for a day: the same key
    from the same account gets the same answer again (the body must be the same too)."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    endpoint = models.CharField(_("endpoint"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status = models.PositiveSmallIntegerField(_("status"))
    body = models.JSONField(_("response body"), default=dict)
    location = models.CharField(_("location"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [models.UniqueConstraint(fields=["account", "key"], name="api_idempotency_key_once")]
        indexes = [models.Index(fields=["created_at"], name="api_idempotency_created")]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.status}"
