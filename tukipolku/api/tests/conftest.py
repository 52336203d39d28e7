"""Fixtures of the API tests: a partner organisation with a system client, and a relationship whose
client has consented to share the shared plan with it (synthetic data)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tukipolku.api.tests.factories import SystemClientWithToken, make_system_client
from tukipolku.core.choices import OrganisationKind
from tukipolku.core.models import Organisation
from tukipolku.core.tests.factories import OrganisationFactory
from tukipolku.privacy import services as privacy_services
from tukipolku.privacy.choices import DataCategory, GivenHow, Purpose


@pytest.fixture
def partner_org(org) -> Organisation:
    """Municipal employment services in the same welfare region as the team's organisation."""
    return OrganisationFactory(
        name="Testikunnan työllisyyspalvelut", kind=OrganisationKind.EMPLOYMENT_SERVICES, region=org.region
    )


@pytest.fixture
def system_client(partner_org) -> SystemClientWithToken:
    """The employment services' system, granted the work ability purpose and api.read + api.write."""
    return make_system_client(organisation=partner_org, purposes=[Purpose.WORK_ABILITY])


def consent_for(*, actor, episode, organisation, categories=(DataCategory.SHARED_PLAN,), purpose=Purpose.WORK_ABILITY):
    """The client's consent to share with the organisation (recorded through the real service)."""
    return privacy_services.consent_record(
        actor=actor,
        client=episode.client,
        episode_id=episode.pk,
        kind="consent",
        recipient_organisation=organisation,
        recipient_kind="",
        categories=list(categories),
        purpose=purpose,
        valid_from=timezone.localdate() - datetime.timedelta(days=1),
        valid_until=None,
        given_how=GivenHow.WRITTEN,
    )


@pytest.fixture
def shared_episode(episode, nurse, partner_org):
    """The team's episode whose client consented to share the shared plan with the partner organisation."""
    consent_for(actor=nurse, episode=episode, organisation=partner_org)
    return episode
