from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    """Where an import is: uploaded and waiting for its columns, being checked (the dry run), checked,
    being written, written, or ended without writing (failed, discarded, expired)."""

    UPLOADED = "uploaded", _("Columns to choose")
    CHECKING = "checking", _("Checking the rows")
    CHECKED = "checked", _("Checked: ready to import")
    COMMITTING = "committing", _("Importing")
    COMMITTED = "committed", _("Imported")
    FAILED = "failed", _("Could not be read")
    DISCARDED = "discarded", _("Discarded")
    EXPIRED = "expired", _("Expired")


ACTIVE_STATUSES = frozenset(
    {ImportStatus.UPLOADED, ImportStatus.CHECKING, ImportStatus.CHECKED, ImportStatus.COMMITTING}
)
"""Statuses in which the uploaded file is still kept."""


class FileKind(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class RowOutcome(models.TextChoices):
    """What the dry run found a row would do."""

    NEW_CLIENT = "new_client", _("New client and client relationship")
    NEW_RELATIONSHIP = "new_relationship", _("Existing client, new client relationship")
    ALREADY_IMPORTED = "already_imported", _("Already imported: nothing to do")
    ERROR = "error", _("Refused")
