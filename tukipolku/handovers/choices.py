from django.db import models
from django.utils.translation import gettext_lazy as _

from tukipolku.pathways.choices import HandoverReason

__all__ = ["PREP_CHECKLIST", "HandoverReason", "HandoverStatus", "InformationSource", "JobSearch"]


class HandoverStatus(models.TextChoices):
    OPEN = "open", _("Waiting for acceptance")
    ACCEPTED = "accepted", _("Accepted")


class InformationSource(models.TextChoices):
    """Whom student health care gathered information from before a graduating student's handover (the
    Rauma model's step 2)."""

    TEACHERS = "teachers", _("Teachers")
    CURATOR = "curator", _("Curator")
    STUDY_PSYCHOLOGIST = "study_psychologist", _("Study psychologist")
    STUDY_COUNSELLOR = "study_counsellor", _("Study counsellor")


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
