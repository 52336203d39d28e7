"""Sending referrals and following their status. Every change appends a domain event."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.access import cache as access_cache
from tukipolku.access.actors import Actor, signed_in
from tukipolku.access.choices import AccessGround
from tukipolku.access.policy import (
    can_send_referral,
    can_update_referral_status,
    referral_is_internal,
    referral_is_recipient,
    referral_sendable,
)
from tukipolku.audit.choices import EventType
from tukipolku.audit.services import disclosure_record, event_record
from tukipolku.cases.models import Episode
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.core.models import Organisation, User
from tukipolku.core.permissions import PARTNER_PROFESSIONS
from tukipolku.core.text import bounded
from tukipolku.notifications.choices import NotificationKind
from tukipolku.notifications.services import notify
from tukipolku.privacy.choices import DataCategory
from tukipolku.referrals.choices import TRANSITIONS, ReferralKind, ReferralStatus
from tukipolku.referrals.models import Referral, ReferralStatusChange

SEND_VIEW = "referrals:create"


def team_url(*, referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.episode_id, referral.pk])


def _recipient_url(referral: Referral) -> str:
    return reverse("referrals:received_detail", args=[referral.pk])


def _recipients(referral: Referral) -> list[User]:
    if referral.recipient_user_id is not None:
        return [referral.recipient_user]  # type: ignore[list-item]
    if referral.recipient_manages and referral.recipient_organisation_id is not None:
        return list(
            User.objects.filter(
                organisation_id=referral.recipient_organisation_id,
                is_active=True,
                profession__in=PARTNER_PROFESSIONS,
            )
        )
    return []


@transaction.atomic
def referral_send(
    *,
    actor: Actor,
    episode: Episode,
    kind: str,
    reason: str,
    categories: list[str],
    due_on: datetime.date,
    recipient_organisation: Organisation | None = None,
    recipient_user: User | None = None,
    recipient_name: str = "",
    note: str = "",
) -> Referral:
    """Refer the client of the episode to a recipient, sending the chosen data categories.

    Only categories the client's consent allows for the recipient organisation (and its purpose) may be
    sent; outside recipients get only what is written in the referral. Writes a disclosure row per
    consent, the event, and tells the recipient organisation's partner staff (or the named user).
    """
    actor = signed_in(actor)  # a signed-in user from here on
    if not can_send_referral(actor=actor, episode=episode):
        raise ApplicationError(_("You cannot send referrals for this client."))
    if kind not in ReferralKind.values:
        raise ApplicationError(_("Choose the kind of referral."), field="kind")
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Write the reason for the referral."), field="reason")
    if due_on < timezone.localdate():
        raise ApplicationError(_("The due date cannot be in the past."), field="due_on")
    chosen = sorted(set(categories))
    if any(c not in DataCategory.values for c in chosen):
        raise ApplicationError(_("Choose data categories from the list."), field="categories")
    recipient_name = recipient_name.strip()
    permits: dict[str, Any] = {}
    if recipient_organisation is not None:
        if recipient_name:
            raise ApplicationError(
                _("Choose an organisation or write an outside recipient, not both."), field="recipient_name"
            )
        if recipient_user is not None and recipient_user.organisation_id != recipient_organisation.pk:
            raise ApplicationError(
                _("The named recipient does not work in the chosen organisation."), field="recipient_user"
            )
        if recipient_organisation.region_id != episode.team.region_id:
            # The recipient's staff could not read the episode (ADR 11): refer within the region.
            raise ApplicationError(
                _("Choose an organisation of the client's welfare region."), field="recipient_organisation"
            )
        permits = referral_sendable(episode=episode, organisation=recipient_organisation)
        refused = [c for c in chosen if c not in permits]
        if refused:
            raise ApplicationError(
                _("The client's consent does not allow sending this to the recipient: %(categories)s.")
                % {"categories": ", ".join(str(DataCategory(c).label) for c in refused)},
                field="categories",
            )
        if not chosen:
            raise ApplicationError(
                _(
                    "Choose at least one data category the client's consent allows. Without consent, send "
                    "the referral outside Tukipolku and record the recipient by name."
                ),
                field="categories",
            )
    else:
        if recipient_user is not None:
            raise ApplicationError(_("Choose the named recipient's organisation."), field="recipient_organisation")
        if not recipient_name:
            raise ApplicationError(
                _("Choose the recipient organisation or write the name of an outside recipient."),
                field="recipient_organisation",
            )
        if chosen:
            raise ApplicationError(
                _("An outside recipient gets only what is written in the referral: untick the data categories."),
                field="categories",
            )
    now = timezone.now()
    referral = Referral.objects.create(
        episode=episode,
        kind=kind,
        recipient_organisation=recipient_organisation,
        recipient_user=recipient_user,
        recipient_name=bounded(recipient_name, limit=200, field="recipient_name"),
        reason=reason,
        categories=chosen,
        due_on=due_on,
        note=note.strip(),
        sent_by=actor,
        sent_at=now,
        status_changed_at=now,
    )
    ReferralStatusChange.objects.create(
        referral=referral, status=ReferralStatus.SENT, changed_by=actor, changed_at=now, note=""
    )
    if recipient_organisation is not None and not referral_is_internal(
        episode=episode, organisation=recipient_organisation
    ):
        grounds: dict[tuple[int | None, int | None], list[str]] = {}
        for c in chosen:
            p = permits[c]
            grounds.setdefault((p.consent_id, p.grant_id), []).append(c)
        for (consent_id, grant_id), cats in grounds.items():
            disclosure_record(
                actor=actor,
                client_id=episode.client_id,
                episode_id=episode.pk,
                controller_organisation_id=episode.team.organisation_id,
                recipient_organisation_id=recipient_organisation.pk,
                recipient_user_id=recipient_user.pk if recipient_user is not None else None,
                categories=cats,
                view=SEND_VIEW,
                basis=AccessGround.CONSENT if consent_id is not None else AccessGround.LEGAL_BASIS,
                consent_id=consent_id,
                grant_id=grant_id,
            )
    event_record(
        actor=actor,
        verb=EventType.REFERRAL_SENT,
        client_id=episode.client_id,
        episode_id=episode.pk,
        target=referral,
        payload={
            "referral": referral.pk,
            "kind": kind,
            "recipient": referral.recipient_label,
            "categories": chosen,
            "due_on": due_on.isoformat(),
        },
    )
    recipients = _recipients(referral)
    if recipients:
        named = referral.recipient_user
        to_partner = referral.recipient_manages and (
            named is None or referral_is_recipient(actor=named, referral=referral)
        )
        # Partner staff open the referral on their own page; a named team professional (an IPS job
        # coach) works on the case page.
        url = _recipient_url(referral) if to_partner else team_url(referral=referral)
        notify(
            recipients=recipients,
            kind=NotificationKind.REFERRAL_RECEIVED,
            key=f"referral_received:{referral.pk}",
            episode_id=episode.pk,
            object_id=referral.pk,
            due_on=due_on,
            url=url,
        )
    access_cache.clear()  # what the access policy reads has changed within this request
    return referral


@transaction.atomic
def referral_status_set(
    *, actor: Actor, referral: Referral, status: str, expected_status: str, note: str = ""
) -> Referral:
    """Move a referral on (sent → received → done, or declined with a reason).

    The form carries the status the user saw: when someone else changed it meanwhile, the change is
    refused (ConflictError), never overwritten. The recipient's changes are told to the sender.
    """
    actor = signed_in(actor)  # a signed-in user from here on
    locked = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("episode", "recipient_organisation")
        .get(pk=referral.pk)
    )
    locked.episode = referral.episode  # keep the gate's cached access on the same object
    if locked.status != expected_status:
        raise ConflictError(
            _("Someone else changed this referral to “%(status)s” meanwhile. Check it and try again.")
            % {"status": locked.get_status_display()},
            field="status",
        )
    if not can_update_referral_status(actor=actor, referral=locked):
        raise ApplicationError(_("You cannot change the status of this referral."))
    if status not in TRANSITIONS.get(locked.status, ()):
        raise ApplicationError(_("This status change is not possible."), field="status")
    note = note.strip()
    if status == ReferralStatus.DECLINED and not note:
        raise ApplicationError(_("Write why the referral is declined."), field="note")
    previous = locked.status
    now = timezone.now()
    recipient_side = referral_is_recipient(actor=actor, referral=locked)
    locked.status = status
    locked.status_changed_at = now
    locked.save(update_fields=["status", "status_changed_at", "updated_at"])
    ReferralStatusChange.objects.create(
        referral=locked, status=status, changed_by=actor, changed_at=now, note=note, on_behalf=not recipient_side
    )
    event_record(
        actor=actor,
        verb=EventType.REFERRAL_STATUS_CHANGED,
        client_id=locked.episode.client_id,
        episode_id=locked.episode_id,
        target=locked,
        payload={
            "referral": locked.pk,
            "kind": locked.kind,
            "from": previous,
            "status": status,
            "on_behalf": not recipient_side,
        },
    )
    if recipient_side:
        notify(
            recipients=[locked.sent_by_id],
            kind=NotificationKind.REFERRAL_UPDATED,
            key=f"referral_updated:{locked.pk}:{status}",
            episode_id=locked.episode_id,
            object_id=locked.pk,
            due_on=locked.due_on,
            url=team_url(referral=locked),
        )
    access_cache.clear()  # what the access policy reads has changed within this request
    return locked
