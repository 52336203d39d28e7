"""The consent given at intake is a consent: both intakes (the team's direct intake and the notification
of need) record it through `privacy.services` in their own transaction, with its scope, event and log
line, so that a referral to a consented partner goes without another consent step."""

from __future__ import annotations

import datetime
import logging
from unittest import mock

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from conftest import open_episode
from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent, Disclosure
from tukipolku.cases.choices import RiskFactor
from tukipolku.cases.models import Episode
from tukipolku.core.choices import OrganisationKind
from tukipolku.core.exceptions import ApplicationError
from tukipolku.core.tests.factories import OrganisationFactory
from tukipolku.intake import services as intake_services
from tukipolku.intake.models import NeedNotification
from tukipolku.intake.tests.factories import partner_user, send_need
from tukipolku.privacy import services
from tukipolku.privacy.choices import DataCategory, GivenHow, Purpose
from tukipolku.privacy.models import Consent
from tukipolku.privacy.services import IntakeConsent
from tukipolku.referrals import services as referral_services
from tukipolku.referrals.choices import ReferralKind
from tukipolku.referrals.models import Referral

pytestmark = pytest.mark.django_db

EMPLOYMENT = OrganisationKind.EMPLOYMENT_SERVICES


def today():
    return timezone.localdate()


@pytest.fixture
def employment_org(db):
    return OrganisationFactory(name="Testikaupungin työllisyyspalvelut", kind=EMPLOYMENT)


def refer(actor, episode, organisation):
    return referral_services.referral_send(
        actor=actor,
        episode=episode,
        kind=ReferralKind.EMPLOYMENT_SERVICES,
        reason="Työnhaun tuki.",
        categories=[DataCategory.SHARED_PLAN],
        due_on=today() + datetime.timedelta(days=14),
        recipient_organisation=organisation,
    )


def test_direct_intake__consent_to_employment_services_is_a_consent_and_the_referral_goes(
    nurse, team, satakunta, employment_org, caplog
):
    until = today() + relativedelta(months=12)
    with caplog.at_level(logging.INFO, logger="tukipolku.privacy.services"):
        episode = open_episode(
            nurse,
            team,
            satakunta,
            intake_consent=IntakeConsent(share_with=(EMPLOYMENT,), share_until=until),
        )

    (consent,) = Consent.objects.filter(client=episode.client)
    assert consent.recipient_organisation is None and consent.recipient_kind == EMPLOYMENT
    assert consent.categories == [DataCategory.SHARED_PLAN]
    assert consent.purpose == Purpose.WORK_ABILITY
    assert (consent.valid_from, consent.valid_until) == (episode.team_consent_on, until)
    assert consent.given_how == GivenHow.ORAL
    assert nurse.display_name in consent.given_note  # an oral consent names who heard it
    assert consent.is_in_force() and consent.recorded_by == nurse
    event = AuditEvent.objects.get(verb=EventType.CONSENT_RECORDED)
    assert (event.client_id, event.episode_id) == (episode.client_id, episode.pk)
    # The log line carries ids and codes, never the client's name or identity code.
    (line,) = [r.getMessage() for r in caplog.records if "intake consent" in r.getMessage()]
    assert str(consent.pk) in line and episode.client.last_name not in line
    assert episode.client.identity_code not in line

    referral = refer(nurse, episode, employment_org)

    assert Referral.objects.get() == referral
    assert Disclosure.objects.filter(consent_id=consent.pk, recipient_organisation_id=employment_org.pk).exists()


def test_direct_intake__without_partners_no_consent_and_the_referral_asks_for_one(
    nurse, team, satakunta, employment_org
):
    episode = open_episode(nurse, team, satakunta, intake_consent=IntakeConsent())

    assert not Consent.objects.exists()
    with pytest.raises(ApplicationError) as refused:
        refer(nurse, episode, employment_org)
    assert "consent does not allow" in refused.value.message
    assert not Referral.objects.exists()


def test_direct_intake__one_consent_per_partner_kind_with_the_chosen_scope(nurse, team, satakunta):
    scope = IntakeConsent(
        share_with=(OrganisationKind.KELA, EMPLOYMENT),
        share_categories=(DataCategory.EMPLOYMENT, DataCategory.SHARED_PLAN),
        share_purpose=Purpose.REHABILITATION,
        share_until=None,
    )
    episode = open_episode(nurse, team, satakunta, intake_consent=scope)

    rows = Consent.objects.filter(client=episode.client).order_by("recipient_kind")
    assert [c.recipient_kind for c in rows] == [EMPLOYMENT, OrganisationKind.KELA]
    for c in rows:
        assert c.categories == [DataCategory.SHARED_PLAN, DataCategory.EMPLOYMENT]
        assert (c.purpose, c.valid_until) == (Purpose.REHABILITATION, None)
    assert AuditEvent.objects.filter(verb=EventType.CONSENT_RECORDED, episode_id=episode.pk).count() == 2


@pytest.mark.parametrize(
    ("scope", "field"),
    [
        (IntakeConsent(share_with=(EMPLOYMENT,), share_categories=()), "share_categories"),
        (IntakeConsent(share_with=(EMPLOYMENT,), share_until=datetime.date(2020, 1, 1)), "share_until"),
        (IntakeConsent(share_with=(OrganisationKind.WELFARE_REGION,)), "share_with"),
        (IntakeConsent(share_with=(EMPLOYMENT,), share_purpose="whatever"), "share_purpose"),
    ],
)
def test_direct_intake__a_scope_that_cannot_be_recorded_is_refused_and_nothing_is_opened(
    nurse, team, satakunta, scope, field
):
    with pytest.raises(ApplicationError) as refused:
        open_episode(nurse, team, satakunta, intake_consent=scope)

    assert refused.value.field == field
    assert not Episode.objects.exists()
    assert not Consent.objects.exists()


def test_direct_intake__a_failure_after_the_first_consent_leaves_no_consent_and_no_episode(nurse, team, satakunta):
    real = services.consent_record
    calls = []

    def second_fails(**kw):
        calls.append(kw["recipient_kind"])
        if len(calls) == 2:
            raise ApplicationError("boom")
        return real(**kw)

    with mock.patch.object(services, "consent_record", side_effect=second_fails), pytest.raises(ApplicationError):
        open_episode(
            nurse, team, satakunta, intake_consent=IntakeConsent(share_with=(EMPLOYMENT, OrganisationKind.KELA))
        )

    assert len(calls) == 2  # the first consent was written, then rolled back with the episode
    assert not Consent.objects.exists()
    assert not Episode.objects.exists()
    assert not AuditEvent.objects.filter(verb=EventType.CONSENT_RECORDED).exists()


def test_direct_intake__risk_factors_are_stored_on_the_episode(nurse, team, satakunta):
    episode = open_episode(
        nurse, team, satakunta, risk_factors=[RiskFactor.CHRONIC_ILLNESS, "not_a_code", RiskFactor.LIFE_MANAGEMENT]
    )

    episode.refresh_from_db()
    assert episode.risk_factors == [RiskFactor.CHRONIC_ILLNESS, RiskFactor.LIFE_MANAGEMENT]
    assert episode.risk_factor_labels == ["Chronic illness", "Difficulties in managing everyday life"]
    opened = AuditEvent.objects.get(verb=EventType.EPISODE_OPENED)
    assert opened.payload["risk_factors"] == episode.risk_factors


# ---------------------------------------------------------------- the notification of need


def test_notification__consent_recorded_at_sending_carries_into_the_episode_and_the_referral(
    team, nurse, satakunta, employment_org
):
    sender = partner_user(organisation=employment_org)
    need = send_need(sender, team, intake_consent=IntakeConsent(share_with=(EMPLOYMENT,)))

    (consent,) = Consent.objects.filter(client=need.client)
    assert (consent.recipient_kind, consent.valid_from, consent.recorded_by) == (EMPLOYMENT, need.consent_on, sender)
    assert need.shared_with == [EMPLOYMENT] and need.shared_with_labels() == ["Municipal employment services"]
    assert team.name in consent.given_note and sender.display_name in consent.given_note
    assert AuditEvent.objects.filter(verb=EventType.CONSENT_RECORDED, client_id=need.client_id).exists()

    episode = intake_services.need_accept(actor=nurse, need=need, expected_status="waiting", pathway=satakunta)

    assert episode.risk_factors == sorted(need.risk_factors)
    assert refer(nurse, episode, employment_org).recipient_organisation == employment_org


def test_notification__without_partners_the_referral_asks_for_consent(team, nurse, satakunta, employment_org):
    sender = partner_user(organisation=employment_org)
    need = send_need(sender, team, intake_consent=IntakeConsent())
    episode = intake_services.need_accept(actor=nurse, need=need, expected_status="waiting", pathway=satakunta)

    assert not Consent.objects.exists() and need.shared_with == []
    with pytest.raises(ApplicationError):
        refer(nurse, episode, employment_org)


def test_notification__a_failing_send_leaves_no_consent(team, employment_org):
    sender = partner_user(organisation=employment_org)
    with (
        mock.patch.object(intake_services, "notify", side_effect=RuntimeError("mail down")),
        pytest.raises(RuntimeError),
    ):
        send_need(sender, team, intake_consent=IntakeConsent(share_with=(EMPLOYMENT,)))

    assert not NeedNotification.objects.exists()
    assert not Consent.objects.exists()


def test_notification__a_scope_error_names_the_field_and_sends_nothing(team, employment_org):
    sender = partner_user(organisation=employment_org)
    with pytest.raises(ApplicationError) as refused:
        send_need(sender, team, intake_consent=IntakeConsent(share_with=(EMPLOYMENT,), share_categories=()))

    assert refused.value.field == "share_categories"
    assert not NeedNotification.objects.exists()
    assert not Consent.objects.exists()
