"""The demo's second welfare region (ADR 11): its own team, pathway and users, and the separation
of the two regions shows in what each side sees."""

import io

import pytest
from django.core.management import call_command

from tukipolku.access import policy
from tukipolku.cases.models import Episode
from tukipolku.core.models import Organisation, User
from tukipolku.core.regions import REGIONAL_ADMIN_GROUP

pytestmark = pytest.mark.django_db

NORTH = ("north-nurse", "north-physician", "north-socialworker", "north-manager", "north-employment", "north-admin")


@pytest.fixture
def loaded(shipped_pathways):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_load_demo__prints_the_second_regions_logins(loaded):
    for username in (*NORTH, "north-dpo"):
        assert f"  {username} " in loaded
    assert "Regional administrator" in loaded


def test_load_demo__second_region_has_its_own_team_pathway_and_clients(loaded):
    north = Organisation.objects.get(name="Pohjoisrannikon hyvinvointialue")
    users = {u.username: u for u in User.objects.filter(username__in=(*NORTH, "north-dpo", "nurse", "dpo"))}
    assert {u.region_id for k, u in users.items() if k.startswith("north-")} == {north.pk}
    episodes = Episode.objects.filter(team__organisation__region=north)
    assert episodes.count() == 4
    assert {e.pathway_version.pathway.region_id for e in episodes} == {north.pk}
    # The generated clients are all the first region's.
    assert (
        not Episode.objects.exclude(team__organisation__region=north)
        .filter(pathway_version__pathway__region=north)
        .exists()
    )
    admin = users["north-admin"]
    assert admin.is_staff and not admin.is_superuser and admin.groups.filter(name=REGIONAL_ADMIN_GROUP).exists()


def test_load_demo__neither_region_sees_the_others_clients(loaded):
    north = Organisation.objects.get(name="Pohjoisrannikon hyvinvointialue")
    north_nurse = User.objects.get(username="north-nurse")
    nurse = User.objects.get(username="nurse")
    north_episodes = set(Episode.objects.filter(team__organisation__region=north).values_list("pk", flat=True))

    assert set(policy.visible_episodes(north_nurse).values_list("pk", flat=True)) == north_episodes
    assert not set(policy.visible_episodes(nurse).values_list("pk", flat=True)) & north_episodes
    partner = User.objects.get(username="north-employment")
    shared = [
        e for e in policy.partner_candidate_episodes(partner) if policy.can_view_episode(actor=partner, episode=e)
    ]
    assert len(shared) == 1 and shared[0].pk in north_episodes
