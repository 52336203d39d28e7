"""The coordination endpoints called by a system client (a bearer token): it reads what the client's
consent opens to its organisation (logged and disclosed, with its service account as the agent),
nothing else, and changes nothing; without the scope or a token it is refused."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tukipolku.access.choices import AccessGround
from tukipolku.api.choices import Scope
from tukipolku.api.tests.coordination.conftest import CLIENT_LAST, ahead, log_of
from tukipolku.api.tests.factories import bearer, make_system_client, token_for
from tukipolku.audit.models import Disclosure
from tukipolku.core.choices import OrganisationKind
from tukipolku.core.tests.factories import OrganisationFactory
from tukipolku.entries import services as entry_services
from tukipolku.entries.choices import Register
from tukipolku.meetings.models import Meeting
from tukipolku.privacy.choices import DataCategory, Purpose
from tukipolku.referrals import services as referral_services
from tukipolku.referrals.choices import ReferralKind

pytestmark = pytest.mark.django_db

SHARED = "Työkokeilu sovittu (yhteinen merkintä)."
HEALTH = "Uniapnea (terveysmerkintä)."
REASON = "Työnhaun tuki järjestelmän kautta (lähetteen syy)."


def _meetings(episode):
    return f"/api/v1/episodes/{episode.pk}/meetings/"


def test_meetings__a_system_with_the_clients_consent_reads_them_logged_and_disclosed(
    api, system_client, shared_episode, scheduled
):
    response = api.get(_meetings(shared_episode), headers=system_client.headers)

    assert response.status_code == 200, response.content
    assert [m["id"] for m in response.json()["results"]] == [scheduled.pk]
    row = log_of(response).get()
    assert (row.user_id, row.basis, row.outcome) == (system_client.client.account_id, AccessGround.SYSTEM, "allowed")
    assert Disclosure.objects.filter(
        request_id=response["X-Request-ID"], recipient_organisation_id=system_client.client.organisation_id
    ).exists()


def test_meetings__without_the_clients_consent_the_system_gets_404_naming_nobody(api, system_client, scheduled):
    response = api.get(_meetings(scheduled.episode), headers=system_client.headers)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    assert CLIENT_LAST not in response.content.decode()
    denied = log_of(response).get()
    assert (denied.outcome, denied.user_id) == ("denied", system_client.client.account_id)


def test_meetings__a_token_without_api_read_is_refused_403(api, system_client, shared_episode):
    token = token_for(system_client.client, scopes=[Scope.API_WRITE])

    response = api.get(_meetings(shared_episode), headers=bearer(token))

    assert response.status_code == 403
    assert CLIENT_LAST not in response.content.decode()


def test_meetings__no_token_no_session_is_401(api, shared_episode):
    response = api.get(_meetings(shared_episode))

    assert response.status_code == 401


def test_meeting_schedule__a_system_changes_nothing_even_with_api_write(api, system_client, shared_episode):
    starts = ahead(9)
    body = {"kind": "team", "starts_at": starts.isoformat(), "ends_at": starts.isoformat(), "location": "X"}

    response = api.post(_meetings(shared_episode), body, format="json", headers=system_client.headers)

    assert response.status_code == 403
    assert not Meeting.objects.filter(episode=shared_episode).exists()
    assert log_of(response).get().outcome == "denied"


def test_entries__a_system_reads_only_the_registers_the_consent_opens(api, system_client, shared_episode, nurse):
    entry_services.entry_write(actor=nurse, episode=shared_episode, register=Register.SHARED, text=SHARED)
    entry_services.entry_write(actor=nurse, episode=shared_episode, register=Register.HEALTH, text=HEALTH)

    response = api.get(f"/api/v1/episodes/{shared_episode.pk}/entries/", headers=system_client.headers)

    assert response.status_code == 200, response.content
    assert [e["text"] for e in response.json()["results"]] == [SHARED]
    assert HEALTH not in response.content.decode()


@pytest.mark.parametrize(
    "path",
    ["/api/v1/handovers/", "/api/v1/needs/", "/api/v1/needs/sent/"],
)
def test_person_to_team_flows__a_system_is_refused_403(api, system_client, shared_episode, path):
    response = api.get(path, headers=system_client.headers)

    assert response.status_code == 403
    assert log_of(response).get().outcome == "denied"


def test_team_referrals__a_system_is_refused_403(api, system_client, shared_episode):
    response = api.get(f"/api/v1/episodes/{shared_episode.pk}/referrals/", headers=system_client.headers)

    assert response.status_code == 403
    assert CLIENT_LAST not in response.content.decode()


@pytest.fixture
def referral_to_system(nurse, shared_episode, partner_org):
    """The team refers the client to the system's organisation, sending the shared plan (consented)."""
    return referral_services.referral_send(
        actor=nurse,
        episode=shared_episode,
        kind=ReferralKind.EMPLOYMENT_SERVICES,
        reason=REASON,
        categories=[DataCategory.SHARED_PLAN],
        due_on=timezone.localdate() + datetime.timedelta(days=14),
        recipient_organisation=partner_org,
    )


def test_received_referrals__the_recipients_system_reads_them_logged_and_disclosed(
    api, system_client, referral_to_system
):
    response = api.get("/api/v1/referrals/received/", headers=system_client.headers)

    assert response.status_code == 200, response.content
    (row,) = response.json()["results"]
    assert (row["id"], row["reason"], row["content_shown"]) == (referral_to_system.pk, REASON, True)
    logged = log_of(response).get()
    assert (logged.user_id, logged.basis) == (system_client.client.account_id, AccessGround.REFERRAL_RECIPIENT)
    assert Disclosure.objects.filter(
        request_id=response["X-Request-ID"], recipient_organisation_id=system_client.client.organisation_id
    ).exists()


def test_received_referral__a_system_granted_another_purpose_gets_the_status_not_the_content(
    api, partner_org, referral_to_system
):
    other_purpose = make_system_client(organisation=partner_org, purposes=[Purpose.EMPLOYMENT], name="Toinen")

    response = api.get(f"/api/v1/referrals/received/{referral_to_system.pk}/", headers=other_purpose.headers)

    assert response.status_code == 200
    body = response.json()
    assert (body["content_shown"], body["reason"], body["client_name"]) == (False, None, None)
    assert REASON not in response.content.decode() and CLIENT_LAST not in response.content.decode()
    assert log_of(response).get().outcome == "denied"


def test_received_referral__another_organisations_system_gets_404(api, referral_to_system):
    other = make_system_client(organisation=OrganisationFactory(kind=OrganisationKind.KELA), name="Kela")

    listed = api.get("/api/v1/referrals/received/", headers=other.headers)
    one = api.get(f"/api/v1/referrals/received/{referral_to_system.pk}/", headers=other.headers)

    assert listed.json()["results"] == []
    assert one.status_code == 404
    assert REASON not in one.content.decode()
    assert log_of(one).get().outcome == "denied"
