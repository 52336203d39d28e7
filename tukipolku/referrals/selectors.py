"""Reads of referrals. The team reaches them through an episode fetched through the access policy; the
recipient organisation's partner staff through `received_list_for` / `received_get_for`, which show a
referral's content only while the client's consent still covers something that was sent, and log
every client they read (access log) and every disclosure to the recipient organisation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from tukipolku.access.actors import Actor, signed_in
from tukipolku.access.choices import AccessGround
from tukipolku.access.consent import Permit
from tukipolku.access.log import refuse_other_object
from tukipolku.access.policy import referral_received_permits, referral_received_q, referral_sendable
from tukipolku.access.readers import AnyReader, account_of
from tukipolku.audit.choices import AccessAction, AccessOutcome
from tukipolku.audit.services import access_denied, access_record, disclosure_record
from tukipolku.cases.models import Episode
from tukipolku.privacy.choices import DataCategory
from tukipolku.referrals.choices import OPEN_STATUSES
from tukipolku.referrals.models import Referral, ReferralStatusChange

# ---------------------------------------------------------------- what may be sent


@dataclass(frozen=True)
class CategoryOption:
    code: str
    label: str
    allowed: bool


def category_options(*, episode: Episode, organisation: Any) -> list[CategoryOption]:
    """Every data category with whether it may be sent to the organisation (None: an outside recipient)."""
    allowed = referral_sendable(episode=episode, organisation=organisation) if organisation is not None else {}
    return [CategoryOption(c.value, str(c.label), c.value in allowed) for c in DataCategory]


# ---------------------------------------------------------------- the team's reads


def _with_recipients(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    return qs.select_related("recipient_organisation", "recipient_user", "sent_by")


def referral_list_for_episode(*, actor: Actor, episode: Episode, partner: bool = False) -> list[Referral]:
    """The episode's referrals, open ones first. Partner staff see only those sent to their organisation.
    The caller has fetched the episode through the gate. One query."""
    actor = signed_in(actor)  # a signed-in user from here on
    qs = Referral.objects.filter(episode=episode)
    if partner:  # a referral addressed to a named person is theirs only
        qs = qs.filter(
            Q(recipient_user__isnull=True) | Q(recipient_user_id=actor.pk),
            recipient_organisation_id=actor.organisation_id,
        )
    open_first = Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField())
    referrals = list(_with_recipients(qs).order_by(open_first, "due_on", "-id"))
    for r in referrals:
        r.episode = episode
    return referrals


def referral_get_for_episode(*, actor: Actor, episode: Episode, referral_id: int, view: str) -> Referral:
    """One referral of an episode the actor has opened through the gate; another episode's → 404, logged."""
    referral = _with_recipients(Referral.objects.filter(pk=referral_id, episode=episode)).first()
    if referral is None:
        owner = Referral.objects.filter(pk=referral_id).values_list("episode__client_id", "episode_id").first()
        refuse_other_object(actor=actor, view=view, owner=owner, resource="referral")
    referral.episode = episode
    return referral


def status_history(*, referral: Referral) -> list[ReferralStatusChange]:
    return list(referral.status_changes.select_related("changed_by").order_by("changed_at", "id"))


# ---------------------------------------------------------------- the recipient's reads


@dataclass
class ReceivedReferral:
    """A referral as its recipient sees it: the categories sent that the consent still covers."""

    referral: Referral
    shown: list[str]
    withdrawn: list[str]
    permits: dict[str, Permit] = field(default_factory=dict)

    @property
    def content_shown(self) -> bool:
        return bool(self.shown)

    @property
    def shown_labels(self) -> list[str]:
        return [str(DataCategory(c).label) for c in self.shown]

    @property
    def withdrawn_labels(self) -> list[str]:
        return [str(DataCategory(c).label) for c in self.withdrawn]


def _received_qs(actor: AnyReader) -> QuerySet[Referral]:
    scope = referral_received_q(actor)
    if scope is None:
        return Referral.objects.none()
    return _with_recipients(
        Referral.objects.filter(scope).select_related("episode__client", "episode__team__organisation")
    )


def _judge(actor: AnyReader, referrals: list[Referral]) -> list[ReceivedReferral]:
    """Check each referral's sent categories against the client's consents now (the policy; one query)."""
    permits = referral_received_permits(actor=actor, referrals=referrals)
    out = []
    for r in referrals:
        found = permits[r.pk]
        shown = [c for c in r.categories if c in found]
        out.append(ReceivedReferral(r, shown, [c for c in r.categories if c not in found], found))
    return out


def _disclose(actor: AnyReader, view: str, item: ReceivedReferral) -> None:
    account = account_of(actor)
    grounds: dict[tuple[int | None, int | None], list[str]] = {}
    for c in item.shown:
        p = item.permits[c]
        grounds.setdefault((p.consent_id, p.grant_id), []).append(c)
    episode = item.referral.episode
    for (consent_id, grant_id), cats in grounds.items():
        disclosure_record(
            actor=account,
            client_id=episode.client_id,
            episode_id=episode.pk,
            controller_organisation_id=episode.team.organisation_id,
            recipient_organisation_id=actor.organisation_id,  # type: ignore[union-attr]  # a recipient has one
            recipient_user_id=account.pk if account is not None else None,
            categories=cats,
            view=view,
            basis=AccessGround.CONSENT if consent_id is not None else AccessGround.LEGAL_BASIS,
            consent_id=consent_id,
            grant_id=grant_id,
        )


def _log(actor: AnyReader, view: str, items: list[ReceivedReferral], action: str) -> None:
    shown = [i for i in items if i.content_shown]
    withheld = [i for i in items if not i.content_shown]
    if shown:
        access_record(
            actor=account_of(actor),
            view=view,
            rows=[(i.referral.episode.client_id, i.referral.episode_id) for i in shown],
            action=action,
            basis=AccessGround.REFERRAL_RECIPIENT,
            resource="referral",
        )
        for item in shown:
            _disclose(actor, view, item)
    if withheld:
        # The referral's status is shown, the client's data is not: the consent no longer covers it.
        access_record(
            actor=account_of(actor),
            view=view,
            rows=[(i.referral.episode.client_id, i.referral.episode_id) for i in withheld],
            action=action,
            basis=AccessGround.NONE,
            outcome=AccessOutcome.DENIED,
            reason="no_consent",
            resource="referral",
        )


def received_list_for(
    *, actor: AnyReader, include_closed: bool = False, view: str = "referrals:received"
) -> list[ReceivedReferral]:
    """Referrals sent to the actor's organisation (partner staff, or its system client), open ones by
    due date. Each client read is logged: those shown with a disclosure row, those whose consent was
    withdrawn as withheld."""
    qs = _received_qs(actor)
    if not include_closed:
        qs = qs.filter(status__in=OPEN_STATUSES)
    open_first = Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField())
    items = _judge(actor, list(qs.order_by(open_first, "due_on", "id")[:500]))
    _log(actor, view, items, AccessAction.LIST)
    return items


def received_get_for(*, actor: AnyReader, referral_id: int, view: str) -> ReceivedReferral:
    """One referral sent to the actor's organisation; any other (or none) is 404 and the refusal logged."""
    referral = _received_qs(actor).filter(pk=referral_id).first()
    if referral is None:
        owner = Referral.objects.filter(pk=referral_id).values_list("episode__client_id", "episode_id").first()
        access_denied(
            actor=account_of(actor),
            view=view,
            client_id=owner[0] if owner else None,
            episode_id=owner[1] if owner else None,
            reason="not_recipient" if owner else "not_found",
            resource="referral",
        )
        raise Http404
    item = _judge(actor, [referral])[0]
    _log(actor, view, [item], AccessAction.VIEW)
    return item
