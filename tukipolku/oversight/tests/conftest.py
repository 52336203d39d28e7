"""People and exceptions for the oversight tests: the data protection officer (a user given the
review permission through a group), partner staff, a superuser, an emergency access and a grant."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.utils import timezone

from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, TeamFactory, UserFactory, member
from tukipolku.oversight.tests.helpers import reviewer_group
from tukipolku.privacy import services as privacy_services


@pytest.fixture(autouse=True)
def _english(client):
    """Pages in English, so that texts can be compared as written in the code."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def reviewer(org):
    """The data protection officer: no team, the review permission through a group."""
    user = UserFactory(
        username="dpo", first_name="Tiina", last_name="Tietosuojavastaava", profession="", organisation=org
    )
    user.groups.add(reviewer_group())
    return user


@pytest.fixture
def partner(db):
    return UserFactory(
        username="partner",
        profession=Profession.EMPLOYMENT_COORDINATOR,
        organisation=OrganisationFactory(kind=OrganisationKind.EMPLOYMENT_SERVICES, name="TE-palvelut"),
    )


@pytest.fixture
def superuser_with_permission(admin_user):
    """A superuser in the reviewers' group too: superusers' blanket rights never count."""
    admin_user.groups.add(reviewer_group())
    return admin_user


@pytest.fixture
def colleague(org):
    """A nurse of another team of the same organisation: opens clients by emergency access."""
    return member(TeamFactory(organisation=org, name="Työkykytiimi B"), username="colleague", last_name="Kollega")


@pytest.fixture
def emergency(colleague, episode):
    return privacy_services.emergency_access_open(
        actor=colleague, client=episode.client, reason="Asiakas soitti, tarvitsen suunnitelman tiedot nyt."
    )


@pytest.fixture
def grant(nurse, partner, episode):
    permission = Permission.objects.get(content_type__app_label="privacy", codename="add_legalbasisgrant")
    nurse.user_permissions.add(permission)
    nurse = type(nurse).objects.get(pk=nurse.pk)  # drop the permission cache
    return privacy_services.legal_basis_grant(
        actor=nurse,
        client=episode.client,
        episode_id=episode.pk,
        grantee=partner,
        categories=["shared_plan"],
        legal_basis="shl_41",
        reason="Monialainen yhteistyö: työllisyyspalvelut tarvitsevat suunnitelman.",
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
