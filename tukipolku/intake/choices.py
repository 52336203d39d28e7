from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NeedStatus(models.TextChoices):
    """Where a notification of need is: waiting for the team, or decided."""

    WAITING = "waiting", pgettext_lazy("notification of need", "Waiting for the team")
    ACCEPTED = "accepted", pgettext_lazy("notification of need", "Accepted")
    DECLINED = "declined", pgettext_lazy("notification of need", "Declined")


class RiskFactor(models.TextChoices):
    """Risk factors the sender noticed (DOMAIN.md §3). Stored as a list of codes."""

    LONG_UNEMPLOYMENT = "long_unemployment", _("Long unemployment")
    REPEATED_SICK_LEAVE = "repeated_sick_leave", _("Repeated sick leave")
    CHRONIC_ILLNESS = "chronic_illness", _("Chronic illness")
    MENTAL_HEALTH_OR_SUBSTANCE = "mental_health_or_substance", _("Mental health or substance problems")
    LIFE_MANAGEMENT = "life_management", _("Difficulties in managing everyday life")
    TRANSITION_POINT = "transition_point", _("Transition point (losing a job, graduating)")
