"""A FHIR bulk export (`$export`): who asked for what, how far it got, and the NDJSON files it wrote.

The job names no client: it holds the requester (a system client's service account or a staff user),
the organisation and purposes the export reads for, counts, and the files' names. The files live
outside the web root (`TUKIPOLKU_EXPORT_DIR`) and are served only to the requester.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tukipolku.bulkexport.choices import ACTIVE_STATUSES, ExportLevel, ExportStatus


class ExportJob(models.Model):
    """One `$export` request and its run. The id is random: it is part of the status and file URLs."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The system client's service account, or the staff member who asked."),
    )
    reader_kind = models.CharField(_("reader"), max_length=20)  # access.readers.ReaderKind
    organisation_id = models.BigIntegerField(_("organisation"), null=True)
    purposes = models.JSONField(_("purposes"), default=list)
    level = models.CharField(_("level"), max_length=10, choices=ExportLevel.choices)
    team = models.ForeignKey(
        "core.Team", verbose_name=_("team"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    types = models.JSONField(_("resource types"), default=list)
    since = models.DateTimeField(_("changed since"), null=True, blank=True)
    request_url = models.CharField(_("request"), max_length=1000)
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.ACCEPTED)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    episodes_total = models.PositiveIntegerField(_("client relationships to check"), default=0)
    episodes_checked = models.PositiveIntegerField(_("client relationships checked"), default=0)
    clients_exported = models.PositiveIntegerField(_("clients exported"), default=0)
    resources = models.PositiveIntegerField(_("resources written"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    transaction_time = models.DateTimeField(_("data as of"), null=True, blank=True)
    expires_at = models.DateTimeField(_("files kept until"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("bulk export")
        verbose_name_plural = _("bulk exports")
        ordering = ["-requested_at"]
        indexes = [
            models.Index(fields=["status", "requested_at"], name="bulkexport_status"),
            models.Index(fields=["account", "status"], name="bulkexport_account"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {str(self.pk)[:8]}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def percent(self) -> int:
        """How far the run is, 0–100 (by client relationships checked)."""
        if self.status in (ExportStatus.COMPLETED, ExportStatus.EXPIRED):
            return 100
        if not self.episodes_total:
            return 0
        return min(100, self.episodes_checked * 100 // self.episodes_total)


class ExportFile(models.Model):
    """One NDJSON file of a finished export: one resource type, `count` resources, one per line."""

    job = models.ForeignKey(ExportJob, verbose_name=_("bulk export"), on_delete=models.CASCADE, related_name="files")
    resource_type = models.CharField(_("resource type"), max_length=40)
    name = models.CharField(_("file"), max_length=80)
    count = models.PositiveIntegerField(_("resources"), default=0)
    size = models.PositiveBigIntegerField(_("bytes"), default=0)

    class Meta:
        verbose_name = _("export file")
        verbose_name_plural = _("export files")
        ordering = ["resource_type", "name"]
        constraints = [models.UniqueConstraint(fields=["job", "name"], name="bulkexport_file_unique")]

    def __str__(self) -> str:
        return self.name
