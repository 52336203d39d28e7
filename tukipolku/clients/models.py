"""The client (asiakas): a person whose work ability the team supports."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tukipolku.clients.choices import ClientLanguage, EmploymentStatus
from tukipolku.clients.identity import mask
from tukipolku.core.models import BaseModel


class Client(BaseModel):
    """A person. Client data is read only through the access gate (cases/permissions.py).

    The identity code is stored normalised and unique; it is never put in a URL or a log line.
    """

    identity_code = models.CharField(_("personal identity code"), max_length=11, unique=True)
    first_names = models.CharField(_("first names"), max_length=120)
    last_name = models.CharField(_("last name"), max_length=120)
    birth_date = models.DateField(_("date of birth"))
    language = models.CharField(
        _("language"), max_length=10, choices=ClientLanguage.choices, default=ClientLanguage.FINNISH
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    municipality = models.CharField(_("municipality of residence"), max_length=80, blank=True)
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
