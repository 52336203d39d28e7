from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EpisodeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class IdentificationSource(models.TextChoices):
    """Where the need for work ability support was noticed (DOMAIN.md §3)."""

    SOTE_APPOINTMENT = "sote_appointment", _("Health or social services appointment")
    UNEMPLOYED_HEALTH_CHECK = "unemployed_health_check", _("Unemployed person's health check")
    EMPLOYMENT_SERVICES = "employment_services", _("Employment services")
    SOCIAL_SERVICES = "social_services", _("Social services")
    REHABILITATIVE_WORK = "rehabilitative_work", _("Rehabilitative work activity")
    STUDENT_HEALTH = "student_health", _("Student health care")
    OCCUPATIONAL_HEALTH = "occupational_health", _("Occupational health care")
    KELA = "kela", _("Kela")
    SELF = "self", _("The client themselves")
    OTHER = "other", _("Other")


class SpecialSituation(models.TextChoices):
    """The five situations that need special attention (DOMAIN.md §3). Stored as boolean fields."""

    LONG_UNEMPLOYMENT = "long_unemployment", _("Unemployment threatens to become long")
    PARTIAL_ABILITY_UNEMPLOYED = (
        "partial_ability_unemployed",
        _("Employed person with partial work ability became unemployed"),
    )
    GRADUATING_PARTIAL_ABILITY = "graduating_partial_ability", _("Graduating student with partial work ability")
    REHABILITATIVE_WORK_HEALTH = (
        "rehabilitative_work_health",
        _("Health slows progress in rehabilitative work activity"),
    )
    JOBSEEKER_ILLNESS = "jobseeker_illness", _("Job seeker fell ill with a disease affecting work ability")


class RiskFactor(models.TextChoices):
    """Risk factors noticed at intake (DOMAIN.md §3): on the notification of need and the episode, as a
    list of codes."""

    LONG_UNEMPLOYMENT = "long_unemployment", _("Long unemployment")
    REPEATED_SICK_LEAVE = "repeated_sick_leave", _("Repeated sick leave")
    CHRONIC_ILLNESS = "chronic_illness", _("Chronic illness")
    MENTAL_HEALTH_OR_SUBSTANCE = "mental_health_or_substance", _("Mental health or substance problems")
    LIFE_MANAGEMENT = "life_management", _("Difficulties in managing everyday life")
    TRANSITION_POINT = "transition_point", _("Transition point (losing a job, graduating)")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("In writing")
    ORAL = "oral", _("Orally, recorded by the professional")
    DIGITAL = "digital", _("Digitally")


class StepStatus(models.TextChoices):
    ACTIVE = "active", _("In progress")
    COMPLETED = "completed", _("Completed")
    SKIPPED = "skipped", _("Skipped")
    RETURNED = "returned", _("Returned to an earlier step")
    CLOSED = "closed", _("Ended at closing")
    CORRECTED = "corrected", _("Replaced by a correction")


class AssignmentKind(models.TextChoices):
    CONTACT_PERSON = "contact_person", _("Contact person")
    OWN_WORKER = "own_worker", _("Own worker (social care)")


class Outcome(models.TextChoices):
    """Closing outcomes (DOMAIN.md §10)."""

    OPEN_LABOUR_MARKET = "open_labour_market", _("Employed in the open labour market")
    PAY_SUBSIDY = "pay_subsidy", _("Employed with pay subsidy")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    STUDIES = "studies", _("Studies or training")
    VOCATIONAL_REHABILITATION = "vocational_rehabilitation", _("Vocational rehabilitation")
    MEDICAL_REHABILITATION = "medical_rehabilitation", _("Medical rehabilitation")
    SOCIAL_INCLUSION = "social_inclusion", _("Social inclusion service")
    DISABILITY_PENSION = "disability_pension", _("Disability pension granted")
    PENSION_PROCESS = "pension_process", _("Pension process ongoing")
    PENSION_REJECTED = "pension_rejected", _("Pension rejected, support continues")
    TRANSFERRED = "transferred", _("Transferred to another service")
    MOVED_AWAY = "moved_away", _("Moved away")
    NOT_REACHED = "not_reached", _("Not reached")
    CLIENT_WITHDREW = "client_withdrew", _("Client withdrew")
    NO_CHANGE = "no_change", _("No change achieved")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other")


OUTCOMES_WITHOUT_FOLLOW_UP = frozenset({Outcome.DECEASED, Outcome.MOVED_AWAY})
"""Outcomes after which no follow-up can be agreed."""


class FollowUpSituation(models.TextChoices):
    """The client's situation when a follow-up after closing is recorded (feeds the 3/6/12-month metric)."""

    WORKING = "working", _("Working in the open labour market")
    WORKING_SUBSIDISED = "working_subsidised", _("Working with pay subsidy or supported employment")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    STUDYING = "studying", _("Studying")
    REHABILITATION = "rehabilitation", _("In rehabilitation")
    INCLUSION = "inclusion", _("In a social-inclusion service")
    UNEMPLOYED = "unemployed", _("Unemployed job seeker")
    PENSION = "pension", _("On a pension")
    OTHER = "other", _("Other")
    NOT_REACHED = "not_reached", _("Not reached")


class FollowUpStatus(models.TextChoices):
    DUE = "due", pgettext_lazy("follow-up status", "Due")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
