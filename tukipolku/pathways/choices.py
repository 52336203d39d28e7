from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class CompletionCheck(models.TextChoices):
    """What the system verifies before a step may be marked done (skipping needs a reason)."""

    NONE = "none", _("No automatic check")
    CONTACT_PERSON = "contact_person", _("A contact person is named")
    PLAN = "plan", _("The service plan has at least one goal")
    PLAN_AGREED = "plan_agreed", _("The client has agreed to the current plan")
    MEETING = "meeting", _("A meeting has been recorded")
    JOINT_MEETING = "joint_meeting", _("A meeting with the client has been recorded")


class HandoverRole(models.TextChoices):
    """What an escorted handover has already done for a step of the pathway it opens. When the receiving
    team accepts the handover, the new episode's first steps with a role the handover covered are marked
    done with what the handover recorded; the codes and names of the steps do not matter."""

    NONE = "", _("Not part of the handover")
    OPENING = "opening", _("The handover was opened and the person agreed")
    PREPARATORY_MEETING = "preparatory_meeting", _("The preparatory meeting was held")
    TRANSFER_MEETING = "transfer_meeting", _("The transfer meeting was held")
    NEED_IDENTIFIED = "need_identified", _("The sending side identified the need")
    INFORMATION_GATHERED = "information_gathered", _("The sending side gathered information")
    CONTACT_PERSON_NAMED = "contact_person_named", _("The sending side named a contact person")
    CONSENT = "consent", _("The person was informed and agreed")
    REFERRAL = "referral", _("The handover was sent to the team")


class HandoverReason(models.TextChoices):
    """Why occupational or student health care walks the person over to a team (DOMAIN.md §5). A pathway's
    data lists the reasons it suits (`Pathway.handover_reasons`): acceptance preselects it for them."""

    EMPLOYMENT_ENDING = "employment_ending", _("Employment ends on work-ability grounds")
    GRADUATING = "graduating", _("A student with partial work ability graduates")
