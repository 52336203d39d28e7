"""The notification of need (ilmoitus tuen tarpeesta): a professional of any participating
organisation tells a work ability support team that a client needs support.

It is client data from the moment it is sent. Who may read it is decided in `selectors.py` (the
sender: status and name; active members of the receiving team: everything); every read is logged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tukipolku.cases.choices import ConsentMethod, IdentificationSource
from tukipolku.cases.models import Episode
from tukipolku.clients.choices import ClientLanguage
from tukipolku.clients.models import Client
from tukipolku.core.choices import OrganisationKind
from tukipolku.core.models import BaseModel, Organisation, Team
from tukipolku.intake.choices import NeedStatus


class NeedNotification(BaseModel):
    """A notification of need sent to a team, waiting for the team's decision or decided.

    The client is found or added to the client register by identity code when the notification is
    sent, so that every read of it is logged against the client; the names and contact details are
    kept as the sender wrote them. Accepting opens an episode (`episode`); declining records a reason
    that goes back to the sender.
    """

    team = models.ForeignKey(
        Team, verbose_name=_("receiving team"), on_delete=models.PROTECT, related_name="need_notifications"
    )
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="need_notifications"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    sender_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("sender's organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    source = models.CharField(_("where the need was noticed"), max_length=40, choices=IdentificationSource.choices)

    # The client as the sender described them
    first_names = models.CharField(_("first names"), max_length=120)
    last_name = models.CharField(_("last name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(
        _("preferred language"), max_length=10, choices=ClientLanguage.choices, default=ClientLanguage.FINNISH
    )

    # The need
    situations = models.JSONField(_("situations that need special attention"), default=list, blank=True)
    risk_factors = models.JSONField(_("risk factors"), default=list, blank=True)
    done_so_far = models.TextField(_("what has been done already"), blank=True)
    need_description = models.TextField(_("the need in the sender's words"))

    # The client's consent to pass the notification on to the team
    consent_on = models.DateField(_("client consented on"))
    consent_method = models.CharField(_("how the client consented"), max_length=20, choices=ConsentMethod.choices)
    shared_with = models.JSONField(
        _("partners the client also consented to share with"), default=list, blank=True
    )  # OrganisationKind codes; each is a privacy.Consent of the client, recorded when the notification was sent

    # The team's decision
    status = models.CharField(_("status"), max_length=10, choices=NeedStatus.choices, default=NeedStatus.WAITING)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    episode = models.ForeignKey(
        Episode,
        verbose_name=_("client relationship"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="need_notifications",
    )

    class Meta:
        verbose_name = _("notification of need")
        verbose_name_plural = _("notifications of need")
        indexes = [
            models.Index(fields=["team", "status", "sent_at"], name="need_team_status"),
            models.Index(fields=["sent_by", "sent_at"], name="need_sender"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=NeedStatus.DECLINED) | ~Q(decline_reason=""), name="need_declined_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status=NeedStatus.ACCEPTED) | Q(episode__isnull=False), name="need_accepted_has_episode"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_names}".strip()

    @property
    def is_waiting(self) -> bool:
        return self.status == NeedStatus.WAITING

    def shared_with_labels(self) -> list[str]:
        names = dict(OrganisationKind.choices)
        return [str(names.get(k, k)) for k in self.shared_with]
