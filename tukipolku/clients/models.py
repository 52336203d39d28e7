"""The client (asiakas): a person whose work ability the team supports."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tukipolku.clients.choices import ClientLanguage, EmploymentStatus
from tukipolku.clients.constants import ADDRESS_FIELDS
from tukipolku.clients.identity import mask
from tukipolku.core.models import BaseModel


class Client(BaseModel):
    """A person. Client data is read only through the access policy (tukipolku/access/).

    The identity code is stored normalised and unique; it is never put in a URL or a log line.
    """

    identity_code = models.CharField(_("personal identity code"), max_length=11, unique=True)
    first_names = models.CharField(_("first names"), max_length=120)
    last_name = models.CharField(_("last name"), max_length=120)
    birth_date = models.DateField(_("date of birth"))
    language = models.CharField(
        _("language of service"), max_length=10, choices=ClientLanguage.choices, default=ClientLanguage.FINNISH
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    street_address = models.CharField(_("street address"), max_length=120, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    post_office = models.CharField(_("post office"), max_length=60, blank=True)
    municipality = models.CharField(_("municipality of residence"), max_length=80, blank=True)
    address_protected = models.BooleanField(
        _("address protection (turvakielto)"),
        default=False,
        help_text=_("The address and municipality are shown only to the client's contact person and own worker."),
    )
    revision = models.PositiveIntegerField(_("version of the details"), default=0)
    employment_status = models.CharField(
        _("employment situation"),
        max_length=30,
        choices=EmploymentStatus.choices,
        default=EmploymentStatus.UNKNOWN,
    )

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        indexes = [models.Index(fields=["last_name", "first_names"], name="client_name")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_names}".strip()

    @property
    def masked_identity_code(self) -> str:
        return mask(self.identity_code)

    @property
    def has_address(self) -> bool:
        return any(getattr(self, name) for name in ADDRESS_FIELDS)


class ClientChange(models.Model):
    """One edit of a client's details: who, when, which fields, and the values they had before.

    Old values of the address fields are shown only to those who may see a protected address
    (`access.policy.can_see_protected_address`); the audit event of the edit names the fields only.
    """

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    episode_id = models.PositiveBigIntegerField(_("client relationship"), null=True, blank=True)
    fields = models.JSONField(_("changed fields"), default=list)
    old_values = models.JSONField(_("earlier values"), default=dict)

    class Meta:
        verbose_name = _("change of client details")
        verbose_name_plural = _("changes of client details")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"client {self.client_id} {', '.join(self.fields)}"


def client_field_label(name: str) -> str:
    """The translated label of a client field, for histories that name changed fields."""
    try:
        field = Client._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))
