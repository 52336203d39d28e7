from django.db import models
from django.utils.translation import gettext_lazy as _


class Register(models.TextChoices):
    """The register an entry belongs to (DESIGN principle 5). Registers stay apart."""

    HEALTH = "health", _("Health care (patient records)")
    SOCIAL = "social", _("Social care (client records)")
    SHARED = "shared", _("Shared team coordination")
