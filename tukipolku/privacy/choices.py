from django.db import models
from django.utils.translation import gettext_lazy as _


class DataCategory(models.TextChoices):
    """What a consent or a prohibition covers. Three of them map to the registers of entries."""

    SHARED_PLAN = "shared_plan", _("Shared plan and coordination")
    HEALTH = "health", _("Health care data")
    SOCIAL = "social", _("Social care data")
    EMPLOYMENT = "employment", _("Employment data")
    BENEFITS = "benefits", _("Benefit data")


class ConsentKind(models.TextChoices):
    CONSENT = "consent", _("Consent")
    PROHIBITION = "prohibition", _("Prohibition")


class GivenHow(models.TextChoices):
    WRITTEN = "written", _("In writing")
    ORAL = "oral", _("Orally, recorded by a professional")
    DIGITAL = "digital", _("Digitally")


class Purpose(models.TextChoices):
    WORK_ABILITY = "work_ability", _("Assessing and supporting work ability")
    REHABILITATION = "rehabilitation", _("Rehabilitation")
    EMPLOYMENT = "employment", _("Employment services")
    BENEFITS = "benefits", _("Benefits")
    STUDIES = "studies", _("Studies and student welfare")
    OTHER = "other", _("Other purpose")


class LegalBasis(models.TextChoices):
    """Statutory grounds an authorised user may cite to share data without the client's consent."""

    SHL_41 = "shl_41", _("Social Welfare Act 1301/2014 § 41: multi-sectoral co-operation")
    SHL_40 = "shl_40", _("Social Welfare Act 1301/2014 § 40: contacting the responsible authority")
    TERVHL_32 = "tervhl_32", _("Health Care Act 1326/2010 § 32: co-operation and referral")
    ACT_381_2023 = "act_381_2023", _("Act on Multi-sectoral Promotion of Employment 381/2023")
    ACT_703_2023 = "act_703_2023", _("Client Data Act 703/2023: other statutory right to receive data")
    VITAL_INTEREST = "vital_interest", _("Protecting the client's life, health or safety")


class ReviewOutcome(models.TextChoices):
    APPROPRIATE = "appropriate", _("Appropriate")
    QUESTIONABLE = "questionable", _("Needs clarification")
    MISUSE = "misuse", _("Suspected misuse")


def category_labels(codes: "list[str] | tuple[str, ...]") -> list[str]:
    """The data categories' names in the active language, in the order given."""
    names = dict(DataCategory.choices)
    return [str(names.get(c, c)) for c in codes]


REGISTER_CATEGORY = {"health": DataCategory.HEALTH, "social": DataCategory.SOCIAL, "shared": DataCategory.SHARED_PLAN}
"""Which data category an entry of each register belongs to."""
