"""An import of clients and their client relationships from a spreadsheet (docs/import.md).

`ImportBatch` is one uploaded file: its columns, the dry run's counts and the commit. `ImportRow` is
what the dry run found for one row of it, shown to the uploader before anything is written. The
uploaded file and the rows (which hold names from the file and the birth-date part of the identity
code, never the whole code) live only until the import is written, discarded or expires; the batch
keeps its counts and the file's hash, so that the same file is recognised when it comes again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tukipolku.core.models import BaseModel, Team
from tukipolku.imports.choices import FileKind, ImportStatus, RowOutcome
from tukipolku.imports.storage import import_storage


class ImportBatch(BaseModel):
    """One uploaded spreadsheet of clients and relationships, from upload to commit.

    Only its uploader sees it (`selectors.import_get_for`), and only while they may still import into
    its team (`access.policy.can_import_into`). `revision` detects a second commit or discard sent
    from another tab."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), storage=import_storage, blank=True, max_length=200)
    file_name = models.CharField(_("file name"), max_length=200)
    file_hash = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    file_size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    kind = models.CharField(_("file type"), max_length=10, choices=FileKind.choices)
    encoding = models.CharField(_("character encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("separator"), max_length=1, blank=True)
    headers = models.JSONField(_("column headings"), default=list)
    mapping = models.JSONField(_("columns chosen"), default=dict)
    language = models.CharField(_("language of the messages"), max_length=10, default="fi")
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    revision = models.PositiveIntegerField(_("version"), default=0)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    done_rows = models.PositiveIntegerField(_("rows handled"), default=0)
    counts = models.JSONField(_("rows by outcome"), default=dict)
    created = models.JSONField(_("records created"), default=dict)
    only_valid = models.BooleanField(_("only the valid rows"), default=False)
    problem = models.TextField(_("problem"), blank=True)
    expires_at = models.DateTimeField(_("file deleted at"))
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("spreadsheet import")
        verbose_name_plural = _("spreadsheet imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["uploaded_by", "created_at"], name="import_uploader")]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.COMMITTING)

    @property
    def percent(self) -> int:
        return int(100 * self.done_rows / self.total_rows) if self.total_rows else 0


class ImportRow(models.Model):
    """What the dry run found for one row: the outcome and the row's messages (in the uploader's
    language). Holds the birth-date part of the identity code, the names as typed, and the id of the
    existing client the row matched (showing such a row is a read of that client, logged)."""

    batch = models.ForeignKey(ImportBatch, verbose_name=_("import"), on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(_("row"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=RowOutcome.choices)
    masked_code = models.CharField(_("identity code (birth date part)"), max_length=11, blank=True)
    name = models.CharField(_("name"), max_length=250, blank=True)
    team_name = models.CharField(_("team"), max_length=200, blank=True)
    start_on = models.DateField(_("start date"), null=True, blank=True)
    messages = models.JSONField(_("messages"), default=list)
    client_id = models.BigIntegerField(_("client"), null=True, blank=True)  # the existing client a row matched

    class Meta:
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        ordering = ["number"]
        indexes = [models.Index(fields=["batch", "outcome", "number"], name="import_row_outcome")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.number}"
