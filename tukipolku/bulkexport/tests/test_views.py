"""The FHIR Bulk Data endpoints with a system client's token and a staff session: kick-off, status,
manifest, files, cancel, expiry; allowed and denied (scope, another system's status URL and files,
another region's group, no consent)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from conftest import open_episode
from tukipolku.api.tests.conftest import consent_for
from tukipolku.api.tests.factories import bearer, make_system_client, token_for
from tukipolku.audit.choices import AccessAction
from tukipolku.audit.models import Disclosure, PersonalDataAccess
from tukipolku.bulkexport.choices import ExportStatus
from tukipolku.bulkexport.models import ExportJob
from tukipolku.core.choices import OrganisationKind
from tukipolku.core.tests.factories import OrganisationFactory, TeamFactory
from tukipolku.privacy.choices import Purpose

pytestmark = pytest.mark.django_db

ASYNC = {"HTTP_PREFER": "respond-async", "HTTP_ACCEPT": "application/fhir+json"}


@pytest.fixture
def partner_org(org):
    return OrganisationFactory(kind=OrganisationKind.EMPLOYMENT_SERVICES, region=org.region)


@pytest.fixture
def system(partner_org):
    return make_system_client(organisation=partner_org, purposes=[Purpose.WORK_ABILITY], scopes=["export", "api.read"])


@pytest.fixture
def clients(nurse, team, satakunta, partner_org):
    """Two clients of the team: one consented to share the shared plan with the partner, one did not."""
    shared = open_episode(nurse, team, satakunta)
    consent_for(actor=nurse, episode=shared, organisation=partner_org)
    private = open_episode(nurse, team, satakunta)
    return shared, private


def _kickoff(client, url, headers, capture, **extra):
    with capture(execute=True):
        return client.get(url, **ASYNC, **headers, **extra)


def _job_of(response) -> ExportJob:
    return ExportJob.objects.get(pk=response["Content-Location"].rstrip("/").rsplit("/", 1)[-1])


def test_system_export__only_consented_clients_with_access_log_and_disclosure_rows(
    client, system, clients, django_capture_on_commit_callbacks
):
    shared, private = clients
    response = _kickoff(client, "/fhir/$export", system.headers, django_capture_on_commit_callbacks)
    assert response.status_code == 202
    assert response["Content-Location"].startswith("http://testserver/fhir/bulkstatus/")

    status = client.get(response["Content-Location"], **system.headers)
    assert status.status_code == 200
    manifest = status.json()
    assert manifest["requiresAccessToken"] is True and manifest["transactionTime"]
    assert manifest["request"] == "http://testserver/fhir/$export"
    by_type = {o["type"]: o for o in manifest["output"]}
    assert by_type["Patient"]["count"] == 1

    ndjson = client.get(by_type["Patient"]["url"], **system.headers)
    assert ndjson.status_code == 200 and ndjson["Content-Type"] == "application/fhir+ndjson"
    patients = [json.loads(line) for line in b"".join(ndjson.streaming_content).decode().splitlines()]
    assert [p["id"] for p in patients] == [str(shared.client_id)]

    job = _job_of(response)
    account = system.client.account
    exported = PersonalDataAccess.objects.filter(request_id=job.pk.hex, outcome="allowed")
    assert [(r.client_id, r.user_id, r.action) for r in exported] == [
        (shared.client_id, account.pk, AccessAction.EXPORT)
    ]
    assert Disclosure.objects.filter(client_id=shared.client_id, request_id=job.pk.hex).exists()
    assert not PersonalDataAccess.objects.filter(client_id=private.client_id, outcome="allowed").exists()


def test_kickoff__a_token_without_the_export_scope_is_refused(client, partner_org, clients):
    other = make_system_client(organisation=partner_org, scopes=["api.read"], name="Lukija")
    response = client.get("/fhir/$export", **ASYNC, **other.headers)
    assert response.status_code == 403
    assert response.json()["resourceType"] == "OperationOutcome"
    assert not ExportJob.objects.exists()


def test_kickoff__without_a_token_401(client, clients):
    response = client.get("/fhir/Patient/$export", **ASYNC)
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize(
    ("query", "extra"),
    [
        ("", {"HTTP_PREFER": ""}),
        ("?_type=Observation", {}),
        ("?_since=yesterday", {}),
        ("?_since=2026-01-01T00:00:00", {}),
        ("?_outputFormat=text/csv", {}),
        ("?_typeFilter=Patient%3Factive%3Dtrue", {}),
    ],
)
def test_kickoff__bad_parameters_are_a_400_operation_outcome(client, system, query, extra):
    headers = {**ASYNC, **extra}
    response = client.get("/fhir/Patient/$export" + query, **headers, **system.headers)
    assert response.status_code == 400
    body = response.json()
    assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["diagnostics"]


def test_kickoff__a_third_running_export_is_429(client, system, clients):
    for _ in range(2):
        assert client.get("/fhir/$export", **ASYNC, **system.headers).status_code == 202
    response = client.get("/fhir/$export", **ASYNC, **system.headers)
    assert response.status_code == 429 and response["Retry-After"]


def test_status__while_waiting_202_with_progress(client, system, clients):
    response = client.get("/fhir/$export", **ASYNC, **system.headers)  # no commit: the job waits
    status = client.get(response["Content-Location"], **system.headers)
    assert status.status_code == 202
    assert status["X-Progress"] == "waiting" and status["Retry-After"] == "5"


def test_status_and_files__another_systems_are_404(
    client, system, partner_org, clients, django_capture_on_commit_callbacks
):
    response = _kickoff(client, "/fhir/$export", system.headers, django_capture_on_commit_callbacks)
    manifest = client.get(response["Content-Location"], **system.headers).json()
    stranger = make_system_client(organisation=partner_org, scopes=["export"], name="Toinen")
    assert client.get(response["Content-Location"], **stranger.headers).status_code == 404
    assert client.get(manifest["output"][0]["url"], **stranger.headers).status_code == 404
    assert client.delete(response["Content-Location"], **stranger.headers).status_code == 404
    assert client.get(manifest["output"][0]["url"]).status_code == 401  # requiresAccessToken


def test_delete__cancels_and_the_status_url_is_404(client, system, clients, django_capture_on_commit_callbacks):
    response = _kickoff(client, "/fhir/$export", system.headers, django_capture_on_commit_callbacks)
    manifest = client.get(response["Content-Location"], **system.headers).json()
    assert client.delete(response["Content-Location"], **system.headers).status_code == 202
    assert client.get(response["Content-Location"], **system.headers).status_code == 404
    assert client.get(manifest["output"][0]["url"], **system.headers).status_code == 404


def test_status__expired_is_410(client, system, clients, django_capture_on_commit_callbacks):
    from tukipolku.bulkexport.services import exports_expire

    response = _kickoff(client, "/fhir/$export", system.headers, django_capture_on_commit_callbacks)
    exports_expire(now=timezone.now() + datetime.timedelta(hours=25))
    status = client.get(response["Content-Location"], **system.headers)
    assert status.status_code == 410
    assert _job_of(response).status == ExportStatus.EXPIRED


def test_group__a_team_of_the_region_exports_its_consented_clients(
    client, system, team, clients, django_capture_on_commit_callbacks
):
    group = client.get(f"/fhir/Group/{team.pk}", **system.headers)
    assert group.status_code == 200
    assert group.json()["resourceType"] == "Group" and group.json()["name"] == team.name
    response = _kickoff(client, f"/fhir/Group/{team.pk}/$export", system.headers, django_capture_on_commit_callbacks)
    assert response.status_code == 202
    job = _job_of(response)
    assert job.status == ExportStatus.COMPLETED and job.clients_exported == 1


def test_group__another_regions_team_is_404(client, system, clients):
    region = OrganisationFactory(kind=OrganisationKind.WELFARE_REGION)
    foreign = TeamFactory(organisation=OrganisationFactory(parent=region))
    assert client.get(f"/fhir/Group/{foreign.pk}", **system.headers).status_code == 404
    assert client.get(f"/fhir/Group/{foreign.pk}/$export", **ASYNC, **system.headers).status_code == 404
    assert client.get("/fhir/Group/999999/$export", **ASYNC, **system.headers).status_code == 404
    assert not ExportJob.objects.exists()


def test_staff_session__own_team_group_exported_another_team_404(
    client, nurse, team, other_team, clients, django_capture_on_commit_callbacks
):
    client.force_login(nurse)
    response = _kickoff(client, f"/fhir/Group/{team.pk}/$export", {}, django_capture_on_commit_callbacks)
    assert response.status_code == 202
    assert _job_of(response).clients_exported == 2  # the team's own clients, both
    assert client.get(f"/fhir/Group/{other_team.pk}/$export", **ASYNC).status_code == 404


def test_system_export__a_withdrawn_token_scope_later_cannot_read_the_files(
    client, system, clients, django_capture_on_commit_callbacks
):
    response = _kickoff(client, "/fhir/$export", system.headers, django_capture_on_commit_callbacks)
    manifest = client.get(response["Content-Location"], **system.headers).json()
    narrow = bearer(token_for(system.client, scopes=["api.read"]))
    assert client.get(manifest["output"][0]["url"], **narrow).status_code == 403
