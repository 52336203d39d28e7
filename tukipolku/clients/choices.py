from django.db import models
from django.utils.translation import gettext_lazy as _


class ClientLanguage(models.TextChoices):
    FINNISH = "fi", _("Finnish")
    SWEDISH = "sv", _("Swedish")
    ENGLISH = "en", _("English")
    OTHER = "other", _("Other")


class EmploymentStatus(models.TextChoices):
    UNEMPLOYED = "unemployed", _("Unemployed")
    EMPLOYED = "employed", _("Employed")
    STUDENT = "student", _("Student")
    REHABILITATIVE_WORK = "rehabilitative_work", _("In rehabilitative work activity")
    OUTSIDE_LABOUR_FORCE = "outside_labour_force", _("Outside the labour force")
    UNKNOWN = "unknown", _("Not known")
