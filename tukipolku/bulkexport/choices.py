from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportLevel(models.TextChoices):
    """The three kick-off endpoints of the FHIR Bulk Data Access specification."""

    SYSTEM = "system", _("Everything the system may see")
    PATIENT = "patient", _("All patients the system may see")
    GROUP = "group", _("The clients of one team")


class ExportStatus(models.TextChoices):
    """accepted → running → completed → expired; or cancelled / failed on the way."""

    ACCEPTED = "accepted", _("Waiting")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


ACTIVE_STATUSES = (ExportStatus.ACCEPTED, ExportStatus.RUNNING)
