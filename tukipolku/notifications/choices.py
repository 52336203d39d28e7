from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """Why a user is told something. The text shown and mailed names no client (privacy)."""

    # Findings of the sweep (nobody falls through)
    ACTION_OVERDUE = "action_overdue", _("An action you are responsible for is past its due date")
    REFERRAL_OVERDUE = "referral_overdue", _("A referral is past its due date")
    NO_CONTACT_PERSON = "no_contact_person", _("An open client relationship has no contact person")
    INACTIVE = "inactive", _("Nothing has been recorded in a client relationship for a long time")
    HANDOVER_NOT_ACCEPTED = "handover_not_accepted", _("An escorted handover has not been accepted in time")
    FOLLOW_UP_DUE = "follow_up_due", _("A follow-up after closing is due")
    # Events of the coordination flows
    NEED_RECEIVED = "need_received", _("A new notification of need arrived for your team")
    NEED_ACCEPTED = "need_accepted", _("The team accepted your notification of need")
    NEED_DECLINED = "need_declined", _("The team declined your notification of need")
    REFERRAL_RECEIVED = "referral_received", _("A referral was sent to your organisation")
    REFERRAL_UPDATED = "referral_updated", _("The recipient updated a referral you sent")
    HANDOVER_RECEIVED = "handover_received", _("An escorted handover was opened to your team")
    HANDOVER_ACCEPTED = "handover_accepted", _("The receiving team accepted your escorted handover")
    MEETING_INVITED = "meeting_invited", _("You were invited to a meeting")
    MEETING_CHANGED = "meeting_changed", _("A meeting you were invited to changed or was cancelled")


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not sent (no e-mail address)")
    IN_APP = "in_app", _("In the app only (an e-mail of its own was sent)")
