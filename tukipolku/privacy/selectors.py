"""Reads of consents, legal-basis grants and emergency accesses for the pages that list them.

The consent rule and the look-ups the access policy makes are in `tukipolku/access/consent.py`.
"""

from __future__ import annotations

from django.db.models import QuerySet

from tukipolku.privacy.models import Consent, EmergencyAccess, LegalBasisGrant


def consent_list_for_client(*, client_id: int) -> QuerySet[Consent]:
    """A client's consents and prohibitions, newest first. The caller has passed the access gate."""
    return (
        Consent.objects.filter(client_id=client_id)
        .select_related("recipient_organisation", "recorded_by", "withdrawn_by")
        .order_by("-recorded_at", "-id")
    )


def grant_list_for_client(*, client_id: int) -> QuerySet[LegalBasisGrant]:
    return (
        LegalBasisGrant.objects.filter(client_id=client_id)
        .select_related("grantee", "granted_by", "grantee__organisation")
        .order_by("-granted_at", "-id")
    )


def review_queue(*, include_reviewed: bool = False) -> tuple[list[LegalBasisGrant], list[EmergencyAccess]]:
    """Exceptions to the consent rules for the data protection officer, unreviewed first."""
    grants = LegalBasisGrant.objects.select_related("client", "grantee", "granted_by", "reviewed_by")
    accesses = EmergencyAccess.objects.select_related("client", "user", "user__organisation", "reviewed_by")
    if not include_reviewed:
        grants = grants.filter(reviewed_at__isnull=True)
        accesses = accesses.filter(reviewed_at__isnull=True)
    return list(grants.order_by("-granted_at")[:200]), list(accesses.order_by("-opened_at")[:200])
