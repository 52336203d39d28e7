"""Finding one's own clients from the caseload, and new relationships on top of it (issue 10, item 1).

The search is a POST (htmx as one types, or a plain form): what was typed, possibly the end of an
identity code, never enters a URL. It finds only the caseload's reach (the actor's teams and the case
teams they are in), and every client it returns is logged as a list read.
"""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import open_episode
from tukipolku.access.choices import AccessGround
from tukipolku.audit.choices import AccessAction, AccessOutcome
from tukipolku.audit.models import PersonalDataAccess
from tukipolku.cases import services as case_services
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory, member
from tukipolku.privacy import services as privacy_services

URL = "cases:caseload_search"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _rows_after(before):
    return list(PersonalDataAccess.objects.filter(pk__gt=before).order_by("pk"))


def _last_pk():
    return PersonalDataAccess.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _search(client, q, **extra):
    return client.post(reverse(URL), {"q": q}, **extra)


@pytest.fixture
def clients(nurse, team, other_team, outsider, satakunta):
    mine = open_episode(nurse, team, satakunta, client=ClientFactory(first_names="Aino Maria", last_name="Hakala"))
    colleague = member(team, profession=Profession.SOCIAL_WORKER)
    teams = open_episode(colleague, team, satakunta, client=ClientFactory(first_names="Eero", last_name="Hakanen"))
    other = open_episode(outsider, other_team, satakunta, client=ClientFactory(first_names="Aino", last_name="Hakola"))
    return {"mine": mine, "teams": teams, "other": other}


# ---------------------------------------------------------------- allowed


@pytest.mark.django_db
def test_caseload_search__finds_own_and_teams_clients_by_name_as_one_types(client, nurse, clients):
    client.force_login(nurse)
    before = _last_pk()

    response = _search(client, "hak", **HTMX)

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body  # the result list only, for htmx to swap in
    assert "Hakala Aino Maria" in body and "Hakanen Eero" in body
    assert reverse("cases:detail", args=[clients["mine"].pk]) in body
    assert "Hakola" not in body  # another team's client is never found
    rows = _rows_after(before)
    assert {(r.episode_id, r.view, r.action, r.basis, r.outcome) for r in rows} == {
        (clients["mine"].pk, URL, AccessAction.LIST, AccessGround.TEAM, AccessOutcome.ALLOWED),
        (clients["teams"].pk, URL, AccessAction.LIST, AccessGround.TEAM, AccessOutcome.ALLOWED),
    }


@pytest.mark.django_db
def test_caseload_search__every_word_narrows_first_and_last_names(client, nurse, clients):
    client.force_login(nurse)

    body = _search(client, "aino hak", **HTMX).content.decode()

    assert "Hakala Aino Maria" in body and "Hakanen" not in body and "Hakola" not in body


@pytest.mark.django_db
def test_caseload_search__finds_by_the_end_of_the_identity_code_without_showing_it(client, nurse, clients):
    client.force_login(nurse)
    code = clients["mine"].client.identity_code

    for typed in (code[-4:], code[-5:], code[-4:].lower()):
        body = _search(client, typed, **HTMX).content.decode()
        assert "Hakala Aino Maria" in body, typed
        assert "Hakanen" not in body
        assert code not in body  # the masked code only: birth date part
        assert clients["mine"].client.masked_identity_code in body


@pytest.mark.django_db
def test_caseload_search__other_teams_client_by_code_end_is_not_found(client, nurse, clients):
    client.force_login(nurse)
    before = _last_pk()

    body = _search(client, clients["other"].client.identity_code[-4:], **HTMX).content.decode()

    assert "Hakola" not in body
    assert "None of your or your teams' clients matches." in body
    assert not any(r.client_id == clients["other"].client_id for r in _rows_after(before))


@pytest.mark.django_db
def test_caseload_search__emergency_access_does_not_bring_a_client_into_the_search(client, nurse, team, satakunta, org):
    colleague_team = type(team).objects.create(organisation=org, name="Toinen tiimi")
    colleague = member(colleague_team)
    theirs = open_episode(
        colleague, colleague_team, satakunta, client=ClientFactory(first_names="Ilmari", last_name="Hätänen")
    )
    privacy_services.emergency_access_open(actor=nurse, client=theirs.client, reason="Kriisi, tiimi ei vastaa.")
    client.force_login(nurse)

    body = _search(client, "Hätänen", **HTMX).content.decode()

    assert "Ilmari" not in body


@pytest.mark.django_db
def test_caseload_search__a_case_team_member_from_another_team_finds_the_client(client, team, other_team, satakunta):
    nurse = member(team)
    episode = open_episode(nurse, team, satakunta, client=ClientFactory(first_names="Kaisu", last_name="Koskela"))
    helper = member(type(team).objects.create(organisation=team.organisation, name="Fysioterapia"))
    case_services.case_member_add(actor=nurse, episode=episode, user=helper)
    client.force_login(helper)

    body = _search(client, "kosk", **HTMX).content.decode()

    assert "Koskela Kaisu" in body


@pytest.mark.django_db
def test_caseload_search__without_javascript_the_caseload_page_shows_the_hits(client, nurse, clients):
    client.force_login(nurse)

    response = _search(client, "Hakanen")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body and "My caseload" in body
    assert 'value="Hakanen"' in body  # what was typed is kept in the field
    assert [e.pk for e in response.context["found"]] == [clients["teams"].pk]


@pytest.mark.django_db
def test_caseload_search__too_short_a_query_finds_nothing_and_reads_nothing(client, nurse, clients):
    client.force_login(nurse)
    before = _last_pk()

    body = _search(client, "h", **HTMX).content.decode()

    assert "Hakala" not in body and "None of your" not in body
    assert _rows_after(before) == []


@pytest.mark.django_db
def test_caseload_search__open_relationships_before_closed_ones(client, nurse, team, satakunta):
    person = ClientFactory(first_names="Veli", last_name="Virtanen")
    closed = open_episode(nurse, team, satakunta, client=person)
    case_services.episode_close(
        confirm_early=True,
        actor=nurse,
        episode=closed,
        outcome="open_labour_market",
        outcome_on=timezone.localdate(),
        follow_ups=[(timezone.localdate() + datetime.timedelta(days=90), nurse)],
    )
    reopened = open_episode(nurse, team, satakunta, client=person)
    client.force_login(nurse)

    response = _search(client, "virtanen")

    assert [e.pk for e in response.context["found"]] == [reopened.pk, closed.pk]
    assert "closed" in response.content.decode()


@pytest.mark.django_db
def test_caseload_search__query_count_does_not_grow_with_hits(client, nurse, team, satakunta):
    client.force_login(nurse)
    for _ in range(2):
        open_episode(nurse, team, satakunta, client=ClientFactory(last_name="Mäkinen"))
    _search(client, "mäkinen", **HTMX)  # warm up
    with CaptureQueriesContext(connection) as few:
        _search(client, "mäkinen", **HTMX)
    for _ in range(10):
        open_episode(nurse, team, satakunta, client=ClientFactory(last_name="Mäkinen"))
    with CaptureQueriesContext(connection) as many:
        response = _search(client, "mäkinen", **HTMX)

    assert response.content.decode().count("Mäkinen") == 12
    assert len(many.captured_queries) == len(few.captured_queries)


# ---------------------------------------------------------------- refused


@pytest.mark.django_db
def test_caseload_search__anonymous_is_sent_to_login(client, clients):
    response = _search(client, "Hakala")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "Hakala" not in response["Location"]


@pytest.mark.django_db
def test_caseload_search__partner_staff_are_refused_and_logged(client, nurse, clients):
    partner = UserFactory(
        profession=Profession.EMPLOYMENT_COORDINATOR,
        organisation=OrganisationFactory(kind=OrganisationKind.EMPLOYMENT_SERVICES),
    )
    case_services.case_member_add(actor=nurse, episode=clients["mine"], user=partner)
    client.force_login(partner)
    before = _last_pk()

    response = _search(client, "Hakala", **HTMX)

    assert response.status_code == 403
    assert "Hakala" not in response.content.decode()
    (row,) = _rows_after(before)
    assert (row.outcome, row.view, row.user_id) == (AccessOutcome.DENIED, URL, partner.pk)


@pytest.mark.django_db
def test_caseload_search__get_is_not_allowed(client, nurse, clients):
    """A search never travels in a URL: there is no GET form of it."""
    client.force_login(nurse)

    assert client.get(reverse(URL), {"q": "Hakala"}).status_code == 405


# ---------------------------------------------------------------- new relationships first


@pytest.mark.django_db
def test_caseload__a_new_relationship_is_on_top_until_its_first_step_is_done(client, nurse, team, satakunta):
    older = open_episode(nurse, team, satakunta)
    older = case_services.episode_step_complete(
        actor=nurse, episode=older, expected_step_id=older.current_step_id, output="Tehty."
    )
    older.current_step_due = timezone.localdate() - datetime.timedelta(days=5)  # overdue: most urgent
    older.save(update_fields=["current_step_due"])
    first_new = open_episode(nurse, team, satakunta)
    just_opened = open_episode(nurse, team, satakunta)
    client.force_login(nurse)

    rows = client.get(reverse("cases:caseload")).context["rows"]

    assert [r.episode.pk for r in rows] == [just_opened.pk, first_new.pk, older.pk]
    assert [r.is_new for r in rows] == [True, True, False]

    case_services.episode_step_complete(
        actor=nurse, episode=just_opened, expected_step_id=just_opened.current_step_id, output="Tehty."
    )
    response = client.get(reverse("cases:caseload"))
    rows = response.context["rows"]
    assert [r.episode.pk for r in rows] == [first_new.pk, older.pk, just_opened.pk]
    assert response.content.decode().count('class="badge badge-new"') == 1


@pytest.mark.django_db
def test_caseload_search__a_full_code_nobody_here_has_offers_the_lookup_among_all_clients(client, nurse, clients):
    client.force_login(nurse)
    other_code = clients["other"].client.identity_code  # another organisation's team's client
    new_code = ClientFactory.build().identity_code  # nobody's yet

    for code in (other_code, new_code):
        body = _search(client, f" {code.lower()} ", HTTP_HX_REQUEST="true").content.decode()
        assert "None of your or your teams' clients has this identity code." in body
        assert f'form="lookup-all" name="q" value="{code}">Look it up among all clients</button>' in body
        assert "Hakola" not in body  # the other team's client is not shown here

    page = client.get(reverse("cases:caseload")).content.decode()
    assert f'<form id="lookup-all" method="post" action="{reverse("cases:intake")}" hidden>' in page
    found = _search(client, clients["mine"].client.identity_code, HTTP_HX_REQUEST="true").content.decode()
    assert "Look it up among all clients" not in found and "Hakala Aino Maria" in found  # one's own: no lookup
    assert "Look it up" not in _search(client, "hakala", HTTP_HX_REQUEST="true").content.decode()

    # The lookup is New client relationship's search: a POST of the code, a new client's form when nobody has it.
    looked_up = client.post(reverse("cases:intake"), {"q": new_code})
    assert looked_up.status_code == 200 and "No client has this identity code yet." in looked_up.content.decode()
