from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class CompletionCheck(models.TextChoices):
    """What the system verifies before a step may be marked done (skipping needs a reason)."""

    NONE = "none", _("No automatic check")
    CONTACT_PERSON = "contact_person", _("A contact person is named")
    PLAN = "plan", _("The service plan has at least one goal")
    PLAN_AGREED = "plan_agreed", _("The client has agreed to the current plan")
    MEETING = "meeting", _("A meeting has been recorded")
    JOINT_MEETING = "joint_meeting", _("A meeting with the client has been recorded")
