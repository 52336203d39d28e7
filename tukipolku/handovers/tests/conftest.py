import pytest
from django.utils import translation

from tukipolku.core.choices import OrganisationKind, Profession, TeamRole
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory, member
from tukipolku.handovers.tests.factories import occupational_health_org, open_handover, sender_user


@pytest.fixture(autouse=True)
def _english(settings):
    # English pages and e-mails: the tests assert the English source texts.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def oh_org(db):
    return occupational_health_org()


@pytest.fixture
def sender(oh_org):
    return sender_user(oh_org, username="occupational", first_name="Outi", last_name="Kallio")


@pytest.fixture
def colleague(oh_org):
    """Another occupational health professional of the same organisation, not on the handover."""
    return sender_user(oh_org, username="colleague")


@pytest.fixture
def student_sender(db):
    org = OrganisationFactory(name="Opiskeluterveys", kind=OrganisationKind.STUDENT_HEALTH)
    return sender_user(org, profession=Profession.STUDENT_HEALTH, username="student")


@pytest.fixture
def employment_partner(db):
    org = OrganisationFactory(name="Työllisyyspalvelut", kind=OrganisationKind.EMPLOYMENT_SERVICES)
    return UserFactory(profession=Profession.EMPLOYMENT_COORDINATOR, organisation=org, username="employment")


@pytest.fixture
def manager(team):
    return member(team, profession=Profession.TEAM_MANAGER, role=TeamRole.MANAGER, username="manager")


@pytest.fixture
def handover(sender, team, nurse, satakunta):
    return open_handover(sender, team)
