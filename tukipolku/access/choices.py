"""The one vocabulary of access grounds: why a read of client data was allowed (or that it was not).

Every access-log and disclosure-log row stores one of these values in `basis`; the log writers,
the data protection officer's log search (filter and labels) and the client's log report all use
this class. The stored values are stable codes: rename a label freely, never a value.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessGround(models.TextChoices):
    # Professionals of the client's teams (docs/access-policy.md, "Team professionals")
    TEAM = "team_membership", _("Member of the client's team")
    CASE_TEAM = "case_team_membership", _("Member of the client's own team")
    OWN_REGISTER = "own_register", _("Own register of the profession")
    IDENTITY_CODE = "identity_code_lookup", _("Search by identity code")
    EMERGENCY = "emergency_access", _("Emergency access with a stated reason")
    # Data another organisation may read, and data given out
    PARTNER = "partner_consent", _("Partner organisation, with the client's consent")
    CONSENT = "consent", _("The client's consent")
    LEGAL_BASIS = "legal_basis", _("Legal basis without consent")
    SYSTEM = "system_client_consent", _("System client of an organisation, with the client's consent")
    # The data protection officer
    DATA_PROTECTION_REVIEW = "data_protection_review", _("Data protection review")
    # Flows before an episode exists (or between two of them)
    INTAKE_SENDER = "intake_sender", _("Sender of the notification of need")
    INTAKE_TEAM = "intake_team", _("Receiving team of the notification of need")
    HANDOVER_SENDER = "handover_sender", _("Sender of the handover")
    HANDOVER_RECEIVING_TEAM = "handover_receiving_team", _("Receiving team of the handover")
    REFERRAL_RECIPIENT = "referral_recipient", _("Recipient of the referral")
    # A refusal
    NONE = "none", _("No basis: refused")


def ground_label(value: str) -> str:
    """The ground in words; a value not (or no longer) in the vocabulary is shown as stored."""
    try:
        return str(AccessGround(value).label)
    except ValueError:
        return value
