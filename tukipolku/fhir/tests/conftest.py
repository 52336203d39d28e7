"""FHIR fixtures: one client relationship with everything the facade maps – contact person, client
team, plan with goals and actions, a meeting, a referral, a consent, a handover's work ability score.
Built through the real services where they exist. Synthetic data only (identity codes 900–999)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tukipolku.cases import services as case_services
from tukipolku.cases.choices import AssignmentKind
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory, member
from tukipolku.handovers.models import Handover
from tukipolku.handovers.tests.factories import occupational_health_org, open_handover, sender_user
from tukipolku.meetings.choices import MeetingKind, MeetingStatus
from tukipolku.meetings.models import Meeting, Participant
from tukipolku.plans import services as plan_services
from tukipolku.plans.choices import GoalDomain, GoalStatus
from tukipolku.plans.models import Plan
from tukipolku.privacy.choices import DataCategory, Purpose
from tukipolku.privacy.tests.helpers import consent_for
from tukipolku.referrals import services as referral_services
from tukipolku.referrals.choices import ReferralKind


@pytest.fixture
def employment_org(db):
    return OrganisationFactory(name="Testikaupungin työllisyyspalvelut", kind=OrganisationKind.EMPLOYMENT_SERVICES)


@pytest.fixture
def coordinator(team):
    return member(team, profession=Profession.WORK_ABILITY_COORDINATOR, username="coordinator")


@pytest.fixture
def full_episode(episode, nurse, coordinator, physician):
    case_services.assignment_set(actor=nurse, episode=episode, kind=AssignmentKind.CONTACT_PERSON, user=coordinator)
    case_services.case_member_add(actor=nurse, episode=episode, user=physician, role_in_case="Työkykyarvio")
    return episode


@pytest.fixture
def plan(full_episode, nurse, coordinator) -> Plan:
    today = timezone.localdate()
    plan = plan_services.plan_save(
        actor=nurse,
        episode=full_episode,
        expected_revision=0,
        summary="Asiakas haluaa palata kevyeen työhön.",
        next_review_on=today + datetime.timedelta(days=60),
        goals=[
            plan_services.GoalInput(
                id=None,
                domain=GoalDomain.EMPLOYMENT,
                description="Työkokeilu alkaa",
                client_wording="Haluan päästä kokeilemaan työtä",
                target_on=today + datetime.timedelta(days=90),
                status=GoalStatus.IN_PROGRESS,
                actions=[
                    plan_services.ActionInput(
                        id=None, title="Etsi työkokeilupaikka", owner=coordinator, due_on=today + datetime.timedelta(30)
                    )
                ],
            ),
            plan_services.GoalInput(
                id=None,
                domain=GoalDomain.WORK_CAPACITY,
                description="Kipu hallinnassa",
                status=GoalStatus.PARTLY_ACHIEVED,
            ),
        ],
        loose_actions=[],
    )
    return Plan.objects.get(pk=plan.pk)


@pytest.fixture
def meeting(full_episode, nurse, coordinator) -> Meeting:
    meeting = Meeting.objects.create(
        episode=full_episode,
        kind=MeetingKind.JOINT,
        status=MeetingStatus.HELD,
        starts_at=timezone.now() - datetime.timedelta(days=2),
        location="Testikeskus, neuvotteluhuone 2",
        agenda="Tilannekatsaus",
        recorded_by=nurse,
        organizer=nurse,
    )
    Participant.objects.create(meeting=meeting, user=coordinator)
    Participant.objects.create(meeting=meeting, is_client=True)
    Participant.objects.create(meeting=meeting, name="Pekka Työnantaja", organisation="Esimerkki Oy")
    return meeting


@pytest.fixture
def consent(full_episode, nurse, employment_org):
    return consent_for(
        full_episode,
        nurse,
        [DataCategory.SHARED_PLAN, DataCategory.EMPLOYMENT],
        recipient=employment_org,
        purpose=Purpose.EMPLOYMENT,
    )


@pytest.fixture
def referral(full_episode, nurse, employment_org, consent):
    return referral_services.referral_send(
        actor=nurse,
        episode=full_episode,
        kind=ReferralKind.EMPLOYMENT_SERVICES,
        reason="Työnhaun tuki.",
        categories=[DataCategory.SHARED_PLAN],
        due_on=timezone.localdate() + datetime.timedelta(days=14),
        recipient_organisation=employment_org,
    )


@pytest.fixture
def handover(team) -> Handover:
    sender = sender_user(occupational_health_org(), username="sender")
    handover = open_handover(sender, team)
    Handover.objects.filter(pk=handover.pk).update(
        work_ability_score=6, transfer_at=timezone.now(), transfer_recorded_at=timezone.now()
    )
    return Handover.objects.get(pk=handover.pk)


@pytest.fixture
def partner_user(employment_org):
    return UserFactory(profession=Profession.EMPLOYMENT_COORDINATOR, organisation=employment_org, username="partner")


@pytest.fixture
def client():
    """The test client asking for English (Accept-Language), the language the assertions are written in."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")
