from django.db import models
from django.utils.translation import gettext_lazy as _


class GoalDomain(models.TextChoices):
    """The four domains a service plan's goals are grouped in."""

    WORK_CAPACITY = "work_capacity", _("Work and functional capacity")
    EMPLOYMENT = "employment", _("Employment")
    STUDIES = "studies", _("Studies")
    EVERYDAY_LIFE = "everyday_life", _("Everyday life")


class GoalStatus(models.TextChoices):
    OPEN = "open", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    ACHIEVED = "achieved", _("Achieved")
    PARTLY_ACHIEVED = "partly_achieved", _("Partly achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")
    DROPPED = "dropped", _("Dropped")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ActionSource(models.TextChoices):
    PLAN = "plan", _("Service plan")
    MEETING = "meeting", _("Meeting decision")


class AgreementMethod(models.TextChoices):
    IN_MEETING = "in_meeting", _("In a meeting with the client")
    ORAL = "oral", _("Orally, recorded by the professional")
    WRITTEN = "written", _("Signed in writing")
    DIGITAL = "digital", _("Digitally")
