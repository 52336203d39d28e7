"""The access policy (access/policy.py) and the selectors that read client data through it.

A professional sees the episodes of the teams they are an active member of, and the episodes where
they are in the client's team while still belonging to a team of the same organisation. Nobody else
sees client data. Every allowed read is written to the access log; missing and forbidden look alike.
"""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from conftest import open_episode
from tukipolku.access import log as access_log
from tukipolku.access import policy
from tukipolku.access.choices import AccessGround
from tukipolku.audit.choices import AccessAction, AccessOutcome
from tukipolku.audit.models import PersonalDataAccess
from tukipolku.cases import selectors
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import AssignmentKind, Outcome
from tukipolku.cases.models import CaseTeamMember
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.models import TeamMembership, User
from tukipolku.core.permissions import PARTNER_PROFESSIONS
from tukipolku.core.tests.factories import OrganisationFactory, TeamFactory, UserFactory, member


@pytest.fixture
def sister_team(org):
    """Another team of the same organisation."""
    return TeamFactory(organisation=org, name="Kuntoutustiimi")


@pytest.fixture
def colleague(sister_team):
    return member(sister_team, profession=Profession.PHYSIOTHERAPIST)


@pytest.fixture
def partner(db):
    """Employment services staff: another organisation, no team."""
    return UserFactory(
        profession=Profession.EMPLOYMENT_COORDINATOR,
        organisation=OrganisationFactory(kind=OrganisationKind.EMPLOYMENT_SERVICES),
    )


@pytest.fixture
def outsider_episode(outsider, other_team, satakunta):
    return open_episode(
        outsider, other_team, satakunta, client=ClientFactory(first_names="Ulla", last_name="Ulkopuolinen")
    )


def fresh(user):
    """A new user object, as each request has: the gate memoises team ids on the user object."""
    return User.objects.get(pk=user.pk)


def today():
    return timezone.localdate()


def end_membership(user, team, on):
    TeamMembership.objects.filter(user=user, team=team).update(ended_on=on)


def access_rows(user=None):
    """Allowed reads in the access log (refusals are in `denied_rows`)."""
    qs = PersonalDataAccess.objects.filter(outcome="allowed").order_by("id")
    return list(qs.filter(user=user) if user is not None else qs)


def denied_rows(user):
    return list(PersonalDataAccess.objects.filter(user=user, outcome="denied").order_by("id"))


def visible_ids(user):
    return set(policy.visible_episodes(fresh(user)).values_list("pk", flat=True))


# ================================================================ who sees an episode


@pytest.mark.django_db
def test_visible_episodes__team_members_see_the_teams_episodes(nurse, physician, episode, outsider_episode):
    assert visible_ids(nurse) == {episode.pk}
    assert visible_ids(physician) == {episode.pk}  # not in the client's team, but in the team
    assert policy.access_basis(actor=fresh(physician), episode=episode) == AccessGround.TEAM
    assert policy.can_view_episode(actor=fresh(physician), episode=episode)
    assert policy.can_change_episode(actor=fresh(physician), episode=episode)


@pytest.mark.django_db
@pytest.mark.parametrize(("ended_on_offset", "allowed"), [(-1, False), (0, False), (1, True)])
def test_visible_episodes__access_ends_with_the_team_membership(physician, team, episode, ended_on_offset, allowed):
    end_membership(physician, team, today() + datetime.timedelta(days=ended_on_offset))

    assert (episode.pk in visible_ids(physician)) is allowed
    assert policy.can_view_episode(actor=fresh(physician), episode=episode) is allowed


@pytest.mark.django_db
def test_episode_get_for__member_whose_membership_ended_yesterday_is_denied(physician, team, episode):
    end_membership(physician, team, today() - datetime.timedelta(days=1))

    with pytest.raises(Http404):
        access_log.episode_get_for(actor=fresh(physician), episode_id=episode.pk, view="cases:detail")

    assert access_rows(physician) == []
    (denied,) = denied_rows(physician)
    assert (denied.client_id, denied.episode_id, denied.reason) == (episode.client_id, episode.pk, "no_relationship")
    assert not selectors.caseload_for(actor=fresh(physician))[1]


@pytest.mark.django_db
def test_visible_episodes__membership_that_has_not_started_is_denied(physician, team, episode):
    TeamMembership.objects.filter(user=physician, team=team).update(started_on=today() + datetime.timedelta(days=1))

    assert visible_ids(physician) == set()


@pytest.mark.django_db
def test_episode_get_for__other_teams_nurse_gets_404(outsider, episode):
    with pytest.raises(Http404):
        access_log.episode_get_for(actor=outsider, episode_id=episode.pk, view="cases:detail")

    assert episode.pk not in visible_ids(outsider)
    assert policy.access_basis(actor=outsider, episode=episode) is None
    assert not policy.can_change_episode(actor=outsider, episode=episode)
    assert access_rows(outsider) == []
    assert [r.client_id for r in denied_rows(outsider)] == [episode.client_id]


@pytest.mark.django_db
def test_episode_get_for__missing_episode_looks_the_same_as_forbidden(nurse, episode):
    with pytest.raises(Http404):
        access_log.episode_get_for(actor=nurse, episode_id=episode.pk + 1000, view="cases:detail")

    assert access_rows(nurse) == []
    assert [(r.client_id, r.reason) for r in denied_rows(nurse)] == [(None, "not_found")]


@pytest.mark.django_db
def test_gate__administrator_sees_no_client_data(admin_user, team, episode):
    TeamMembership.objects.create(team=team, user=admin_user)  # even as a team member
    admin = fresh(admin_user)

    assert visible_ids(admin) == set()
    with pytest.raises(Http404):
        access_log.episode_get_for(actor=admin, episode_id=episode.pk, view="cases:detail")
    assert selectors.caseload_for(actor=admin)[1] == []
    assert selectors.client_find_for(actor=admin, query=episode.client.last_name)[0] == []
    assert selectors.client_find_for(actor=admin, query=episode.client.identity_code)[0] == []
    assert not policy.can_search_clients(admin)
    assert not policy.can_open_episode_in(actor=admin, team_id=team.pk)
    assert access_rows() == []


@pytest.mark.django_db
def test_gate__partner_staff_see_no_client_data(partner, team, nurse, episode):
    partner_actor = fresh(partner)

    assert visible_ids(partner_actor) == set()
    with pytest.raises(Http404):
        access_log.episode_get_for(actor=partner_actor, episode_id=episode.pk, view="cases:detail")
    assert selectors.client_find_for(actor=partner_actor, query=episode.client.identity_code)[0] == []
    with pytest.raises(Http404):
        selectors.client_get_for_opening(
            actor=partner_actor, client_id=episode.client_id, looked_up_ids={episode.client_id}
        )

    # Neither a team membership nor a place in the client's team gives partner staff access (yet).
    TeamMembership.objects.create(team=team, user=partner)
    CaseTeamMember.objects.create(episode=episode, user=partner, added_by=nurse)
    assert visible_ids(partner) == set()
    assert not policy.can_view_episode(actor=fresh(partner), episode=episode)
    assert access_rows() == []


@pytest.mark.django_db
def test_gate__case_team_member_from_another_team_of_the_same_organisation(nurse, colleague, team, satakunta, episode):
    second = open_episode(nurse, team, satakunta)
    case_services.case_member_add(actor=nurse, episode=episode, user=colleague)
    actor = fresh(colleague)

    got = access_log.episode_get_for(actor=actor, episode_id=episode.pk, view="cases:team")

    assert got == episode
    assert visible_ids(colleague) == {episode.pk}  # only the client whose team they are in
    assert second.pk not in visible_ids(colleague)
    assert policy.access_basis(actor=actor, episode=episode) == AccessGround.CASE_TEAM
    assert policy.can_change_episode(actor=actor, episode=episode)
    (row,) = access_rows(colleague)
    assert (row.client_id, row.episode_id, row.view, row.basis) == (
        episode.client_id,
        episode.pk,
        "cases:team",
        AccessGround.CASE_TEAM,
    )
    with pytest.raises(Http404):
        access_log.episode_get_for(actor=actor, episode_id=second.pk, view="cases:detail")


@pytest.mark.django_db
def test_gate__case_team_access_ends_when_removed_from_the_clients_team(nurse, colleague, episode):
    added = case_services.case_member_add(actor=nurse, episode=episode, user=colleague)
    case_services.case_member_remove(actor=nurse, episode=episode, member=added)

    with pytest.raises(Http404):
        access_log.episode_get_for(actor=fresh(colleague), episode_id=episode.pk, view="cases:detail")


@pytest.mark.django_db
def test_gate__case_team_access_ends_with_the_own_team_membership(nurse, colleague, sister_team, episode):
    case_services.case_member_add(actor=nurse, episode=episode, user=colleague)
    end_membership(colleague, sister_team, today() - datetime.timedelta(days=1))

    assert visible_ids(colleague) == set()
    with pytest.raises(Http404):
        access_log.episode_get_for(actor=fresh(colleague), episode_id=episode.pk, view="cases:detail")


@pytest.mark.django_db
def test_gate__case_team_member_of_another_organisation_is_denied(nurse, outsider, episode):
    """The service refuses such a member; should a row exist anyway, the gate still says no."""
    CaseTeamMember.objects.create(episode=episode, user=outsider, added_by=nurse)

    assert visible_ids(outsider) == set()
    with pytest.raises(Http404):
        access_log.episode_get_for(actor=fresh(outsider), episode_id=episode.pk, view="cases:detail")


@pytest.mark.django_db
def test_gate__closed_episode_is_visible_but_not_changeable(nurse, episode):
    case_services.episode_close(
        confirm_early=True,
        actor=nurse,
        episode=episode,
        outcome=Outcome.STUDIES,
        outcome_on=today(),
        follow_ups=[(today() + datetime.timedelta(days=90), nurse)],
    )
    episode.refresh_from_db()

    assert policy.can_view_episode(actor=fresh(nurse), episode=episode)
    assert not policy.can_change_episode(actor=fresh(nurse), episode=episode)


# ================================================================ the access log


@pytest.mark.django_db
def test_episode_get_for__writes_an_access_row_for_each_read(nurse, physician, episode):
    access_log.episode_get_for(actor=nurse, episode_id=episode.pk, view="cases:detail")
    access_log.episode_get_for(actor=nurse, episode_id=episode.pk, view="plans:edit")
    access_log.episode_get_for(actor=physician, episode_id=episode.pk, view="cases:detail")

    rows = access_rows()
    assert [(r.user, r.view) for r in rows] == [
        (nurse, "cases:detail"),
        (nurse, "plans:edit"),
        (physician, "cases:detail"),
    ]
    for row in rows:
        assert (row.client_id, row.episode_id) == (episode.client_id, episode.pk)
        assert (row.action, row.basis, row.outcome) == (AccessAction.VIEW, AccessGround.TEAM, AccessOutcome.ALLOWED)
        assert row.accessed_at is not None


@pytest.mark.django_db
def test_caseload_for__one_list_row_per_listed_episode(nurse, physician, team, satakunta):
    mine = [open_episode(nurse, team, satakunta) for _ in range(3)]
    open_episode(physician, team, satakunta)  # visible to the nurse, but she is not in the client's team

    _page, rows = selectors.caseload_for(actor=nurse)

    assert {r.episode.pk for r in rows} == {e.pk for e in mine}
    logged = access_rows(nurse)
    assert sorted((r.client_id, r.episode_id) for r in logged) == sorted((e.client_id, e.pk) for e in mine)
    assert {(r.view, r.action, r.basis) for r in logged} == {("cases:caseload", AccessAction.LIST, AccessGround.TEAM)}


@pytest.mark.django_db
def test_caseload_for__only_contact_filter(nurse, team, satakunta):
    first, second = open_episode(nurse, team, satakunta), open_episode(nurse, team, satakunta)
    case_services.assignment_set(actor=nurse, episode=first, kind=AssignmentKind.CONTACT_PERSON, user=nurse)

    _page, rows = selectors.caseload_for(actor=nurse, only_contact=True)

    assert [r.episode.pk for r in rows] == [first.pk]
    assert rows[0].i_am_contact
    assert second.pk not in {r.episode_id for r in access_rows(nurse)}


@pytest.mark.django_db
def test_board_for__only_the_actors_own_teams(nurse, outsider, team, other_team, satakunta, episode, outsider_episode):
    filters = selectors.BoardFilters(team=team, pathway=satakunta)

    columns = selectors.board_for(actor=nurse, filters=filters, per_column=25)
    foreign = selectors.board_for(
        actor=nurse, filters=selectors.BoardFilters(team=other_team, pathway=satakunta), per_column=25
    )
    outsiders_view = selectors.board_for(actor=outsider, filters=filters, per_column=25)

    assert [r.episode.pk for c in columns for r in c.rows] == [episode.pk]
    assert [c.order for c in columns] == list(range(1, 10))
    assert foreign == outsiders_view == []
    assert [(r.episode_id, r.view) for r in access_rows(nurse)] == [(episode.pk, "cases:board")]
    assert access_rows(outsider) == []


# ================================================================ finding clients


@pytest.mark.django_db
def test_client_find_for__identity_code_finds_a_client_outside_the_actors_teams(nurse, outsider_episode):
    client = outsider_episode.client
    typed = " " + client.identity_code.lower().replace("-", "\u2013") + " "

    hits, code = selectors.client_find_for(actor=nurse, query=typed)

    assert code == client.identity_code
    (hit,) = hits
    assert (hit.client, hit.visible, hit.episodes) == (client, False, [])
    (row,) = access_rows(nurse)
    assert (row.client_id, row.episode_id, row.view) == (client.pk, None, "cases:intake")
    assert (row.action, row.basis, row.outcome) == (
        AccessAction.SEARCH,
        AccessGround.IDENTITY_CODE,
        AccessOutcome.ALLOWED,
    )


@pytest.mark.django_db
def test_client_find_for__identity_code_of_a_visible_client(nurse, episode):
    hits, code = selectors.client_find_for(actor=nurse, query=episode.client.identity_code)

    (hit,) = hits
    assert code == episode.client.identity_code
    assert (hit.client, hit.visible, hit.episodes) == (episode.client, True, [episode])
    (row,) = access_rows(nurse)
    assert (row.client_id, row.basis, row.action) == (episode.client_id, AccessGround.TEAM, AccessAction.SEARCH)


@pytest.mark.django_db
def test_client_find_for__identity_code_of_a_client_without_any_episode(nurse):
    client = ClientFactory()

    (hit,), _code = selectors.client_find_for(actor=nurse, query=client.identity_code)

    assert (hit.client, hit.visible) == (client, False)
    assert access_rows(nurse)[0].basis == AccessGround.IDENTITY_CODE


@pytest.mark.django_db
def test_client_find_for__unknown_or_invalid_code_finds_nothing(nurse, episode):
    code = episode.client.identity_code
    unknown = ClientFactory.build().identity_code

    assert selectors.client_find_for(actor=nurse, query=unknown.lower()) == ([], unknown)
    hits, _code = selectors.client_find_for(actor=nurse, query=code[:-1] + ("A" if code[-1] != "A" else "B"))
    assert hits == []
    assert access_rows() == []


@pytest.mark.django_db
def test_client_find_for__name_finds_only_visible_clients(nurse, team, satakunta, outsider, other_team):
    mine = open_episode(nurse, team, satakunta, client=ClientFactory(first_names="Aino", last_name="Hakulinen"))
    theirs = open_episode(
        outsider, other_team, satakunta, client=ClientFactory(first_names="Aili", last_name="Hakulinen")
    )
    ClientFactory(first_names="Aarne", last_name="Hakulinen")  # no episode anywhere

    hits, code = selectors.client_find_for(actor=nurse, query="hakulinen")

    assert code is None
    assert [(h.client, h.visible, h.episodes) for h in hits] == [(mine.client, True, [mine])]
    assert [(r.client_id, r.basis, r.action) for r in access_rows(nurse)] == [
        (mine.client_id, AccessGround.TEAM, AccessAction.SEARCH)
    ]
    assert selectors.client_find_for(actor=nurse, query="Aili Hakulinen")[0] == []
    assert [h.client for h in selectors.client_find_for(actor=outsider, query="Hakulinen")[0]] == [theirs.client]


@pytest.mark.django_db
def test_client_find_for__name_terms_narrow_the_search(nurse, team, satakunta):
    aino = open_episode(nurse, team, satakunta, client=ClientFactory(first_names="Aino Maria", last_name="Mäkelä"))
    open_episode(nurse, team, satakunta, client=ClientFactory(first_names="Eero", last_name="Mäkelä"))

    hits, _code = selectors.client_find_for(actor=nurse, query="  mäkelä   maria ")

    assert [h.client for h in hits] == [aino.client]
    assert selectors.client_find_for(actor=nurse, query="m") == ([], None)


@pytest.mark.django_db
def test_client_get_for_opening__looked_up_or_visible_clients_only(nurse, episode, outsider_episode):
    foreign = outsider_episode.client

    with pytest.raises(Http404):
        selectors.client_get_for_opening(actor=nurse, client_id=foreign.pk, looked_up_ids=set())
    with pytest.raises(Http404):
        selectors.client_get_for_opening(actor=nurse, client_id=foreign.pk + 1000, looked_up_ids={foreign.pk + 1000})
    looked_up = selectors.client_get_for_opening(actor=nurse, client_id=foreign.pk, looked_up_ids={foreign.pk})
    visible = selectors.client_get_for_opening(actor=nurse, client_id=episode.client_id, looked_up_ids=set())

    assert (looked_up, visible) == (foreign, episode.client)
    assert [(r.client_id, r.episode_id, r.view, r.basis) for r in access_rows(nurse)] == [
        (foreign.pk, None, "cases:episode_open", AccessGround.IDENTITY_CODE),
        (episode.client_id, None, "cases:episode_open", AccessGround.TEAM),
    ]


@pytest.mark.django_db
def test_client_get_for_opening__administrator_is_refused_even_with_a_looked_up_id(admin_user, episode):
    with pytest.raises(Http404):
        selectors.client_get_for_opening(
            actor=admin_user, client_id=episode.client_id, looked_up_ids={episode.client_id}
        )

    assert access_rows() == []


@pytest.mark.django_db
def test_case_team_candidates__active_professionals_of_the_organisation(
    nurse, physician, social_worker, colleague, outsider, admin_user, team, episode
):
    member(team, profession=Profession.NURSE, is_active=False)
    ended = member(team, profession=Profession.PSYCHOLOGIST)
    end_membership(ended, team, today())
    partner_in_team = member(team, profession=Profession.KELA_EXPERT)

    partner_staff = UserFactory(profession=Profession.KELA_EXPERT, organisation=OrganisationFactory())

    candidates = set(selectors.case_team_candidates(episode=episode))
    professionals = set(selectors.case_team_candidates(episode=episode, include_partners=False))

    # Partner staff may join a client's team (they then see what the client's consents allow);
    # a partner needs an organisation for consents to name.
    partners = set(User.objects.filter(profession__in=PARTNER_PROFESSIONS, organisation__isnull=False))
    assert partner_staff in partners
    assert candidates == {nurse, physician, social_worker, colleague} | partners
    assert professionals == {nurse, physician, social_worker, colleague}
    assert not candidates & {outsider, admin_user, ended}
    assert partner_in_team in candidates and partner_in_team not in professionals
