"""State changes of notifications of need: send, accept (opens an episode), decline.

Each runs in one transaction, appends a domain event and tells the people concerned (in the app and
by e-mail, with no client data in the message). Decisions lock the notification row and compare the
status the form was loaded with: of two people deciding at once, the second is told it was decided.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.access.actors import Actor, signed_in
from tukipolku.access.choices import AccessGround
from tukipolku.access.policy import can_decide_need, can_send_need
from tukipolku.audit.choices import EventType
from tukipolku.audit.services import disclosure_record, event_record
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import ConsentMethod, SpecialSituation
from tukipolku.cases.models import Episode
from tukipolku.clients import identity
from tukipolku.clients.choices import ClientLanguage
from tukipolku.clients.services import client_create
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.core.models import Team, TeamMembership
from tukipolku.intake import selectors
from tukipolku.intake.choices import NeedStatus, RiskFactor
from tukipolku.intake.constants import RESOURCE
from tukipolku.intake.models import NeedNotification
from tukipolku.notifications.choices import NotificationKind
from tukipolku.notifications.services import notify
from tukipolku.pathways.models import Pathway
from tukipolku.privacy import services as privacy_services
from tukipolku.privacy.services import IntakeConsent


class OpenEpisodeExistsError(ApplicationError):
    """The client already has an open relationship with the team: `episode` is offered instead."""

    def __init__(self, episode: Episode) -> None:
        super().__init__(_("This client already has an open client relationship with your team."))
        self.episode = episode


def _codes(values: Iterable[str], choices: Any) -> list[str]:
    allowed = set(choices.values)
    return sorted({v for v in values if v in allowed})


@transaction.atomic
def need_send(
    *,
    actor: Actor,
    team: Team,
    identity_code: str,
    first_names: str,
    last_name: str,
    need_description: str,
    consent_given: bool,
    consent_on: datetime.date | None,
    consent_method: str,
    phone: str = "",
    email: str = "",
    language: str = ClientLanguage.FINNISH,
    situations: Iterable[str] = (),
    risk_factors: Iterable[str] = (),
    done_so_far: str = "",
    intake_consent: IntakeConsent | None = None,
) -> NeedNotification:
    """Send a notification of need to an active team.

    Any team professional or partner staff member may send. The client's consent to pass the
    notification on is required (date and how given); what the client also consented to (sharing with
    partner kinds, `intake_consent`) is recorded as consents in the same transaction. The client is
    found in the client register by
    identity code, or added to it; the sender learns nothing of what the register held. The team's
    active members are told that a notification arrived.
    """
    actor = signed_in(actor)  # a signed-in user from here on
    if not can_send_need(actor):
        raise ApplicationError(_("You cannot send notifications of need."))
    if not team.is_active:
        raise ApplicationError(_("This team does not take notifications."), field="team")
    if not consent_given:
        raise ApplicationError(
            _("The client's consent is needed before the notification can be passed on."), field="consent_given"
        )
    if consent_on is None:
        raise ApplicationError(_("Enter the date the client consented."), field="consent_on")
    if consent_on > timezone.localdate():
        raise ApplicationError(_("The date of consent cannot be in the future."), field="consent_on")
    if consent_method not in ConsentMethod.values:
        raise ApplicationError(_("Choose how the client consented."), field="consent_method")
    if intake_consent is not None:
        privacy_services.intake_consent_check(scope=intake_consent, valid_from=consent_on)
    if not need_description.strip():
        raise ApplicationError(_("Describe the need for support."), field="need_description")
    if not first_names.strip() or not last_name.strip():
        raise ApplicationError(_("Enter the client's first names and last name."), field="last_name")
    code = identity.normalize(identity_code)
    if not identity.is_valid(code):
        raise ApplicationError(identity.invalid_message(), field="identity_code")
    client = selectors.need_client_lookup(actor=actor, identity_code=code)
    if client is None:
        client = client_create(
            actor=actor,
            identity_code=code,
            first_names=first_names,
            last_name=last_name,
            language=language,
            phone=phone,
            email=email,
        )
    need = NeedNotification.objects.create(
        team=team,
        client=client,
        sent_by=actor,
        sender_organisation_id=actor.organisation_id,
        source=selectors.sender_source(actor=actor),
        first_names=first_names.strip(),
        last_name=last_name.strip(),
        phone=phone.strip(),
        email=email.strip(),
        language=language,
        situations=_codes(situations, SpecialSituation),
        risk_factors=_codes(risk_factors, RiskFactor),
        done_so_far=done_so_far.strip(),
        need_description=need_description.strip(),
        consent_on=consent_on,
        consent_method=consent_method,
        shared_with=intake_consent.recipient_kinds() if intake_consent is not None else [],
    )
    event_record(
        actor=actor,
        verb=EventType.NEED_NOTIFIED,
        client_id=client.pk,
        target=need,
        payload={"team": team.pk, "source": need.source},
    )
    if intake_consent is not None:
        privacy_services.consent_record_at_intake(
            actor=actor,
            client=client,
            episode_id=None,
            scope=intake_consent,
            valid_from=consent_on,
            given_how=consent_method,
            where=_("with the notification of need to %(team)s") % {"team": team.name},
        )
    members = TeamMembership.objects.active().filter(team=team).exclude(user=actor).values_list("user_id", flat=True)
    notify(
        recipients=list(members),
        kind=NotificationKind.NEED_RECEIVED,
        key=f"need_received:{need.pk}",
        object_id=need.pk,
        url=reverse("intake:detail", args=[need.pk]),
    )
    if actor.organisation_id is not None and actor.organisation_id != team.organisation_id:
        disclosure_record(
            actor=actor,
            client_id=client.pk,
            episode_id=None,
            controller_organisation_id=actor.organisation_id,
            recipient_organisation_id=team.organisation_id,
            recipient_user_id=None,
            categories=[RESOURCE],
            view="intake:send",
            basis=AccessGround.CONSENT,
        )
    return need


def _lock_waiting(*, actor: Actor, need: NeedNotification, expected_status: str) -> NeedNotification:
    locked = NeedNotification.objects.select_for_update().get(pk=need.pk)
    if not can_decide_need(actor=actor, team_id=locked.team_id):
        raise ApplicationError(_("Only members of the receiving team can decide this notification."))
    if locked.status != expected_status or locked.status != NeedStatus.WAITING:
        raise ConflictError(
            _("Someone else already decided this notification meanwhile (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def _decided(*, actor: Actor, need: NeedNotification, status: str, **fields: Any) -> None:
    actor = signed_in(actor)  # a signed-in user from here on
    need.status = status
    need.decided_at = timezone.now()
    need.decided_by = actor
    for name, value in fields.items():
        setattr(need, name, value)
    need.save(update_fields=["status", "decided_at", "decided_by", *fields, "updated_at"])


@transaction.atomic
def need_accept(
    *,
    actor: Actor,
    need: NeedNotification,
    expected_status: str,
    pathway: Pathway | None,
    link_existing: bool = False,
) -> Episode:
    """Accept a waiting notification: open a client relationship in the team on the chosen pathway,
    with the notification's source, situations, need and consent, and tell the sender.

    When the client already has an open relationship with the team, `OpenEpisodeExistsError` names
    it; with `link_existing` the notification is accepted into that relationship instead.
    """
    need = _lock_waiting(actor=actor, need=need, expected_status=expected_status)
    existing = selectors.need_open_episode(need=need)
    if existing is not None:
        if not link_existing:
            raise OpenEpisodeExistsError(existing)
        episode = existing
    else:
        if pathway is None:
            raise ApplicationError(_("Choose the operating model."), field="pathway")
        try:
            with transaction.atomic():
                episode = case_services.episode_open(
                    actor=actor,
                    client=need.client,
                    team=need.team,
                    pathway=pathway,
                    source=need.source,
                    situations=need.situations,
                    need_description=need.need_description,
                    consent_on=need.consent_on,
                    consent_method=need.consent_method,
                    risk_factors=need.risk_factors,
                )
        except IntegrityError as exc:  # another notification of the same client was accepted meanwhile
            raise ConflictError(
                _("A client relationship was opened for this client meanwhile. Reload the page and try again.")
            ) from exc
    _decided(actor=actor, need=need, status=NeedStatus.ACCEPTED, episode=episode)
    event_record(
        actor=actor,
        verb=EventType.NEED_ACCEPTED,
        client_id=need.client_id,
        episode_id=episode.pk,
        target=need,
        payload={
            "notification": need.pk,
            "episode": episode.pk,
            "sent_on": timezone.localtime(need.sent_at).date().isoformat(),
            "source": need.source,
            "linked": existing is not None,
        },
    )
    notify(
        recipients=[need.sent_by_id],
        kind=NotificationKind.NEED_ACCEPTED,
        key=f"need_accepted:{need.pk}",
        object_id=need.pk,
        url=reverse("intake:sent_detail", args=[need.pk]),
    )
    return episode


@transaction.atomic
def need_decline(*, actor: Actor, need: NeedNotification, expected_status: str, reason: str) -> NeedNotification:
    """Decline a waiting notification with a reason, which the sender sees."""
    if not reason.strip():
        raise ApplicationError(_("Write the reason: the sender sees it."), field="reason")
    need = _lock_waiting(actor=actor, need=need, expected_status=expected_status)
    _decided(actor=actor, need=need, status=NeedStatus.DECLINED, decline_reason=reason.strip())
    event_record(
        actor=actor,
        verb=EventType.NEED_DECLINED,
        client_id=need.client_id,
        target=need,
        payload={"notification": need.pk, "reason": need.decline_reason},
    )
    notify(
        recipients=[need.sent_by_id],
        kind=NotificationKind.NEED_DECLINED,
        key=f"need_declined:{need.pk}",
        object_id=need.pk,
        url=reverse("intake:sent_detail", args=[need.pk]),
    )
    team = need.team
    if need.sender_organisation_id is not None and need.sender_organisation_id != team.organisation_id:
        disclosure_record(
            actor=actor,
            client_id=need.client_id,
            episode_id=None,
            controller_organisation_id=team.organisation_id,
            recipient_organisation_id=need.sender_organisation_id,
            recipient_user_id=need.sent_by_id,
            categories=[RESOURCE],
            view="intake:decline",
            basis=AccessGround.CONSENT,
        )
    return need
