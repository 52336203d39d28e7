from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    """Every state change appends one event of these types (DESIGN principle 3)."""

    CLIENT_CREATED = "client_created", _("Client created")
    EPISODE_OPENED = "episode_opened", _("Client relationship opened")
    STEP_COMPLETED = "step_completed", _("Step completed")
    STEP_SKIPPED = "step_skipped", _("Step skipped")
    STEP_RETURNED = "step_returned", _("Returned to an earlier step")
    STEP_DUE_CHANGED = "step_due_changed", _("Step due date changed")
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


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    LIST = "list", _("Listed")
    SEARCH = "search", _("Searched")


class AccessOutcome(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    DENIED = "denied", _("Denied")
