"""Reads of consents, legal-basis grants and emergency accesses for the access gate and the pages.

Consent decisions are made in Python over a client's few consent rows; the gate calls these once
per request and client (see `cases/permissions.py`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from tukipolku.access.choices import AccessGround
from tukipolku.core.choices import OrganisationKind
from tukipolku.privacy.choices import Purpose
from tukipolku.privacy.models import Consent, EmergencyAccess, LegalBasisGrant

PURPOSES_BY_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.EMPLOYMENT_SERVICES: frozenset({Purpose.WORK_ABILITY, Purpose.EMPLOYMENT}),
    OrganisationKind.KELA: frozenset({Purpose.WORK_ABILITY, Purpose.BENEFITS, Purpose.REHABILITATION}),
    OrganisationKind.OCCUPATIONAL_HEALTH: frozenset({Purpose.WORK_ABILITY, Purpose.REHABILITATION}),
    OrganisationKind.STUDENT_HEALTH: frozenset({Purpose.WORK_ABILITY, Purpose.STUDIES, Purpose.REHABILITATION}),
    OrganisationKind.EDUCATION: frozenset({Purpose.WORK_ABILITY, Purpose.STUDIES}),
}
"""The purposes for which an organisation of each kind may use a client's data. A consent given for
another purpose does not reach it. Kinds not listed (the welfare region and its centres, others)
serve every purpose."""


def purpose_fits(purpose: str, organisation: Any) -> bool:
    allowed = PURPOSES_BY_KIND.get(organisation.kind) if organisation is not None else None
    return allowed is None or purpose in allowed or purpose == Purpose.OTHER


@dataclass(frozen=True)
class Permit:
    """Why a category may be read: a consent or a legal-basis grant (exactly one of the ids is set)."""

    category: str
    consent_id: int | None = None
    grant_id: int | None = None

    @property
    def basis(self) -> str:
        return AccessGround.CONSENT if self.consent_id is not None else AccessGround.LEGAL_BASIS


def consents_by_client(client_ids: Iterable[int]) -> dict[int, list[Consent]]:
    """All consent and prohibition rows of the clients, with their recipients (one query)."""
    out: dict[int, list[Consent]] = {}
    rows = Consent.objects.filter(client_id__in=set(client_ids)).select_related(
        "recipient_organisation", "recipient_organisation__parent"
    )
    for consent in rows:
        out.setdefault(consent.client_id, []).append(consent)
    return out


def grants_by_client(grantee: Any, client_ids: Iterable[int]) -> dict[int, list[LegalBasisGrant]]:
    today = timezone.localdate()
    out: dict[int, list[LegalBasisGrant]] = {}
    rows = LegalBasisGrant.objects.filter(
        grantee=grantee, client_id__in=set(client_ids), ended_at__isnull=True, valid_until__gte=today
    )
    for grant in rows:
        if grant.is_in_force(today):
            out.setdefault(grant.client_id, []).append(grant)
    return out


def permits(
    *,
    categories: Iterable[str],
    recipient: Any,
    consents: list[Consent],
    grants: list[LegalBasisGrant],
    on: datetime.date | None = None,
) -> dict[str, Permit]:
    """Which of the categories the recipient organisation may read, and why.

    A prohibition in force for the recipient wins over consents; a legal-basis grant (a documented
    decision of an authorised professional) applies even then, and is reviewed afterwards.
    """
    on = on or timezone.localdate()
    result: dict[str, Permit] = {}
    in_force = [c for c in consents if c.is_in_force(on) and c.covers_recipient(recipient)]
    for category in categories:
        prohibited = any(c.is_prohibition and category in c.categories for c in in_force)
        consent = next(
            (
                c
                for c in sorted(in_force, key=lambda c: c.pk)
                if not c.is_prohibition and category in c.categories and purpose_fits(c.purpose, recipient)
            ),
            None,
        )
        if consent is not None and not prohibited:
            result[category] = Permit(category, consent_id=consent.pk)
            continue
        grant = next((g for g in grants if category in g.categories), None)
        if grant is not None:
            result[category] = Permit(category, grant_id=grant.pk)
    return result


def emergency_accesses_in_force(user: Any) -> QuerySet[EmergencyAccess]:
    """The user's emergency accesses that have not expired, unevaluated (for a subquery or `.exists()`)."""
    return EmergencyAccess.objects.filter(user=user, expires_at__gt=timezone.now())


def emergency_access_active(*, user: Any, client_id: int) -> EmergencyAccess | None:
    return (
        EmergencyAccess.objects.filter(user=user, client_id=client_id, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


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
