"""Recording consents, prohibitions, legal-basis grants and emergency accesses, and their review.

Every change appends a domain event. Withdrawal is a timestamp on the row: the gate reads it on the
next request.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.access import cache as access_cache
from tukipolku.access.actors import Actor, signed_in
from tukipolku.audit.choices import EventType
from tukipolku.audit.services import event_record
from tukipolku.clients.models import Client
from tukipolku.core.choices import OrganisationKind
from tukipolku.core.exceptions import ApplicationError
from tukipolku.core.models import Organisation
from tukipolku.core.text import bounded
from tukipolku.privacy.choices import ConsentKind, DataCategory, GivenHow, LegalBasis, Purpose, ReviewOutcome
from tukipolku.privacy.models import Consent, EmergencyAccess, LegalBasisGrant

MAX_GRANT_DAYS = 365

logger = logging.getLogger(__name__)

INTAKE_RECIPIENT_KINDS: tuple[str, ...] = (
    OrganisationKind.EMPLOYMENT_SERVICES,
    OrganisationKind.KELA,
    OrganisationKind.OCCUPATIONAL_HEALTH,
    OrganisationKind.STUDENT_HEALTH,
    OrganisationKind.EDUCATION,
)
"""The partner kinds an intake form offers as consent recipients (the team's usual partners)."""

INTAKE_CONSENT_MONTHS = 12
"""An intake consent is valid a year by default: about the length of the shipped operating models."""


def _categories(values: Iterable[str]) -> list[str]:
    chosen = [c for c in DataCategory.values if c in set(values)]
    if not chosen:
        raise ApplicationError(_("Choose at least one data category."), field="categories")
    return chosen


@transaction.atomic
def consent_record(
    *,
    actor: Actor,
    client: Client,
    episode_id: int | None,
    kind: str,
    recipient_organisation: Organisation | None,
    recipient_kind: str,
    categories: Iterable[str],
    purpose: str,
    purpose_details: str = "",
    valid_from: datetime.date,
    valid_until: datetime.date | None,
    given_how: str,
    given_note: str = "",
) -> Consent:
    """Record the client's consent or prohibition. The caller has checked the actor may change the case."""
    actor = signed_in(actor)  # a signed-in user from here on
    if kind not in ConsentKind.values:
        raise ApplicationError(_("Choose consent or prohibition."), field="kind")
    if (recipient_organisation is None) == (not recipient_kind):
        raise ApplicationError(
            _("Choose either one recipient organisation or every organisation of a kind."),
            field="recipient_organisation",
        )
    if recipient_kind and recipient_kind not in OrganisationKind.values:
        raise ApplicationError(_("Choose a kind of organisation."), field="recipient_kind")
    if purpose not in Purpose.values:
        raise ApplicationError(_("Choose the purpose."), field="purpose")
    if given_how not in GivenHow.values:
        raise ApplicationError(_("Choose how the client gave it."), field="given_how")
    if valid_until is not None and valid_until < valid_from:
        raise ApplicationError(_("The end date cannot be before the start date."), field="valid_until")
    if given_how == GivenHow.ORAL and not given_note.strip():
        raise ApplicationError(_("For an oral consent, write who heard it and in what situation."), field="given_note")
    consent = Consent.objects.create(
        client=client,
        kind=kind,
        recipient_organisation=recipient_organisation,
        recipient_kind=recipient_kind or "",
        categories=_categories(categories),
        purpose=purpose,
        purpose_details=purpose_details.strip(),
        valid_from=valid_from,
        valid_until=valid_until,
        given_how=given_how,
        given_note=given_note.strip(),
        recorded_by=actor,
    )
    event_record(
        actor=actor,
        verb=EventType.PROHIBITION_RECORDED if kind == ConsentKind.PROHIBITION else EventType.CONSENT_RECORDED,
        client_id=client.pk,
        episode_id=episode_id,
        target=consent,
        payload={
            "recipient": consent.recipient_label(),
            "categories": consent.categories,
            "purpose": purpose,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat() if valid_until else None,
            "given_how": given_how,
        },
    )
    access_cache.clear()  # what the access policy reads has changed within this request
    return consent


@dataclass(frozen=True)
class IntakeConsent:
    """What the client agreed to at intake beyond the team's own work: sharing with partner kinds.

    The keywords are the intake forms' field names, so that an error lands next to its field.
    No recipients (`share_with` empty) means the client agreed to the team's shared work only.
    """

    share_with: tuple[str, ...] = ()
    share_categories: tuple[str, ...] = field(default=(DataCategory.SHARED_PLAN,))
    share_purpose: str = Purpose.WORK_ABILITY
    share_until: datetime.date | None = None

    def recipient_kinds(self) -> list[str]:
        """The kinds a consent is recorded for, in the offered order."""
        return [str(kind) for kind in INTAKE_RECIPIENT_KINDS if kind in self.share_with]

    @classmethod
    def from_form(cls, data: dict[str, Any]) -> IntakeConsent:
        return cls(
            share_with=tuple(data.get("share_with") or ()),
            share_categories=tuple(data.get("share_categories") or ()),
            share_purpose=data.get("share_purpose") or Purpose.WORK_ABILITY,
            share_until=data.get("share_until"),
        )


def intake_consent_check(*, scope: IntakeConsent, valid_from: datetime.date) -> None:
    """Refuse a scope that cannot be recorded, naming the intake form's field."""
    if not scope.share_with:
        return
    if any(kind not in INTAKE_RECIPIENT_KINDS for kind in scope.share_with):
        raise ApplicationError(_("Choose the recipients from the list."), field="share_with")
    if not [c for c in scope.share_categories if c in DataCategory.values]:
        raise ApplicationError(_("Choose at least one data category."), field="share_categories")
    if scope.share_purpose not in Purpose.values:
        raise ApplicationError(_("Choose the purpose."), field="share_purpose")
    if scope.share_until is not None and scope.share_until < max(valid_from, timezone.localdate()):
        raise ApplicationError(_("The consent cannot end in the past."), field="share_until")


def consent_record_at_intake(
    *,
    actor: Actor,
    client: Client,
    episode_id: int | None,
    scope: IntakeConsent,
    valid_from: datetime.date,
    given_how: str,
    where: str,
) -> list[Consent]:
    """Record the consent given at intake: one consent per recipient kind, with the same scope.

    Called inside the intake's own transaction (a failing intake leaves no consent). `where` names
    the intake in the note ("at the intake of the client relationship"); the note also names who
    recorded it, which an oral consent requires. Writes a log line with ids and codes only.
    """
    actor = signed_in(actor)  # a signed-in user from here on
    intake_consent_check(scope=scope, valid_from=valid_from)
    if not scope.share_with:
        return []
    note = _("Given %(where)s; recorded by %(name)s.") % {"where": where, "name": actor.display_name}
    consents = [
        consent_record(
            actor=actor,
            client=client,
            episode_id=episode_id,
            kind=ConsentKind.CONSENT,
            recipient_organisation=None,
            recipient_kind=kind,
            categories=scope.share_categories,
            purpose=scope.share_purpose,
            valid_from=valid_from,
            valid_until=scope.share_until,
            given_how=given_how,
            given_note=note[:300],
        )
        for kind in scope.recipient_kinds()
    ]
    logger.info(
        "intake consent: client %s episode %s consents %s kinds %s",
        client.pk,
        episode_id,
        [c.pk for c in consents],
        [c.recipient_kind for c in consents],
    )
    return consents


@transaction.atomic
def consent_withdraw(*, actor: Actor, consent: Consent, episode_id: int | None, note: str = "") -> Consent:
    """Withdraw a consent or lift a prohibition; effective from the next request."""
    actor = signed_in(actor)  # a signed-in user from here on
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise ApplicationError(_("This has already been withdrawn."))
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor
    consent.withdrawal_note = bounded(note, limit=300, field="note")
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
    event_record(
        actor=actor,
        verb=EventType.CONSENT_WITHDRAWN,
        client_id=consent.client_id,
        episode_id=episode_id,
        target=consent,
        payload={"kind": consent.kind, "recipient": consent.recipient_label()},
    )
    access_cache.clear()  # what the access policy reads has changed within this request
    return consent


@transaction.atomic
def legal_basis_grant(
    *,
    actor: Actor,
    client: Client,
    episode_id: int | None,
    grantee: Any,
    categories: Iterable[str],
    legal_basis: str,
    reason: str,
    valid_until: datetime.date,
) -> LegalBasisGrant:
    """Share data without consent on a statutory basis. Only users with the override permission may."""
    actor = signed_in(actor)  # a signed-in user from here on
    if not actor.has_perm("privacy.add_legalbasisgrant"):
        raise ApplicationError(_("You are not authorised to share data without the client's consent."))
    if legal_basis not in LegalBasis.values:
        raise ApplicationError(_("Choose the legal basis."), field="legal_basis")
    if len(reason.strip()) < 10:
        raise ApplicationError(_("Write the reason in a sentence or two."), field="reason")
    today = timezone.localdate()
    if valid_until < today:
        raise ApplicationError(_("The end date cannot be in the past."), field="valid_until")
    if valid_until > today + datetime.timedelta(days=MAX_GRANT_DAYS):
        raise ApplicationError(_("Sharing on a legal basis can last a year at most."), field="valid_until")
    grant = LegalBasisGrant.objects.create(
        client=client,
        episode_id=episode_id,
        grantee=grantee,
        categories=_categories(categories),
        legal_basis=legal_basis,
        reason=reason.strip(),
        valid_until=valid_until,
        granted_by=actor,
    )
    event_record(
        actor=actor,
        verb=EventType.LEGAL_BASIS_GRANTED,
        client_id=client.pk,
        episode_id=episode_id,
        target=grant,
        payload={"grantee": grantee.display_name, "categories": grant.categories, "legal_basis": legal_basis},
    )
    access_cache.clear()  # what the access policy reads has changed within this request
    return grant


@transaction.atomic
def legal_basis_end(*, actor: Actor, grant: LegalBasisGrant) -> LegalBasisGrant:
    grant = LegalBasisGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.ended_at is None:
        grant.ended_at = timezone.now()
        grant.save(update_fields=["ended_at"])
        event_record(
            actor=actor,
            verb=EventType.LEGAL_BASIS_ENDED,
            client_id=grant.client_id,
            episode_id=grant.episode_id,
            target=grant,
            payload={"grantee": grant.grantee.display_name},
        )
    access_cache.clear()  # what the access policy reads has changed within this request
    return grant


@transaction.atomic
def emergency_access_open(*, actor: Actor, client: Client, reason: str) -> EmergencyAccess:
    """Break the glass: open a client outside one's teams for a short time, with a stated reason."""
    actor = signed_in(actor)  # a signed-in user from here on
    if len(reason.strip()) < 10:
        raise ApplicationError(_("Write why you need to see this client's data, in a sentence or two."), field="reason")
    now = timezone.now()
    access = EmergencyAccess.objects.create(
        client=client,
        user=actor,
        reason=reason.strip(),
        opened_at=now,
        expires_at=now + datetime.timedelta(minutes=settings.TUKIPOLKU_EMERGENCY_ACCESS_MINUTES),
    )
    event_record(
        actor=actor,
        verb=EventType.EMERGENCY_ACCESS_OPENED,
        client_id=client.pk,
        target=access,
        payload={"minutes": settings.TUKIPOLKU_EMERGENCY_ACCESS_MINUTES},
    )
    access_cache.clear()  # what the access policy reads has changed within this request
    return access


@transaction.atomic
def review_record(*, actor: Actor, item: LegalBasisGrant | EmergencyAccess, outcome: str, note: str) -> None:
    """The data protection officer's review of one exceptional access."""
    actor = signed_in(actor)  # a signed-in user from here on
    if outcome not in ReviewOutcome.values:
        raise ApplicationError(_("Choose the outcome of the review."), field="outcome")
    if outcome != ReviewOutcome.APPROPRIATE and not note.strip():
        raise ApplicationError(_("Write what needs to be clarified."), field="note")
    item = type(item).objects.select_for_update().get(pk=item.pk)
    if item.reviewed_at is not None:
        raise ApplicationError(_("Someone has already reviewed this."))
    item.reviewed_at = timezone.now()
    item.reviewed_by = actor
    item.review_outcome = outcome
    item.review_note = note.strip()
    item.save(update_fields=["reviewed_at", "reviewed_by", "review_outcome", "review_note"])
    event_record(
        actor=actor,
        verb=EventType.ACCESS_REVIEWED,
        client_id=item.client_id,
        target=item,
        payload={"outcome": outcome},
    )
