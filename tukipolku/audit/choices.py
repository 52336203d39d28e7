from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    """Every state change appends one event of these types (DESIGN principle 3)."""

    CLIENT_CREATED = "client_created", _("Client created")
    CLIENT_DETAILS_CHANGED = "client_details_changed", _("Client details changed")
    EPISODE_OPENED = "episode_opened", _("Client relationship opened")
    STEP_COMPLETED = "step_completed", _("Step completed")
    STEP_SKIPPED = "step_skipped", _("Step skipped")
    STEP_RETURNED = "step_returned", _("Returned to an earlier step")
    STEP_DUE_CHANGED = "step_due_changed", _("Step due date changed")
    PATHWAY_CORRECTED = "pathway_corrected", _("Pathway or starting step corrected")
    TEAM_MEMBER_ADDED = "team_member_added", _("Team member added")
    TEAM_MEMBER_REMOVED = "team_member_removed", _("Team member removed")
    CONTACT_PERSON_NAMED = "contact_person_named", _("Contact person named")
    OWN_WORKER_NAMED = "own_worker_named", _("Own worker named")
    PLAN_UPDATED = "plan_updated", _("Service plan updated")
    PLAN_AGREED = "plan_agreed", _("Client agreed to the plan")
    ACTION_STATUS_CHANGED = "action_status_changed", _("Action status changed")
    MEETING_RECORDED = "meeting_recorded", _("Meeting recorded")
    ENTRY_WRITTEN = "entry_written", _("Entry written")
    EPISODE_CLOSED = "episode_closed", _("Client relationship closed")
    EPISODE_REOPENED = "episode_reopened", _("Client relationship reopened")
    PATHWAY_DRAFTED = "pathway_drafted", _("Pathway version drafted")
    PATHWAY_PUBLISHED = "pathway_published", _("Pathway version published")
    CONSENT_RECORDED = "consent_recorded", _("Consent recorded")
    PROHIBITION_RECORDED = "prohibition_recorded", _("Prohibition recorded")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    LEGAL_BASIS_GRANTED = "legal_basis_granted", _("Data shared on a legal basis without consent")
    LEGAL_BASIS_ENDED = "legal_basis_ended", _("Sharing on a legal basis ended")
    EMERGENCY_ACCESS_OPENED = "emergency_access_opened", _("Emergency access opened")
    ACCESS_REVIEWED = "access_reviewed", _("Exceptional access reviewed")
    NEED_NOTIFIED = "need_notified", _("Notification of need sent")
    NEED_ACCEPTED = "need_accepted", _("Notification of need accepted")
    NEED_DECLINED = "need_declined", _("Notification of need declined")
    REFERRAL_SENT = "referral_sent", _("Referral sent")
    REFERRAL_STATUS_CHANGED = "referral_status_changed", _("Referral status changed")
    HANDOVER_OPENED = "handover_opened", _("Escorted handover opened")
    HANDOVER_UPDATED = "handover_updated", _("Escorted handover updated")
    HANDOVER_ACCEPTED = "handover_accepted", _("Escorted handover accepted")
    HANDOVER_ESCALATED = "handover_escalated", _("Escorted handover escalated to the manager")
    MEETING_SCHEDULED = "meeting_scheduled", _("Meeting scheduled")
    MEETING_CHANGED = "meeting_changed", _("Meeting changed")
    MEETING_CANCELLED = "meeting_cancelled", _("Meeting cancelled")
    FOLLOW_UP_RECORDED = "follow_up_recorded", _("Follow-up recorded")
    SYSTEM_CLIENT_CREATED = "system_client_created", _("System client of the API created")
    SYSTEM_CLIENT_CHANGED = "system_client_changed", _("System client of the API changed")


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    LIST = "list", _("Listed")
    SEARCH = "search", _("Searched")
    PRINT = "print", _("Printed")
    EXPORT = "export", _("Exported")


class AccessOutcome(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    DENIED = "denied", _("Denied")


class Agent(models.TextChoices):
    """Who read: a person through the user interface or API, or the system in a background job."""

    USER = "user", _("User")
    SYSTEM = "system", _("Background job")
