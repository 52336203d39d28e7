"""The sweep's own bookkeeping: its runs (so managers and administrators can see it is alive) and the
schedule slots that keep two schedulers from enqueueing the same run twice. No client data."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tukipolku.core.dates import format_datetime


class SweepRun(models.Model):
    """One run of the sweep: when it started and finished, what each step found, what went wrong.

    A run whose worker died has no `finished_at`; the next run (next schedule slot) redoes its work,
    which is safe because every step and the e-mail delivery are idempotent (ADR 0009).
    """

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    today = models.DateField(_("swept for the day"))
    trigger = models.CharField(_("started by"), max_length=20, default="task")  # task / command / test
    counts = models.JSONField(_("findings per step"), default=dict)
    emails_sent = models.PositiveIntegerField(_("e-mails sent"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("sweep run")
        verbose_name_plural = _("sweep runs")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["-started_at"], name="sweep_run_started")]

    def __str__(self) -> str:
        return f"sweep {format_datetime(self.started_at)}"

    @property
    def ok(self) -> bool:
        return self.finished_at is not None and not self.error


class SweepSlot(models.Model):
    """A schedule slot (its start time) for which a sweep has been enqueued. Unique: when two
    schedulers run, only the one whose insert wins enqueues the slot's sweep."""

    slot = models.DateTimeField(_("slot"), unique=True)
    enqueued_at = models.DateTimeField(_("enqueued at"), default=timezone.now)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("sweep schedule slot")
        verbose_name_plural = _("sweep schedule slots")
        ordering = ["-slot"]

    def __str__(self) -> str:
        return format_datetime(self.slot)
