from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    WELFARE_REGION = "welfare_region", _("Welfare region")
    SOTE_CENTRE = "sote_centre", _("Health and social services centre")
    EMPLOYMENT_SERVICES = "employment_services", _("Municipal employment services")
    KELA = "kela", _("Kela")
    OCCUPATIONAL_HEALTH = "occupational_health", _("Occupational health care")
    STUDENT_HEALTH = "student_health", _("Student health care")
    EDUCATION = "education", _("Educational institution")
    NGO = "ngo", _("Non-governmental organisation")
    OTHER = "other", _("Other organisation")


class Profession(models.TextChoices):
    """A user's profession decides their capabilities (see core/permissions.py)."""

    PUBLIC_HEALTH_NURSE = "public_health_nurse", _("Public health nurse")
    PHYSICIAN = "physician", _("Physician")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    SOCIAL_INSTRUCTOR = "social_instructor", _("Social instructor")
    NURSE = "nurse", _("Nurse")
    PHYSIOTHERAPIST = "physiotherapist", _("Physiotherapist")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    REHABILITATION_COUNSELLOR = "rehabilitation_counsellor", _("Rehabilitation counsellor")
    WORK_ABILITY_COORDINATOR = "work_ability_coordinator", _("Work ability coordinator")
    CASE_COORDINATOR = "case_coordinator", _("Case coordinator")
    JOB_COACH = "job_coach", _("Job coach")
    TEAM_MANAGER = "team_manager", _("Team manager")
    ADMINISTRATOR = "administrator", _("Administrator")
    EMPLOYMENT_COORDINATOR = "employment_coordinator", _("Employment services coordinator")
    KELA_EXPERT = "kela_expert", _("Kela rehabilitation expert")
    OCCUPATIONAL_HEALTH = "occupational_health_professional", _("Occupational health care professional")
    STUDENT_HEALTH = "student_health_professional", _("Student health care professional")
    DATA_PROTECTION_OFFICER = "data_protection_officer", _("Data protection officer")


class TeamRole(models.TextChoices):
    MEMBER = "member", _("Member")
    MANAGER = "manager", _("Manager")
