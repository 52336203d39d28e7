"""Referrals out (lähete, ohjaus): the team refers a client onwards and follows the referral to its end.

A `Referral` goes from an episode to a recipient: an organisation in Tukipolku (optionally a named user
of it) or an outside recipient named in free text. It records what was sent (the data categories the
client's consent allowed at the time), the reason and a due date, and its status from sent to received
to done, or declined. Every status change is kept as a `ReferralStatusChange`.

Client data: the reason and the note are free text about the client. Readers reach them through the
team's case page (the access gate) or, for the recipient organisation's partner staff, through
`selectors.received_get_for`, which shows them only while the client's consent still covers something
that was sent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tukipolku.cases.models import Episode
from tukipolku.core.choices import OrganisationKind
from tukipolku.core.models import BaseModel, Organisation
from tukipolku.privacy.choices import category_labels
from tukipolku.referrals.choices import OPEN_STATUSES, ReferralKind, ReferralStatus

RECIPIENT_MANAGED_KINDS: frozenset[str] = frozenset(
    {
        OrganisationKind.EMPLOYMENT_SERVICES,
        OrganisationKind.KELA,
        OrganisationKind.OCCUPATIONAL_HEALTH,
        OrganisationKind.STUDENT_HEALTH,
    }
)
"""Partner organisations whose own staff receive referrals in Tukipolku and update their status. For
other recipients (outside ones, the welfare region's own units) the team records the status."""


class Referral(BaseModel):
    """A referral of the client of an episode to a recipient, with what was sent and a due date."""

    episode = models.ForeignKey(
        Episode, verbose_name=_("client relationship"), on_delete=models.CASCADE, related_name="referrals"
    )
    kind = models.CharField(_("kind of referral"), max_length=30, choices=ReferralKind.choices)
    recipient_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("recipient organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("named recipient"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient_name = models.CharField(_("outside recipient"), max_length=200, blank=True)
    reason = models.TextField(_("reason"))
    categories = models.JSONField(_("data sent"), default=list, blank=True)
    due_on = models.DateField(_("due"))
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["episode", "status"], name="referral_episode"),
            models.Index(fields=["recipient_organisation", "status"], name="referral_recipient"),
            # The sweep and the caseload look for open referrals by due date only.
            models.Index(fields=["due_on"], condition=Q(status__in=OPEN_STATUSES), name="referral_open_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(recipient_organisation__isnull=False) & Q(recipient_name=""))
                | (Q(recipient_organisation__isnull=True) & ~Q(recipient_name="") & Q(recipient_user__isnull=True)),
                name="referral_one_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: object = None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())  # type: ignore[operator]

    @property
    def recipient_manages(self) -> bool:
        """The recipient's own staff update the status (partner organisations); otherwise the team does."""
        org = self.recipient_organisation
        return org is not None and org.kind in RECIPIENT_MANAGED_KINDS

    @property
    def recipient_label(self) -> str:
        if self.recipient_organisation_id is None:
            return self.recipient_name
        label = str(self.recipient_organisation)
        if self.recipient_user_id is not None:
            label = f"{self.recipient_user.display_name}, {label}"  # type: ignore[union-attr]
        return label

    def category_labels(self) -> list[str]:
        return category_labels(self.categories)


class ReferralStatusChange(models.Model):
    """One step of a referral's status history: who, when, with what note."""

    referral = models.ForeignKey(
        Referral, verbose_name=_("referral"), on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(_("status"), max_length=10, choices=ReferralStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    on_behalf = models.BooleanField(_("recorded by the team for the recipient"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("referral status change")
        verbose_name_plural = _("referral status changes")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.status}"
