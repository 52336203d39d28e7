from django.db import models
from django.utils.translation import pgettext_lazy

from tukipolku.cases.choices import RiskFactor

__all__ = ["NeedStatus", "RiskFactor"]


class NeedStatus(models.TextChoices):
    """Where a notification of need is: waiting for the team, or decided."""

    WAITING = "waiting", pgettext_lazy("notification of need", "Waiting for the team")
    ACCEPTED = "accepted", pgettext_lazy("notification of need", "Accepted")
    DECLINED = "declined", pgettext_lazy("notification of need", "Declined")
