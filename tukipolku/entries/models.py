"""Short entries (kirjaukset) on an episode, each marked with its register."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tukipolku.cases.models import Episode
from tukipolku.core.dates import format_date
from tukipolku.entries.choices import Register


class Entry(models.Model):
    """A short note. The region's EHR stays the legal clinical record: refer to it, do not copy it."""

    episode = models.ForeignKey(Episode, verbose_name=_("episode"), on_delete=models.CASCADE, related_name="entries")
    register = models.CharField(_("register"), max_length=10, choices=Register.choices)
    text = models.TextField(_("entry"))
    ehr_reference = models.CharField(_("reference to the patient record system"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["-written_at", "-id"]
        indexes = [models.Index(fields=["episode", "written_at"], name="entry_episode")]

    def __str__(self) -> str:
        return f"{self.register} {format_date(self.written_at)}"
