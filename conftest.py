"""Shared fixtures: a sote-centre with a team and its professionals, another organisation's team,
and an episode opened through the real service. All data is synthetic."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from tukipolku.cases import services as case_services
from tukipolku.cases.choices import ConsentMethod, IdentificationSource
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.choices import Profession
from tukipolku.core.tests.factories import OrganisationFactory, TeamFactory, UserFactory, member
from tukipolku.pathways.loader import load_pathways
from tukipolku.pathways.models import Pathway, PathwayStep, PathwayVersion


@pytest.fixture(autouse=True)
def _clear_cache():
    """Failed-login counters and used TOTP codes live in the cache: every test starts without them."""
    cache.clear()


@pytest.fixture(autouse=True)
def _language_restored():
    """Every test starts in English, the language its assertions are written in, whatever the test before it
    (in the same worker process) activated: no test depends on the order the tests run in."""
    with translation.override("en"):
        yield


@pytest.fixture
def org(db):
    return OrganisationFactory(name="Testikeskus")


@pytest.fixture
def team(org):
    return TeamFactory(organisation=org, name="Työkykytiimi A")


@pytest.fixture
def nurse(team):
    return member(team, profession=Profession.PUBLIC_HEALTH_NURSE, username="nurse")


@pytest.fixture
def physician(team):
    return member(team, profession=Profession.PHYSICIAN, username="physician")


@pytest.fixture
def social_worker(team):
    return member(team, profession=Profession.SOCIAL_WORKER, username="socialworker")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Toisen keskuksen tiimi")


@pytest.fixture
def outsider(other_team):
    """A nurse of another organisation's team: must never see this team's clients."""
    return member(other_team, profession=Profession.PUBLIC_HEALTH_NURSE, username="outsider")


@pytest.fixture
def admin_user(org):
    return UserFactory(
        profession=Profession.ADMINISTRATOR, organisation=org, is_staff=True, is_superuser=True, username="admin"
    )


@pytest.fixture
def shipped_pathways(db):
    """The shipped pathways. A transactional test's flush empties the table, so reload if needed."""
    if not Pathway.objects.filter(code="satakunta").exists():
        load_pathways(Pathway, PathwayVersion, PathwayStep)


@pytest.fixture
def satakunta(shipped_pathways):
    return Pathway.objects.get(code="satakunta")


@pytest.fixture
def eura(shipped_pathways):
    return Pathway.objects.get(code="eura")


def open_episode(actor, team, pathway, client=None, **kw):
    """Open an episode through the real service."""
    params = {
        "source": IdentificationSource.EMPLOYMENT_SERVICES,
        "situations": ["long_unemployment"],
        "need_description": "Pitkittynyt työttömyys ja toistuvia sairauspoissaoloja.",
        "consent_on": timezone.localdate() - datetime.timedelta(days=1),
        "consent_method": ConsentMethod.ORAL,
    }
    params.update(kw)
    return case_services.episode_open(
        actor=actor, client=client or ClientFactory(), team=team, pathway=pathway, **params
    )


@pytest.fixture
def episode(nurse, team, satakunta):
    return open_episode(nurse, team, satakunta)


@pytest.fixture(autouse=True)
def _audit_tripwire(request):
    """Audit completeness tripwire (tests/access/tripwire.py): on PostgreSQL, every request sent with
    the test client must log each client whose rows it read from the database."""
    from django.db import connection

    if "client" not in request.fixturenames or connection.vendor != "postgresql":
        yield
        return
    from tests.access.tripwire import Tripwire

    with Tripwire().installed(request.getfixturevalue("monkeypatch")):
        yield


@pytest.fixture
def wsgi_app():
    """The WSGI application for tools that call it in process (schemathesis), with the test's database
    connection kept open between requests, as Django's test client keeps it: the request signals would
    otherwise close the connection that holds the test's transaction (on PostgreSQL the next request then
    fails with "the connection is closed" and answers 503)."""
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
