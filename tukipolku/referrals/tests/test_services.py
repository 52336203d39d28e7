"""Sending referrals and changing their status: consent limits, disclosure rows, events,
notifications, legal and illegal transitions, concurrent changes, the overdue sweep step."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from conftest import open_episode
from tukipolku.access.policy import referral_sendable
from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent, Disclosure
from tukipolku.cases import registry
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import AssignmentKind, Outcome
from tukipolku.core.choices import Profession
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.core.tests.factories import UserFactory, member
from tukipolku.notifications.choices import NotificationKind
from tukipolku.notifications.models import Notification
from tukipolku.privacy import services as privacy_services
from tukipolku.privacy.choices import DataCategory
from tukipolku.referrals import services
from tukipolku.referrals.choices import ReferralKind, ReferralStatus
from tukipolku.referrals.hooks import overdue_referrals
from tukipolku.referrals.models import Referral
from tukipolku.referrals.tests.conftest import send
from tukipolku.sweep.registry import sweep_steps

pytestmark = pytest.mark.django_db


def test_sendable_categories__only_what_the_consent_names_for_the_organisation(
    episode, employment_org, kela_org, consent
):
    assert set(referral_sendable(episode=episode, organisation=employment_org)) == {
        DataCategory.SHARED_PLAN,
        DataCategory.EMPLOYMENT,
    }
    assert referral_sendable(episode=episode, organisation=kela_org) == {}


def test_referral_send__writes_referral_history_disclosure_event_and_notifies_the_organisation(
    nurse, episode, employment_org, partner, consent
):
    other_org_user = UserFactory(profession=Profession.EMPLOYMENT_COORDINATOR)
    referral = send(nurse, episode, employment_org, categories=[DataCategory.SHARED_PLAN, DataCategory.EMPLOYMENT])

    assert referral.status == ReferralStatus.SENT
    assert list(referral.status_changes.values_list("status", "changed_by")) == [(ReferralStatus.SENT, nurse.pk)]
    disclosure = Disclosure.objects.get()
    assert (
        disclosure.client_id,
        disclosure.recipient_organisation_id,
        disclosure.consent_id,
        disclosure.categories,
    ) == (
        episode.client_id,
        employment_org.pk,
        consent.pk,
        [DataCategory.EMPLOYMENT, DataCategory.SHARED_PLAN],
    )
    event = AuditEvent.objects.get(verb=EventType.REFERRAL_SENT)
    assert event.payload["categories"] == [DataCategory.EMPLOYMENT, DataCategory.SHARED_PLAN]
    assert "reason" not in event.payload
    notification = Notification.objects.get(kind=NotificationKind.REFERRAL_RECEIVED)
    assert notification.recipient == partner
    assert notification.url == f"/referrals/received/{referral.pk}/"
    assert not Notification.objects.filter(recipient=other_org_user).exists()


def test_referral_send__named_user_only_is_notified(nurse, episode, employment_org, partner, consent):
    colleague = UserFactory(profession=Profession.EMPLOYMENT_COORDINATOR, organisation=employment_org)
    send(nurse, episode, employment_org, recipient_user=colleague)

    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [colleague.pk]


def test_referral_send__categories_beyond_consent_are_refused(nurse, episode, employment_org, consent):
    with pytest.raises(ApplicationError) as exc:
        send(nurse, episode, employment_org, categories=[DataCategory.SHARED_PLAN, DataCategory.HEALTH])

    assert exc.value.field == "categories"
    assert not Referral.objects.exists()
    assert not Disclosure.objects.exists()


def test_referral_send__organisation_without_consent_is_refused(nurse, episode, kela_org, consent):
    with pytest.raises(ApplicationError):
        send(nurse, episode, kela_org, categories=[])
    with pytest.raises(ApplicationError):
        send(nurse, episode, kela_org, categories=[DataCategory.SHARED_PLAN])
    assert not Referral.objects.exists()


def test_referral_send__withdrawn_consent_no_longer_allows(nurse, episode, employment_org, consent):
    privacy_services.consent_withdraw(actor=nurse, consent=consent, episode_id=episode.pk, note="Asiakas perui")
    with pytest.raises(ApplicationError):
        send(nurse, episode, employment_org)


def test_referral_send__outside_recipient_gets_no_categories(nurse, episode):
    with pytest.raises(ApplicationError):
        send(nurse, episode, recipient_name="Yksityinen psykiatri", categories=[DataCategory.SHARED_PLAN])
    referral = send(
        nurse, episode, recipient_name="Yksityinen psykiatri", categories=[], kind=ReferralKind.SPECIALIST_CARE
    )

    assert referral.recipient_label == "Yksityinen psykiatri"
    assert not referral.recipient_manages
    assert not Disclosure.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"reason": "  "},
        {"due_on": datetime.date(2000, 1, 1)},
        {"kind": "nonsense"},
        {"recipient_name": ""},
    ],
)
def test_referral_send__bad_input_is_refused(nurse, episode, overrides):
    params = {"recipient_name": "Ulkopuolinen", "categories": [], **overrides}
    with pytest.raises(ApplicationError):
        send(nurse, episode, **params)


def test_referral_send__named_user_must_work_in_the_organisation(nurse, episode, employment_org, kela_partner, consent):
    with pytest.raises(ApplicationError) as exc:
        send(nurse, episode, employment_org, recipient_user=kela_partner)
    assert exc.value.field == "recipient_user"


def test_referral_send__only_team_members_who_may_change(episode, outsider, partner, employment_org, consent):
    for actor in (outsider, partner):
        with pytest.raises(ApplicationError):
            send(actor, episode, employment_org)


def test_status__recipient_moves_it_on_and_the_sender_is_told(nurse, partner, referral):
    services.referral_status_set(actor=partner, referral=referral, status="received", expected_status="sent")
    services.referral_status_set(actor=partner, referral=referral, status="done", expected_status="received", note="Ok")

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DONE
    assert list(referral.status_changes.values_list("status", "changed_by", "on_behalf")) == [
        ("sent", nurse.pk, False),
        ("received", partner.pk, False),
        ("done", partner.pk, False),
    ]
    updates = Notification.objects.filter(kind=NotificationKind.REFERRAL_UPDATED, recipient=nurse)
    assert updates.count() == 2
    assert AuditEvent.objects.filter(verb=EventType.REFERRAL_STATUS_CHANGED).count() == 2


@pytest.mark.parametrize(
    ("start", "to"), [("done", "received"), ("done", "declined"), ("received", "sent"), ("sent", "sent")]
)
def test_status__illegal_transitions_are_refused(partner, referral, start, to):
    if start != "sent":
        path = {"received": ["received"], "done": ["received", "done"]}[start]
        expected = "sent"
        for s in path:
            services.referral_status_set(actor=partner, referral=referral, status=s, expected_status=expected)
            expected = s
    with pytest.raises(ApplicationError):
        services.referral_status_set(actor=partner, referral=referral, status=to, expected_status=start)


def test_status__decline_needs_a_reason(partner, referral):
    with pytest.raises(ApplicationError) as exc:
        services.referral_status_set(actor=partner, referral=referral, status="declined", expected_status="sent")
    assert exc.value.field == "note"
    services.referral_status_set(
        actor=partner, referral=referral, status="declined", expected_status="sent", note="Ei asiakkaamme alueella"
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED


def test_status__a_change_made_meanwhile_is_reported_not_overwritten(partner, referral):
    services.referral_status_set(actor=partner, referral=referral, status="received", expected_status="sent")
    with pytest.raises(ConflictError):
        services.referral_status_set(
            actor=partner, referral=referral, status="declined", expected_status="sent", note="x"
        )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


def test_status__team_cannot_update_what_the_partner_organisation_updates(nurse, kela_partner, referral):
    for actor in (nurse, kela_partner):
        with pytest.raises(ApplicationError):
            services.referral_status_set(actor=actor, referral=referral, status="received", expected_status="sent")


def test_status__team_records_it_for_an_outside_recipient_without_notification(nurse, physician, episode):
    referral = send(nurse, episode, recipient_name="Keskussairaalan poliklinikka", categories=[])
    services.referral_status_set(actor=physician, referral=referral, status="done", expected_status="sent")

    assert referral.status_changes.last().on_behalf is True
    assert not Notification.objects.filter(kind=NotificationKind.REFERRAL_UPDATED).exists()


# ---------------------------------------------------------------- participation and caseload


def test_participation__open_referral_lets_the_organisation_read_the_consented_episode(
    nurse, partner, kela_partner, episode, referral
):
    from tukipolku.access.policy import episode_access

    access = episode_access(actor=partner, episode=episode)
    assert access is not None and access.partner and set(access.categories) == {DataCategory.SHARED_PLAN}
    assert episode_access(actor=kela_partner, episode=episode) is None
    services.referral_status_set(actor=partner, referral=referral, status="done", expected_status="sent")
    assert episode_access(actor=partner, episode=episode) is None


def test_next_action_source__earliest_open_referral(nurse, episode, referral):
    later = send(
        nurse,
        episode,
        recipient_name="Ulkopuolinen",
        categories=[],
        due_on=referral.due_on + datetime.timedelta(days=3),
    )
    items = registry.next_action_sources["referrals"].earliest_items([episode.pk])

    assert items[episode.pk].due_on == referral.due_on
    assert str(ReferralKind.EMPLOYMENT_SERVICES.label) in items[episode.pk].title
    assert later.due_on > referral.due_on


# ---------------------------------------------------------------- the sweep


def _overdue(referral, days=3):
    Referral.objects.filter(pk=referral.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=days))


def test_overdue_step__notifies_sender_and_contact_person_once(nurse, physician, episode, referral, team, satakunta):
    case_services.assignment_set(actor=nurse, episode=episode, kind=AssignmentKind.CONTACT_PERSON, user=physician)
    _overdue(referral)
    done = send(nurse, episode, recipient_name="Ulkopuolinen", categories=[])
    _overdue(done)
    services.referral_status_set(actor=nurse, referral=done, status="done", expected_status="sent")
    not_yet = send(nurse, episode, recipient_name="Toinen", categories=[], due_on=timezone.localdate())
    step = sweep_steps["referrals"]
    today = timezone.localdate()

    assert step(today) == 2
    assert step(today) == 2  # rerun: the same findings, no new notifications
    rows = Notification.objects.filter(kind=NotificationKind.REFERRAL_OVERDUE)
    due = (today - datetime.timedelta(days=3)).isoformat()
    assert sorted(rows.values_list("recipient_id", "key")) == sorted(
        [(nurse.pk, f"referral_overdue:{referral.pk}:{due}"), (physician.pk, f"referral_overdue:{referral.pk}:{due}")]
    )
    assert not rows.filter(object_id__in=[done.pk, not_yet.pk]).exists()


def test_overdue_step__skips_closed_episodes(nurse, team, satakunta):
    episode = open_episode(nurse, team, satakunta)
    referral = send(nurse, episode, recipient_name="Ulkopuolinen", categories=[])
    _overdue(referral)
    case_services.episode_close(
        confirm_early=True,
        actor=nurse,
        episode=episode,
        outcome=Outcome.STUDIES,
        outcome_on=timezone.localdate(),
        follow_ups=[(timezone.localdate() + datetime.timedelta(days=90), nurse)],
    )

    assert list(overdue_referrals(timezone.localdate())) == []


def test_job_coach_in_the_own_organisation__shared_plan_without_consent_and_no_disclosure(nurse, team, episode):
    coach = member(team, profession=Profession.JOB_COACH)
    referral = send(
        nurse,
        episode,
        team.organisation,
        kind=ReferralKind.IPS_JOB_COACH,
        recipient_user=coach,
        categories=[DataCategory.SHARED_PLAN],
    )

    assert not referral.recipient_manages
    assert not Disclosure.objects.exists()
    notification = Notification.objects.get(recipient=coach)
    assert notification.url == f"/episodes/{episode.pk}/referrals/{referral.pk}/"
    with pytest.raises(ApplicationError):
        send(nurse, episode, team.organisation, categories=[DataCategory.SOCIAL])
