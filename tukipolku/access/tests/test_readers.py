"""The kinds of reader the policy dispatches on (access/readers.py). The client and the system client
of the API are real kinds today that get nothing, and each refusal is logged."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.http import Http404

from tukipolku.access import log as access_log
from tukipolku.access import policy
from tukipolku.access.readers import ClientReader, ReaderKind, SystemReader, account_of, reader_kind
from tukipolku.audit.models import PersonalDataAccess
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory
from tukipolku.privacy.choices import Purpose


@pytest.fixture
def client_reader(episode):
    return ClientReader(account=UserFactory(profession="", username="asiakas"), client_id=episode.client_id)


@pytest.fixture
def system_reader(db):
    organisation = OrganisationFactory(name="Kela", kind=OrganisationKind.KELA)
    account = UserFactory(profession="", username="kela-api", organisation=organisation)
    return SystemReader(account=account, organisation_id=organisation.pk, purposes=frozenset({Purpose.BENEFITS}))


@pytest.mark.django_db
def test_reader_kind__each_user_gets_their_branch(nurse, client_reader, system_reader):
    partner = UserFactory(profession=Profession.EMPLOYMENT_COORDINATOR)
    officer = UserFactory(profession="")
    officer.user_permissions.add(Permission.objects.get(codename="review_access_log"))
    officer = type(officer).objects.get(pk=officer.pk)

    assert reader_kind(nurse) == ReaderKind.PROFESSIONAL
    assert reader_kind(partner) == ReaderKind.PARTNER
    assert reader_kind(officer) == ReaderKind.DPO
    assert reader_kind(client_reader) == ReaderKind.CLIENT
    assert reader_kind(system_reader) == ReaderKind.SYSTEM
    assert reader_kind(AnonymousUser()) == ReaderKind.NONE
    assert reader_kind(None) == ReaderKind.NONE
    assert account_of(client_reader) == client_reader.account


@pytest.mark.django_db
@pytest.mark.parametrize("reader", ["client_reader", "system_reader"])
def test_readers_that_come_next__get_nothing_and_are_logged_as_refused(request, reader, episode):
    reader = request.getfixturevalue(reader)

    assert policy.episode_access(actor=reader, episode=episode) is None
    assert not policy.can_view_episode(actor=reader, episode=episode)
    assert not policy.readable_registers(actor=reader, episode=episode)
    assert not policy.visible_episodes(reader).exists()
    with pytest.raises(Http404):
        access_log.episode_get_for(actor=reader, episode_id=episode.pk, view="cases:detail")

    rows = list(PersonalDataAccess.objects.filter(user=reader.account).values_list("outcome", "client_id", "reason"))
    assert rows == [("denied", episode.client_id, "no_relationship")]


@pytest.mark.django_db
def test_client_reader__never_reaches_another_clients_episode(episode, nurse, team, satakunta):
    from conftest import open_episode

    other = open_episode(nurse, team, satakunta)
    reader = ClientReader(account=UserFactory(profession=""), client_id=episode.client_id)

    assert policy.episode_access(actor=reader, episode=other) is None
