"""The clients resource: allowed and denied, for a staff session and a system client's token."""

from __future__ import annotations

import pytest

from tukipolku.api.choices import Scope
from tukipolku.api.services import system_client_change
from tukipolku.api.tests.conftest import consent_for
from tukipolku.api.tests.factories import bearer, make_system_client, token_for
from tukipolku.audit.models import Disclosure, PersonalDataAccess
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.choices import OrganisationKind
from tukipolku.core.tests.factories import OrganisationFactory
from tukipolku.privacy.choices import Purpose

pytestmark = pytest.mark.django_db

LIST = "/api/v1/clients/"


def detail(pk: int) -> str:
    return f"/api/v1/clients/{pk}/"


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


# ---------------------------------------------------------------- staff session


def test_client_list__team_member_sees_their_client_and_it_is_logged(client, nurse, episode):
    client.force_login(nurse)
    response = client.get(LIST)
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == [episode.client_id]
    row = response.json()["results"][0]
    assert row["episodes"] == [episode.pk]
    assert row["identity_code"].endswith("****") or "*" in row["identity_code"]  # masked like the page
    log = PersonalDataAccess.objects.get(view="api:client-list", client_id=episode.client_id)
    assert log.user == nurse and log.outcome == "allowed" and log.action == "list"


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("2026-01-01T00:00:00+02:00", 200),
        ("0288-12-29T05:26:41-19:47", 400),  # an offset PostgreSQL refuses: was a 500 (schemathesis found it)
        ("0001-01-01T00:00:00+01:00", 400),  # before year 1 in UTC
        ("not a time", 400),
    ],
)
def test_client_list__updated_after_is_checked_before_the_database(client, nurse, episode, value, status):
    client.force_login(nurse)
    response = client.get(LIST, {"updated_after": value})
    assert response.status_code == status
    if status == 400:
        assert response["Content-Type"].startswith("application/problem+json")
        assert "updated_after" in response.content.decode()


def test_client_list__outsider_sees_nobody(client, outsider, episode):
    client.force_login(outsider)
    response = client.get(LIST)
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_client_detail__team_member_reads_contact_details_with_etag(client, nurse, episode):
    client.force_login(nurse)
    response = client.get(detail(episode.client_id))
    assert response.status_code == 200
    body = response.json()
    assert body["last_name"] == episode.client.last_name
    assert body["phone"] == episode.client.phone
    assert response["ETag"].startswith('"')
    assert PersonalDataAccess.objects.filter(
        view="api:client-detail", client_id=episode.client_id, outcome="allowed"
    ).exists()


def test_client_detail__outsider_gets_404_without_a_trace_and_the_refusal_is_logged(client, outsider, episode):
    client.force_login(outsider)
    response = client.get(detail(episode.client_id))
    body = _problem(response, 404)
    assert episode.client.last_name not in response.content.decode()
    assert str(episode.client_id) not in body["detail"]
    denied = PersonalDataAccess.objects.get(view="api:client-detail", client_id=episode.client_id)
    assert denied.outcome == "denied" and denied.reason == "no_relationship" and denied.user == outsider


def test_client_detail__missing_client_is_the_same_404(client, nurse, episode):
    client.force_login(nurse)
    _problem(client.get(detail(episode.client_id + 999)), 404)


def test_clients__anonymous_gets_401_problem(client, episode):
    body = _problem(client.get(LIST), 401)
    assert body["type"].endswith("not-authenticated")


def test_client_search__team_member_finds_by_identity_code_in_the_body(client, nurse, episode):
    client.force_login(nurse)
    response = client.post(
        LIST + "search/", {"identity_code": episode.client.identity_code}, content_type="application/json"
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [episode.client_id]
    assert PersonalDataAccess.objects.filter(
        view="api:client-search", client_id=episode.client_id, action="search"
    ).exists()


def test_client_search__professional_out_of_reach_finds_name_only(client, outsider, episode):
    client.force_login(outsider)
    response = client.post(
        LIST + "search/", {"identity_code": episode.client.identity_code}, content_type="application/json"
    )
    row = response.json()["results"][0]
    assert row["in_reach"] is False and row["episodes"] == [] and row["phone"] is None
    assert PersonalDataAccess.objects.get(view="api:client-search").basis == "identity_code_lookup"


def test_client_search__invalid_code_is_a_translated_400(client, nurse, episode):
    client.force_login(nurse)
    response = client.post(
        LIST + "search/",
        {"identity_code": "010190-9001"},
        content_type="application/json",
        headers={"Accept-Language": "fi"},
    )
    body = _problem(response, 400)
    assert "identity_code" in body["errors"]


def test_client_search__not_json_is_a_problem_not_a_500(client, nurse):
    client.force_login(nurse)
    response = client.post(LIST + "search/", "{not json", content_type="application/json")
    _problem(response, 400)


# ---------------------------------------------------------------- system client


def test_system_client__reads_a_consented_client_and_writes_access_and_disclosure_rows(
    client, system_client, shared_episode
):
    response = client.get(LIST, headers=system_client.headers)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [shared_episode.client_id]
    assert rows[0]["identity_code"] == shared_episode.client.identity_code  # full, for matching
    assert rows[0]["phone"] is None  # no contact details to another organisation
    log = PersonalDataAccess.objects.get(view="api:client-list", client_id=shared_episode.client_id)
    assert log.user == system_client.client.account and log.basis == "system_client_consent"
    disclosure = Disclosure.objects.get(view="api:client-list", client_id=shared_episode.client_id)
    assert disclosure.recipient_organisation_id == system_client.client.organisation_id
    assert disclosure.consent_id is not None


def test_system_client__without_consent_sees_nothing_and_gets_404(client, system_client, episode):
    assert client.get(LIST, headers=system_client.headers).json()["results"] == []
    _problem(client.get(detail(episode.client_id), headers=system_client.headers), 404)
    denied = PersonalDataAccess.objects.get(view="api:client-detail", client_id=episode.client_id)
    assert denied.outcome == "denied" and denied.user == system_client.client.account


def test_system_client__other_organisation_sees_nothing(client, shared_episode, org):
    kela = OrganisationFactory(name="Kela testi", kind=OrganisationKind.KELA, region=org.region)
    other = make_system_client(organisation=kela, purposes=[Purpose.WORK_ABILITY])
    assert client.get(LIST, headers=other.headers).json()["results"] == []
    _problem(client.get(detail(shared_episode.client_id), headers=other.headers), 404)


def test_system_client__consent_for_a_purpose_it_was_not_granted_opens_nothing(client, partner_org, episode, nurse):
    consent_for(actor=nurse, episode=episode, organisation=partner_org, purpose=Purpose.EMPLOYMENT)
    work_ability_only = make_system_client(organisation=partner_org, purposes=[Purpose.WORK_ABILITY])
    assert client.get(LIST, headers=work_ability_only.headers).json()["results"] == []
    employment = make_system_client(organisation=partner_org, purposes=[Purpose.EMPLOYMENT], name="Toinen")
    assert [r["id"] for r in client.get(LIST, headers=employment.headers).json()["results"]] == [episode.client_id]


def test_system_client__wrong_scope_is_403(client, system_client, shared_episode):
    token = token_for(system_client.client, scopes=[Scope.API_WRITE])
    body = _problem(client.get(LIST, headers=bearer(token)), 403)
    assert shared_episode.client.last_name not in str(body)


def test_system_client__inactive_client_is_401(client, system_client, shared_episode):
    token = system_client.token
    system_client_change(
        actor=None,
        client=system_client.client,
        is_active=False,
        purposes=[Purpose.WORK_ABILITY],
        scopes=list(system_client.client.scopes),
        requests_per_minute=100,
    )
    _problem(client.get(LIST, headers=bearer(token)), 401)


def test_system_client__invalid_token_is_401_with_bearer_challenge(client, shared_episode):
    response = client.get(LIST, headers={"Authorization": "Bearer not-a-token"})
    _problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_system_client__search_by_code_finds_only_clients_it_may_see(
    client, system_client, shared_episode, nurse, team, satakunta
):
    from conftest import open_episode

    hidden = open_episode(nurse, team, satakunta, client=ClientFactory())
    found = client.post(
        LIST + "search/",
        {"identity_code": shared_episode.client.identity_code},
        content_type="application/json",
        headers=system_client.headers,
    )
    assert [r["id"] for r in found.json()["results"]] == [shared_episode.client_id]
    refused = client.post(
        LIST + "search/",
        {"identity_code": hidden.client.identity_code},
        content_type="application/json",
        headers=system_client.headers,
    )
    assert refused.status_code == 200 and refused.json() == {"results": []}
    assert PersonalDataAccess.objects.filter(
        view="api:client-search", client_id=hidden.client_id, outcome="denied"
    ).exists()


def test_token_endpoint__client_credentials_gives_a_token_with_granted_scopes(client, system_client, shared_episode):
    response = client.post(
        "/o/token/",
        {
            "grant_type": "client_credentials",
            "client_id": system_client.client_id,
            "client_secret": system_client.client_secret,
        },
    )
    assert response.status_code == 200, response.content
    token = response.json()
    assert set(token["scope"].split()) == {"api.read", "api.write"}
    listed = client.get(LIST, headers={"Authorization": f"Bearer {token['access_token']}"})
    assert [r["id"] for r in listed.json()["results"]] == [shared_episode.client_id]


def test_token_endpoint__scope_not_granted_is_refused(client, system_client):
    response = client.post(
        "/o/token/",
        {
            "grant_type": "client_credentials",
            "client_id": system_client.client_id,
            "client_secret": system_client.client_secret,
            "scope": "export",
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_schema_and_docs_page_are_served(client):
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    assert schema.json()["openapi"] == "3.1.0"
    assert "/api/v1/clients/search/" in schema.json()["paths"]
    assert client.get("/api/v1/docs/").status_code == 200


def test_docs_page__vendored_files_a_language_and_no_inline_script(client):
    page = client.get("/api/v1/docs/").content.decode()
    assert '<html lang="en">' in page
    assert "<style>" not in page and "<script>" not in page
    assert "cdn" not in page.lower()
