"""Fixtures of the coordination resources' API tests (meetings, entries, referrals, handovers,
notifications of need): a client's team with a scheduled meeting, partner staff with and without the
client's consent, another organisation's nurse. Synthetic data only (identity codes 900–999)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tukipolku.audit.models import PersonalDataAccess
from tukipolku.cases import services as case_services
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory
from tukipolku.meetings import services as meeting_services
from tukipolku.meetings.choices import MeetingKind
from tukipolku.privacy.choices import DataCategory, Purpose
from tukipolku.privacy.tests.helpers import consent_for

CLIENT_LAST = "Rajapintanen"
MINUTES = "Sovittiin työkokeilusta (pöytäkirjamerkintä)."


@pytest.fixture
def api():
    """A DRF test client that speaks English (the assertions are in English)."""
    client = APIClient()
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def employment_org(db):
    return OrganisationFactory(name="Työllisyyspalvelut (testi)", kind=OrganisationKind.EMPLOYMENT_SERVICES)


@pytest.fixture
def partner(employment_org):
    """Employment services' coordinator in the client's team, with the client's consent for the plan."""
    return UserFactory(profession=Profession.EMPLOYMENT_COORDINATOR, organisation=employment_org, username="employment")


@pytest.fixture
def kela_partner(db):
    """Kela's expert in the client's team, without any consent."""
    return UserFactory(
        profession=Profession.KELA_EXPERT,
        organisation=OrganisationFactory(name="Kela (testi)", kind=OrganisationKind.KELA),
        username="kela",
    )


@pytest.fixture
def episode(episode, nurse, physician, partner, kela_partner, employment_org):
    """The client has a distinct name; the team has a nurse and a physician; the employment services
    coordinator and Kela's expert are in the client's team; the client consents to employment services
    reading the shared plan."""
    client = episode.client
    client.last_name = CLIENT_LAST
    client.save(update_fields=["last_name"])
    for user in (physician, partner, kela_partner):
        case_services.case_member_add(actor=nurse, episode=episode, user=user)
    consent_for(episode, nurse, [DataCategory.SHARED_PLAN], recipient=employment_org, purpose=Purpose.EMPLOYMENT)
    episode.refresh_from_db()
    return episode


def ahead(days: int = 7) -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(days=days)).replace(microsecond=0)


@pytest.fixture
def scheduled(episode, nurse, partner):
    starts = ahead()
    return meeting_services.meeting_schedule(
        actor=nurse,
        episode=episode,
        data=meeting_services.MeetingInput(
            kind=MeetingKind.NETWORK,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            location="Sote-keskus, neuvotteluhuone 2",
            agenda="1. Tilanne",
            users=[nurse, partner],
        ),
    )


def log_of(response: Any) -> Any:
    """The access-log rows of one request."""
    return PersonalDataAccess.objects.filter(request_id=response["X-Request-ID"])
