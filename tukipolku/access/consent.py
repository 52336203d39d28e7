"""The consent rule: which data categories of a client an organisation may read, and why.

A client's consents (and prohibitions) name a recipient organisation (or every organisation of a
kind), the data categories and the purpose. A consent reaches an organisation when it is in force,
names the organisation or one of its parents (or its kind), and its purpose is one the organisation
serves (`PURPOSES_BY_KIND`). A prohibition in force for the recipient wins over consents. A
legal-basis grant (a documented decision to share without consent, given to one person) opens a
category even then; it is reviewed afterwards by the data protection officer.

This module reads the rows (`consents_by_client`, `grants_by_client`, the emergency-access look-ups)
and decides over them in Python (`permits`); the policy (`policy.py`) calls it once per request and
client. `privacy.models.Consent.covers_recipient` delegates here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

from tukipolku.access.choices import AccessGround
from tukipolku.core.choices import OrganisationKind
from tukipolku.privacy.choices import Purpose
from tukipolku.privacy.models import Consent, EmergencyAccess, LegalBasisGrant

if TYPE_CHECKING:
    from tukipolku.core.models import Organisation, User

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


def purpose_fits(*, purpose: str, organisation: Organisation | None) -> bool:
    """Whether an organisation serves the purpose a consent was given for."""
    allowed = PURPOSES_BY_KIND.get(organisation.kind) if organisation is not None else None
    return allowed is None or purpose in allowed or purpose == Purpose.OTHER


def covers_recipient(*, consent: Consent, organisation: Organisation | None) -> bool:
    """The consent names this organisation, one of its parents, or every organisation of its kind."""
    if organisation is None:
        return False
    if consent.recipient_kind:
        return bool(consent.recipient_kind == organisation.kind)
    org: Organisation | None = organisation
    seen: set[int] = set()
    while org is not None and org.pk not in seen:
        if org.pk == consent.recipient_organisation_id:
            return True
        seen.add(org.pk)
        org = org.parent
    return False


@dataclass(frozen=True)
class Permit:
    """Why a category may be read: a consent or a legal-basis grant (at most one of the ids is set;
    neither for the shared plan sent inside the team's own organisation)."""

    category: str
    consent_id: int | None = None
    grant_id: int | None = None

    @property
    def basis(self) -> str:
        return AccessGround.CONSENT if self.consent_id is not None else AccessGround.LEGAL_BASIS


def consents_by_client(*, client_ids: Iterable[int]) -> dict[int, list[Consent]]:
    """All consent and prohibition rows of the clients, with their recipients (one query)."""
    out: dict[int, list[Consent]] = {}
    rows = Consent.objects.filter(client_id__in=set(client_ids)).select_related(
        "recipient_organisation", "recipient_organisation__parent"
    )
    for consent in rows:
        out.setdefault(consent.client_id, []).append(consent)
    return out


def grants_by_client(*, grantee: User, client_ids: Iterable[int]) -> dict[int, list[LegalBasisGrant]]:
    """The grantee's legal-basis grants in force for the clients (one query)."""
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
    recipient: Organisation | None,
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
    in_force = [c for c in consents if c.is_in_force(on) and covers_recipient(consent=c, organisation=recipient)]
    for category in categories:
        prohibited = any(c.is_prohibition and category in c.categories for c in in_force)
        consent = next(
            (
                c
                for c in sorted(in_force, key=lambda c: c.pk)
                if not c.is_prohibition
                and category in c.categories
                and purpose_fits(purpose=c.purpose, organisation=recipient)
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


def emergency_accesses_in_force(*, user: User) -> QuerySet[EmergencyAccess]:
    """The user's emergency accesses that have not expired, unevaluated (for a subquery or `.exists()`)."""
    return EmergencyAccess.objects.filter(user=user, expires_at__gt=timezone.now())


def emergency_access_active(*, user: User, client_id: int) -> EmergencyAccess | None:
    """The user's newest emergency access in force for one client, if any."""
    return emergency_accesses_in_force(user=user).filter(client_id=client_id).order_by("-expires_at").first()
