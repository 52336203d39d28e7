"""Fixtures for meetings: people with e-mail addresses, a partner of employment services with the
client's consent, and a helper that schedules through the real service. Synthetic data only."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from tukipolku.cases import services as case_services
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.models import User
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory
from tukipolku.meetings import services
from tukipolku.meetings.choices import MeetingKind
from tukipolku.privacy.choices import DataCategory, Purpose
from tukipolku.privacy.tests.helpers import consent_for

HELSINKI = ZoneInfo("Europe/Helsinki")
CLIENT_FIRST = "Sylvikki"
CLIENT_LAST = "Näkymätön"


@pytest.fixture(autouse=True)
def _english(settings):
    # English pages and e-mails: the tests assert the English source texts.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def nurse(nurse):
    User.objects.filter(pk=nurse.pk).update(
        email="hoitaja@testikeskus.example", first_name="Helena", last_name="Hoitaja"
    )
    nurse.refresh_from_db()
    return nurse


@pytest.fixture
def physician(physician):
    User.objects.filter(pk=physician.pk).update(email="laakari@testikeskus.example")
    physician.refresh_from_db()
    return physician


@pytest.fixture
def employment_org(db):
    return OrganisationFactory(name="Työllisyyspalvelut (testi)", kind=OrganisationKind.EMPLOYMENT_SERVICES)


@pytest.fixture
def partner(employment_org):
    return UserFactory(
        profession=Profession.EMPLOYMENT_COORDINATOR,
        organisation=employment_org,
        username="employment",
        email="koordinaattori@tyollisyys.example",
    )


@pytest.fixture
def other_partner(db):
    """Kela's expert, never invited to this client's meetings."""
    return UserFactory(
        profession=Profession.KELA_EXPERT,
        organisation=OrganisationFactory(name="Kela (testi)", kind=OrganisationKind.KELA),
        username="kela",
        email="kela@kela.example",
    )


@pytest.fixture
def episode(episode, nurse, physician):
    """The client has a name to look for, an e-mail address, a team of nurse and physician, and the
    consent that lets employment services see the shared plan."""
    client = episode.client
    client.first_names, client.last_name, client.email = CLIENT_FIRST, CLIENT_LAST, "sylvikki.nakymaton@asiakas.example"
    client.save(update_fields=["first_names", "last_name", "email"])
    case_services.case_member_add(actor=nurse, episode=episode, user=physician)
    episode.refresh_from_db()
    return episode


@pytest.fixture
def consent(episode, nurse, employment_org):
    return consent_for(episode, nurse, [DataCategory.SHARED_PLAN], recipient=employment_org, purpose=Purpose.EMPLOYMENT)


def at(y, m, d, hh=10, mm=0):
    """A wall-clock time in Finland."""
    return datetime.datetime(y, m, d, hh, mm, tzinfo=HELSINKI)


def ahead(days=7, hh=10):
    """A time `days` from now at hh:00 Finnish time."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return at(day.year, day.month, day.day, hh)


def meeting_input(**kw):
    starts = kw.pop("starts_at", None) or ahead()
    params = {
        "kind": MeetingKind.NETWORK,
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=1),
        "location": "Sote-keskus, neuvotteluhuone 2",
        "agenda": "1. Tilanne",
        "users": [],
        "outside": [],
    }
    params.update(kw)
    return services.MeetingInput(**params)


def schedule(actor, episode, **kw):
    return services.meeting_schedule(actor=actor, episode=episode, data=meeting_input(**kw))
