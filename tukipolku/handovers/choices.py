from django.db import models
from django.utils.translation import gettext_lazy as _


class HandoverStatus(models.TextChoices):
    OPEN = "open", _("Waiting for acceptance")
    ACCEPTED = "accepted", _("Accepted")


class HandoverReason(models.TextChoices):
    """Why occupational or student health care walks the person over to a team (DOMAIN.md §5)."""

    EMPLOYMENT_ENDING = "employment_ending", _("Employment ends on work-ability grounds")
    GRADUATING = "graduating", _("A student with partial work ability graduates")


class JobSearch(models.TextChoices):
    """Whether job search was started at the transfer meeting."""

    STARTED = "started", _("Started at the transfer meeting")
    ALREADY = "already", _("Already started before")
    NOT_STARTED = "not_started", _("Not started")


PREP_CHECKLIST: tuple[tuple[str, str], ...] = (
    ("prep_agenda_agreed_on", "agenda"),
    ("prep_health_info_on", "health"),
    ("prep_rehabilitation_on", "rehabilitation"),
    ("prep_statement_on", "statement"),
    ("prep_nurse_invited_on", "nurse"),
    ("prep_employment_invited_on", "employment"),
    ("prep_time_place_agreed_on", "time_place"),
)
"""The preparatory meeting's checklist: each item is done on a date (empty: not yet)."""
