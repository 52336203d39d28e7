from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    TEAM = "team", _("Team meeting")
    JOINT = "joint", _("Joint meeting with the client")
    NETWORK = "network", _("Network meeting with partners")


class MeetingStatus(models.TextChoices):
    """A meeting is scheduled in advance (invitations go out), then held (minutes, decisions) or cancelled.
    A meeting recorded afterwards is held from the start."""

    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class InvitationMethod(models.TextChoices):
    """The iTIP method of the calendar file sent (RFC 5546)."""

    REQUEST = "REQUEST", _("Invitation")
    CANCEL = "CANCEL", _("Cancellation")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    NO_ADDRESS = "no_address", _("Not sent: no e-mail address")
    SUPERSEDED = "superseded", _("Not sent: the meeting changed again before sending")
