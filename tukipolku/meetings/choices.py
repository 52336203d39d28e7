from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    TEAM = "team", _("Team meeting")
    JOINT = "joint", _("Joint meeting with the client")
    NETWORK = "network", _("Network meeting with partners")
