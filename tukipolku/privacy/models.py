"""Consents and prohibitions of a client, and the two documented exceptions to them.

* `Consent`: the client's consent (or prohibition, kielto) to disclose data of some categories to a
  recipient organisation (or every organisation of a kind) for a purpose, valid for a period.
* `LegalBasisGrant`: an authorised professional shares data without consent on a statutory basis,
  with a written reason; reviewed afterwards by the data protection officer.
* `EmergencyAccess`: "break-the-glass": a professional outside the client's team opens the client
  for a short time with a stated reason; reviewed afterwards.

Nothing here decides access by itself: the access package (`tukipolku/access/`) reads these rows on
every request, so a withdrawal or an expiry takes effect on the very next request.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tukipolku.clients.models import Client
from tukipolku.core.models import Organisation
from tukipolku.privacy.choices import (
    ConsentKind,
    GivenHow,
    LegalBasis,
    Purpose,
    ReviewOutcome,
    category_labels,
)


class ReviewFields(models.Model):
    """Every exception to the consent rules is reviewed afterwards by the data protection officer."""

    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_outcome = models.CharField(_("review outcome"), max_length=20, choices=ReviewOutcome.choices, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        abstract = True


class Consent(models.Model):
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("kind"), max_length=12, choices=ConsentKind.choices, default=ConsentKind.CONSENT)
    recipient_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("recipient organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient_kind = models.CharField(_("every organisation of the kind"), max_length=40, blank=True)
    categories = models.JSONField(_("data categories"), default=list)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    purpose_details = models.CharField(_("purpose in more detail"), max_length=300, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    given_how = models.CharField(_("given how"), max_length=10, choices=GivenHow.choices)
    given_note = models.CharField(_("note on how it was given"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawal recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawal_note = models.CharField(_("withdrawal note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["client", "valid_from"], name="consent_client")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(recipient_organisation__isnull=False) & models.Q(recipient_kind=""))
                | (models.Q(recipient_organisation__isnull=True) & ~models.Q(recipient_kind="")),
                name="consent_one_recipient",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=models.F("valid_from")),
                name="consent_valid_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.client_id} {self.valid_from}"

    @property
    def is_prohibition(self) -> bool:
        return self.kind == ConsentKind.PROHIBITION

    def is_in_force(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return (
            self.withdrawn_at is None and self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)
        )

    def covers_recipient(self, organisation: Any) -> bool:
        """The consent names this organisation, one of its parents, or every organisation of its kind
        (the rule is `access.consent.covers_recipient`)."""
        from tukipolku.access.consent import covers_recipient

        return covers_recipient(consent=self, organisation=organisation)

    def category_labels(self) -> list[str]:
        return category_labels(self.categories)

    def recipient_label(self) -> str:
        if self.recipient_organisation_id:
            return str(self.recipient_organisation)
        from tukipolku.core.choices import OrganisationKind

        return str(dict(OrganisationKind.choices).get(self.recipient_kind, self.recipient_kind))


class LegalBasisGrant(ReviewFields):
    """Data shared without consent on a statutory basis, with a reason, for a limited time."""

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="+")
    episode_id = models.BigIntegerField(_("client relationship"), null=True)
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("shared with"), on_delete=models.PROTECT, related_name="+"
    )
    categories = models.JSONField(_("data categories"), default=list)
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    reason = models.TextField(_("reason"))
    valid_until = models.DateField(_("valid until"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("decided"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("sharing on a legal basis")
        verbose_name_plural = _("sharing on a legal basis")
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["grantee", "client"], name="grant_grantee_client")]

    def __str__(self) -> str:
        return f"{self.legal_basis} {self.client_id} → {self.grantee_id}"

    def category_labels(self) -> list[str]:
        return category_labels(self.categories)

    def is_in_force(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.ended_at is None and self.granted_at.date() <= on <= self.valid_until


class EmergencyAccess(ReviewFields):
    """Break-the-glass: a professional outside the client's team opened the client, with a reason."""

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("professional"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["user", "expires_at"], name="emergency_user")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.client_id}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()
