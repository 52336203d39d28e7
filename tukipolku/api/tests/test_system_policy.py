"""The access policy's branch for system clients (access/policy.py `_system_access`)."""

from __future__ import annotations

import pytest

from tukipolku.access import policy
from tukipolku.api.auth import system_reader
from tukipolku.api.tests.conftest import consent_for
from tukipolku.core.choices import OrganisationKind
from tukipolku.core.tests.factories import OrganisationFactory
from tukipolku.privacy import services as privacy_services
from tukipolku.privacy.choices import DataCategory, Purpose

pytestmark = pytest.mark.django_db


def test_system_access__consent_opens_its_categories_read_only(system_client, shared_episode):
    reader = system_reader(system_client.client)
    access = policy.episode_access(actor=reader, episode=shared_episode)
    assert access is not None
    assert set(access.categories) == {DataCategory.SHARED_PLAN}
    assert access.basis == "system_client_consent" and access.partner
    assert not policy.can_change_episode(actor=reader, episode=shared_episode)
    assert list(policy.visible_episodes(reader)) == [shared_episode]


def test_system_access__a_prohibition_wins(system_client, shared_episode, nurse, partner_org):
    privacy_services.consent_record(
        actor=nurse,
        client=shared_episode.client,
        episode_id=shared_episode.pk,
        kind="prohibition",
        recipient_organisation=partner_org,
        recipient_kind="",
        categories=[DataCategory.SHARED_PLAN],
        purpose=Purpose.OTHER,
        valid_from=shared_episode.opened_at.date(),
        valid_until=None,
        given_how="written",
    )
    reader = system_reader(system_client.client)
    assert policy.episode_access(actor=reader, episode=shared_episode) is None


def test_system_access__another_region_reads_nothing(shared_episode, nurse):
    region = OrganisationFactory(name="Toinen alue", kind=OrganisationKind.WELFARE_REGION)
    region.region = region
    region.save()
    far = OrganisationFactory(name="Toisen alueen TE", kind=OrganisationKind.EMPLOYMENT_SERVICES, region=region)
    consent_for(actor=nurse, episode=shared_episode, organisation=far)
    from tukipolku.api.tests.factories import make_system_client

    reader = system_reader(make_system_client(organisation=far).client)
    assert policy.episode_access(actor=reader, episode=shared_episode) is None
