from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferralKind(models.TextChoices):
    """Where the client is referred (DOMAIN.md §4 step 6 "Further examinations", §5)."""

    EXAMINATIONS = "examinations", _("Further examinations")
    PRIMARY_CARE = "primary_care", _("Primary care")
    SPECIALIST_CARE = "specialist_care", _("Specialist care")
    KELA_REHABILITATION = "kela_rehabilitation", _("Kela rehabilitation")
    EMPLOYMENT_SERVICES = "employment_services", _("Employment services")
    IPS_JOB_COACH = "ips_job_coach", _("IPS job coach")
    SOCIAL_SERVICES = "social_services", _("Social services")
    OTHER = "other", _("Other")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Received")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")


OPEN_STATUSES: tuple[str, ...] = (ReferralStatus.SENT, ReferralStatus.RECEIVED)
"""A referral is open until the recipient has done it or declined it."""

TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReferralStatus.SENT: (ReferralStatus.RECEIVED, ReferralStatus.DONE, ReferralStatus.DECLINED),
    ReferralStatus.RECEIVED: (ReferralStatus.DONE, ReferralStatus.DECLINED),
    ReferralStatus.DONE: (),
    ReferralStatus.DECLINED: (),
}
"""Allowed status changes; done and declined are final."""
