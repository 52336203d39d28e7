"""Welfare regions (ADR 11): every organisation, team, user and pathway belongs to one region; the
gate keeps each region's clients to its own people; episodes open only on the region's pathways; a
regional administrator manages only their own region in the administration."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission
from django.test import Client as Browser
from django.urls import reverse

from conftest import open_episode
from tukipolku.access import policy
from tukipolku.cases.models import Episode
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.exceptions import ApplicationError
from tukipolku.core.models import Organisation, Team, TeamMembership, User
from tukipolku.core.regions import REGIONAL_ADMIN_GROUP
from tukipolku.core.tests.factories import OrganisationFactory, TeamFactory, UserFactory, member
from tukipolku.pathways.models import Pathway
from tukipolku.pathways.selectors import pathway_list_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions(shipped_pathways):
    """Region R (the shipped pathways are its) with a centre and a team; region S likewise."""
    r = OrganisationFactory(name="Alue R", kind=OrganisationKind.WELFARE_REGION)
    s = OrganisationFactory(name="Alue S", kind=OrganisationKind.WELFARE_REGION)
    Pathway.objects.update(region=r)
    teams = {}
    for region in (r, s):
        centre = OrganisationFactory(name=f"Keskus {region.name}", parent=region)
        teams[region.pk] = TeamFactory(organisation=centre, name=f"Tiimi {region.name}")
    return r, s, teams[r.pk], teams[s.pk]


def fresh(user):
    return User.objects.get(pk=user.pk)


def test_organisation__region_is_itself_or_inherited_from_the_parent():
    region = OrganisationFactory(kind=OrganisationKind.WELFARE_REGION)
    centre = OrganisationFactory(parent=region)
    team = TeamFactory(organisation=centre)
    user = UserFactory(organisation=centre)

    assert region.region_id == region.pk
    assert Organisation.objects.get(pk=region.pk).region_id == region.pk
    assert centre.region_id == region.pk
    assert team.region_id == region.pk
    assert user.region_id == region.pk
    assert UserFactory(organisation=None).region_id is None


def test_migration__fills_todays_organisations_and_pathways_with_the_only_region(shipped_pathways):
    region = OrganisationFactory(kind=OrganisationKind.WELFARE_REGION)
    centre = OrganisationFactory(parent=region)
    partner = OrganisationFactory(kind=OrganisationKind.KELA)
    Organisation.objects.update(region=None)
    Pathway.objects.update(region=None)

    importlib.import_module("tukipolku.core.migrations.0005_organisation_region").fill_regions(django_apps, None)
    migration = next(
        m
        for m in ("0007_pathway_region", "0006_pathway_region")
        if importlib.util.find_spec(f"tukipolku.pathways.migrations.{m}")
    )
    importlib.import_module(f"tukipolku.pathways.migrations.{migration}").fill_regions(django_apps, None)

    assert set(Organisation.objects.values_list("pk", "region_id")) == {
        (region.pk, region.pk),
        (centre.pk, region.pk),
        (partner.pk, region.pk),
    }
    assert set(Pathway.objects.values_list("region_id", flat=True)) == {region.pk}


def test_gate__a_team_member_of_another_region_sees_nothing_of_the_team(regions, satakunta):
    _r, _s, team_r, team_s = regions
    nurse = member(team_r, profession=Profession.PUBLIC_HEALTH_NURSE)
    episode = open_episode(nurse, team_r, satakunta)
    # Someone of region S who is (wrongly, say by an old membership) a member of region R's team.
    stray = UserFactory(profession=Profession.PUBLIC_HEALTH_NURSE, organisation=team_s.organisation)
    TeamMembership.objects.create(team=team_r, user=stray)

    assert policy.can_view_episode(actor=fresh(nurse), episode=episode)
    assert not policy.can_view_episode(actor=fresh(stray), episode=episode)
    assert not policy.visible_episodes(fresh(stray)).exists()
    assert policy.visible_among(actor=fresh(stray), episodes=[episode]) == []
    assert not policy.can_open_episode_in(actor=fresh(stray), team_id=team_r.pk)


def test_gate__a_partner_of_another_region_with_a_consent_and_in_the_team_sees_nothing(regions, satakunta):
    from tukipolku.cases import services as case_services
    from tukipolku.privacy.choices import DataCategory, GivenHow, Purpose
    from tukipolku.privacy.services import consent_record

    r, s, team_r, _team_s = regions
    nurse = member(team_r)
    episode = open_episode(nurse, team_r, satakunta)
    partner_org = OrganisationFactory(kind=OrganisationKind.EMPLOYMENT_SERVICES, region=s)
    partner = UserFactory(profession=Profession.EMPLOYMENT_COORDINATOR, organisation=partner_org)
    case_services.case_member_add(actor=nurse, episode=episode, user=partner)
    consent_record(
        actor=nurse,
        client=episode.client,
        episode_id=episode.pk,
        kind="consent",
        recipient_organisation=partner_org,
        recipient_kind="",
        categories=[DataCategory.SHARED_PLAN],
        purpose=Purpose.EMPLOYMENT,
        valid_from=episode.opened_at.date(),
        valid_until=None,
        given_how=GivenHow.WRITTEN,
    )
    assert not policy.can_view_episode(actor=fresh(partner), episode=episode)
    # The same partner in region R would see it: the region is what refuses.
    Organisation.objects.filter(pk=partner_org.pk).update(region=r)
    assert policy.can_view_episode(actor=fresh(partner), episode=Episode.objects.get(pk=episode.pk))


def test_pathways__a_team_opens_episodes_only_on_its_own_regions_pathways(regions, satakunta):
    _r, s, team_r, team_s = regions
    nurse_s = member(team_s)

    assert not pathway_list_for(actor=fresh(nurse_s)).exists()
    assert satakunta in pathway_list_for(actor=fresh(member(team_r)))
    with pytest.raises(ApplicationError):
        open_episode(fresh(nurse_s), team_s, satakunta, client=ClientFactory())

    Pathway.objects.filter(pk=satakunta.pk).update(region=s)
    satakunta.refresh_from_db()
    assert open_episode(fresh(nurse_s), team_s, satakunta, client=ClientFactory()).team == team_s


# ---------------------------------------------------------------- the administration


@pytest.fixture
def regional_admin(regions):
    _r, s, _team_r, _team_s = regions
    group, _created = Group.objects.get_or_create(name=REGIONAL_ADMIN_GROUP)
    for app, model in [
        ("core", "organisation"),
        ("core", "team"),
        ("core", "user"),
        ("core", "teammembership"),
        ("pathways", "pathway"),
        ("pathways", "pathwayversion"),
        ("pathways", "pathwaystep"),
    ]:
        for action in ("view", "add", "change"):
            group.permissions.add(Permission.objects.get(content_type__app_label=app, codename=f"{action}_{model}"))
    user = UserFactory(profession=Profession.ADMINISTRATOR, organisation=s, is_staff=True, username="alueadmin")
    user.groups.add(group)
    return user


def _browser(user):
    c = Browser()
    c.force_login(user)
    return c


def test_admin__regional_admin_lists_only_their_regions_rows(regions, regional_admin):
    _r, _s, team_r, team_s = regions
    other_user = member(team_r, username="toisen-alueen")
    own_user = member(team_s, username="oman-alueen")
    c = _browser(regional_admin)

    orgs = c.get(reverse("admin:core_organisation_changelist")).content.decode()
    teams = c.get(reverse("admin:core_team_changelist")).content.decode()
    users = c.get(reverse("admin:core_user_changelist")).content.decode()
    pathways = c.get(reverse("admin:pathways_pathway_changelist")).content.decode()

    assert "Alue S" in orgs and "Keskus Alue S" in orgs
    assert "Keskus Alue R" not in orgs
    assert team_s.name in teams and team_r.name not in teams
    assert own_user.username in users and other_user.username not in users
    assert "satakunta" not in pathways  # region R's


def test_admin__another_regions_object_is_not_found_and_cannot_be_saved(regions, regional_admin, satakunta):
    _r, _s, team_r, _team_s = regions
    c = _browser(regional_admin)

    for url in (
        reverse("admin:core_team_change", args=[team_r.pk]),
        reverse("admin:core_organisation_change", args=[team_r.organisation_id]),
        reverse("admin:pathways_pathway_change", args=[satakunta.pk]),
    ):
        response = c.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("admin:index"), url
    response = c.post(
        reverse("admin:core_team_change", args=[team_r.pk]),
        {"name": "Kaapattu", "organisation": team_r.organisation_id},
    )
    assert Team.objects.get(pk=team_r.pk).name == team_r.name


def test_admin__form_choices_hold_only_the_region_and_a_new_team_stays_in_it(regions, regional_admin):
    _r, s, team_r, team_s = regions
    c = _browser(regional_admin)

    form = c.get(reverse("admin:core_team_add")).content.decode()
    assert "Keskus Alue S" in form and "Keskus Alue R" not in form
    refused = c.post(reverse("admin:core_team_add"), {"name": "Uusi tiimi", "organisation": team_r.organisation_id})
    assert refused.status_code == 200 and not Team.objects.filter(name="Uusi tiimi").exists()

    c.post(
        reverse("admin:core_team_add"),
        {
            "name": "Uusi tiimi",
            "organisation": team_s.organisation_id,
            "is_active": "on",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert Team.objects.get(name="Uusi tiimi").region_id == s.pk


def test_admin__regional_admin_cannot_add_a_region_nor_make_anyone_a_superuser(regions, regional_admin):
    _r, s, _team_r, _team_s = regions
    c = _browser(regional_admin)

    form = c.get(reverse("admin:core_organisation_add")).content.decode()
    assert 'value="welfare_region"' not in form
    c.post(reverse("admin:core_organisation_add"), {"name": "Uusi alue", "kind": "welfare_region"})
    assert not Organisation.objects.filter(name="Uusi alue").exists()
    c.post(reverse("admin:core_organisation_add"), {"name": "Uusi keskus", "kind": "sote_centre"})
    assert Organisation.objects.get(name="Uusi keskus").region_id == s.pk

    page = c.get(reverse("admin:core_user_change", args=[regional_admin.pk])).content.decode()
    assert 'name="is_superuser"' not in page


def test_referrals__only_to_organisations_of_the_clients_region(regions, satakunta):
    import datetime

    from django.utils import timezone

    from tukipolku.privacy.choices import DataCategory, GivenHow, Purpose
    from tukipolku.privacy.services import consent_record
    from tukipolku.referrals.choices import ReferralKind
    from tukipolku.referrals.services import referral_send

    r, s, team_r, _team_s = regions
    nurse = member(team_r)
    episode = open_episode(nurse, team_r, satakunta)
    other = OrganisationFactory(kind=OrganisationKind.EMPLOYMENT_SERVICES, region=s)
    own = OrganisationFactory(kind=OrganisationKind.EMPLOYMENT_SERVICES, region=r)
    send = {
        "actor": fresh(nurse),
        "episode": episode,
        "kind": ReferralKind.EMPLOYMENT_SERVICES,
        "reason": "Työnhaun tuki.",
        "categories": [],
        "due_on": timezone.localdate() + datetime.timedelta(days=7),
    }

    for organisation in (other, own):
        consent_record(
            actor=nurse,
            client=episode.client,
            episode_id=episode.pk,
            kind="consent",
            recipient_organisation=organisation,
            recipient_kind="",
            categories=[DataCategory.SHARED_PLAN],
            purpose=Purpose.EMPLOYMENT,
            valid_from=timezone.localdate(),
            valid_until=None,
            given_how=GivenHow.WRITTEN,
        )
    send["categories"] = [DataCategory.SHARED_PLAN]

    with pytest.raises(ApplicationError, match="welfare region"):
        referral_send(recipient_organisation=other, **send)
    assert referral_send(recipient_organisation=own, **send).recipient_organisation == own


def test_admin__superuser_cannot_add_a_member_of_another_region_to_a_team(regions):
    _r, _s, team_r, team_s = regions
    superuser = UserFactory(profession=Profession.ADMINISTRATOR, is_staff=True, is_superuser=True, organisation=None)
    stranger = member(team_s, username="toinen-alue")
    c = _browser(superuser)

    response = c.post(
        reverse("admin:core_team_change", args=[team_r.pk]),
        {
            "name": team_r.name,
            "organisation": team_r.organisation_id,
            "is_active": "on",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": stranger.pk,
            "memberships-0-role": "member",
            "memberships-0-started_on": "1.1.2026",
        },
    )

    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert list(errors[0]) == ["user"], errors
    assert not TeamMembership.objects.filter(team=team_r, user=stranger).exists()


def test_admin__a_pathways_teams_are_chosen_only_from_the_region(regions, regional_admin):
    _r, s, _team_r, team_s = regions
    pathway = Pathway.objects.create(code="alue-s", name_fi="S-malli", name_sv="S-modell", name_en="S model", region=s)
    c = _browser(regional_admin)

    form = c.get(reverse("admin:pathways_pathway_change", args=[pathway.pk])).content.decode()
    assert f'<option value="{team_s.pk}">Tiimi Alue S</option>' in form
    assert "Tiimi Alue R" not in form
