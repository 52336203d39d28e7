"""The FHIR endpoints: allowed and denied for each kind of reader (team professional by session, a
system client by token with and without consent, scope or organisation), the access-log rows, paging,
`_include`, identity-code search only by POST, create and update with `If-Match`, and errors as
OperationOutcome. Synthetic data only."""

from __future__ import annotations

import datetime
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from tukipolku.api.choices import Scope
from tukipolku.api.tests.factories import make_system_client, token_for
from tukipolku.audit.models import Disclosure, PersonalDataAccess
from tukipolku.fhir import conformance
from tukipolku.fhir.resources.common import PIC_SYSTEM, code_system
from tukipolku.meetings.choices import MeetingStatus
from tukipolku.meetings.models import Meeting
from tukipolku.plans.models import Plan
from tukipolku.privacy.choices import DataCategory, Purpose
from tukipolku.privacy.tests.helpers import consent_for

FHIR = "application/fhir+json"


def body(response: Any) -> dict[str, Any]:
    return json.loads(response.content)


def outcome_text(response: Any) -> str:
    data = body(response)
    assert data["resourceType"] == "OperationOutcome"
    return data["issue"][0]["diagnostics"]


def valid(resource: dict[str, Any]) -> dict[str, Any]:
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    assert conformance.problems(resource) == []
    return resource


@pytest.fixture
def system(employment_org):
    """A system client of the employment services with fhir.read and fhir.write, for employment purposes."""
    return make_system_client(
        organisation=employment_org, purposes=[Purpose.EMPLOYMENT], scopes=[Scope.FHIR_READ, Scope.FHIR_WRITE]
    )


# ---------------------------------------------------------------- metadata


def test_metadata__public_capability_statement(client, db):
    response = client.get("/fhir/metadata")
    assert response.status_code == 200 and response["Content-Type"].startswith(FHIR)
    statement = body(response)
    get_fhir_model_class("CapabilityStatement").model_validate(statement)
    types = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert {"Patient", "EpisodeOfCare", "CarePlan", "Appointment", "Consent", "Observation"} <= set(types)
    assert {i["code"] for i in types["CarePlan"]["interaction"]} == {"read", "search-type", "create", "update"}
    assert {i["code"] for i in types["Patient"]["interaction"]} == {"read", "search-type"}


# ---------------------------------------------------------------- read, session


@pytest.mark.parametrize(
    ("resource_type", "fixture"),
    [
        ("Patient", "full_episode"),
        ("EpisodeOfCare", "full_episode"),
        ("CareTeam", "full_episode"),
        ("CarePlan", "plan"),
        ("Goal", "plan"),
        ("Appointment", "meeting"),
        ("ServiceRequest", "referral"),
        ("Consent", "consent"),
    ],
)
def test_read__team_professional_reads_and_is_logged(client, nurse, full_episode, request, resource_type, fixture):
    obj = request.getfixturevalue(fixture)
    if resource_type == "Patient":
        obj = obj.client
    elif resource_type == "Goal":
        obj = obj.goals.first()
    client.force_login(nurse)
    response = client.get(f"/fhir/{resource_type}/{obj.pk}", HTTP_ACCEPT=FHIR)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith(FHIR)
    resource = valid(body(response))
    assert resource["resourceType"] == resource_type and resource["id"] == str(obj.pk)
    assert PersonalDataAccess.objects.filter(
        user=nurse, view="fhir:read", client_id=full_episode.client_id, outcome="allowed"
    ).exists()


def test_read__observation_of_an_accepted_handover(client, nurse, handover, full_episode):
    from tukipolku.handovers.models import Handover

    Handover.objects.filter(pk=handover.pk).update(
        status="accepted", episode=full_episode, client=full_episode.client, accepted_at=timezone.now()
    )
    client.force_login(nurse)
    response = client.get(f"/fhir/Observation/handover-{handover.pk}")
    assert response.status_code == 200
    assert valid(body(response))["valueInteger"] == 6


def test_read__other_team_gets_404_without_a_trace_and_the_refusal_is_logged(client, outsider, full_episode):
    client.force_login(outsider)
    for path in (f"/fhir/Patient/{full_episode.client_id}", f"/fhir/EpisodeOfCare/{full_episode.pk}"):
        response = client.get(path)
        assert response.status_code == 404
        text = response.content.decode()
        assert full_episode.client.last_name not in text and full_episode.client.identity_code not in text
        assert outcome_text(response) == "The resource was not found."
    assert (
        PersonalDataAccess.objects.filter(user=outsider, client_id=full_episode.client_id, outcome="denied").count()
        == 2
    )


def test_read__missing_and_malformed_ids_are_404(client, nurse, db):
    client.force_login(nurse)
    assert client.get("/fhir/EpisodeOfCare/999999").status_code == 404
    assert client.get("/fhir/EpisodeOfCare/abc").status_code == 404
    assert client.get("/fhir/Observation/7").status_code == 404  # an observation id has its prefix
    response = client.get("/fhir/Medication/1")
    assert response.status_code == 404 and body(response)["issue"][0]["code"] == "not-supported"


def test_read__anonymous_is_401_operation_outcome(client, full_episode):
    response = client.get(f"/fhir/EpisodeOfCare/{full_episode.pk}")
    assert response.status_code == 401
    assert body(response)["resourceType"] == "OperationOutcome"


# ---------------------------------------------------------------- read, system client


def test_system__reads_what_the_consent_opens_and_discloses(client, system, full_episode, consent):
    response = client.get(f"/fhir/EpisodeOfCare/{full_episode.pk}", headers=system.headers)
    assert response.status_code == 200, response.content
    assert PersonalDataAccess.objects.filter(
        user=system.client.account, client_id=full_episode.client_id, outcome="allowed"
    ).exists()
    assert Disclosure.objects.filter(user=system.client.account, client_id=full_episode.client_id).exists()


def test_system__without_consent_404(client, system, full_episode):
    response = client.get(f"/fhir/EpisodeOfCare/{full_episode.pk}", headers=system.headers)
    assert response.status_code == 404
    assert full_episode.client.identity_code not in response.content.decode()


def test_system__consent_for_another_purpose_or_organisation_404(client, full_episode, nurse, employment_org):
    consent_for(full_episode, nurse, [DataCategory.SHARED_PLAN], recipient=employment_org, purpose=Purpose.BENEFITS)
    system = make_system_client(organisation=employment_org, purposes=[Purpose.EMPLOYMENT], scopes=[Scope.FHIR_READ])
    assert client.get(f"/fhir/EpisodeOfCare/{full_episode.pk}", headers=system.headers).status_code == 404
    from tukipolku.core.tests.factories import OrganisationFactory

    other = make_system_client(
        organisation=OrganisationFactory(kind="kela"), purposes=[Purpose.BENEFITS], scopes=[Scope.FHIR_READ]
    )
    assert client.get(f"/fhir/EpisodeOfCare/{full_episode.pk}", headers=other.headers).status_code == 404


def test_system__consents_are_never_shown_to_a_system(client, system, full_episode, consent):
    response = client.get(f"/fhir/Consent/{consent.pk}", headers=system.headers)
    assert response.status_code == 404


def test_system__wrong_scope_403(client, system, full_episode, consent):
    other = make_system_client(
        organisation=system.client.organisation, purposes=[Purpose.EMPLOYMENT], scopes=[Scope.API_READ]
    )
    response = client.get(f"/fhir/EpisodeOfCare/{full_episode.pk}", headers=other.headers)
    assert response.status_code == 403 and body(response)["resourceType"] == "OperationOutcome"
    read_only = token_for(system.client, scopes=[Scope.FHIR_READ])
    response = client.put(
        f"/fhir/CarePlan/{full_episode.pk}",
        data="{}",
        content_type=FHIR,
        headers={"Authorization": f"Bearer {read_only.token}"},
    )
    assert response.status_code == 403


def test_system__may_not_write_even_with_fhir_write(client, system, full_episode, consent, plan):
    resource = client.get(f"/fhir/CarePlan/{plan.pk}", headers=system.headers)
    assert resource.status_code == 200
    response = client.put(
        f"/fhir/CarePlan/{plan.pk}",
        data=resource.content,
        content_type=FHIR,
        headers={**system.headers, "If-Match": f'W/"{plan.revision}"'},
    )
    assert response.status_code == 403
    assert Plan.objects.get(pk=plan.pk).revision == plan.revision


# ---------------------------------------------------------------- search


def test_search__patient_status_include_and_logged(client, nurse, full_episode):
    client.force_login(nurse)
    response = client.get(
        "/fhir/EpisodeOfCare",
        {"patient": f"Patient/{full_episode.client_id}", "status": "active", "_include": "EpisodeOfCare:patient"},
    )
    assert response.status_code == 200
    bundle = body(response)
    get_fhir_model_class("Bundle").model_validate(bundle)
    modes = [(e["resource"]["resourceType"], e["search"]["mode"]) for e in bundle["entry"]]
    assert modes == [("EpisodeOfCare", "match"), ("Patient", "include")]
    assert PersonalDataAccess.objects.filter(user=nurse, view="fhir:search", client_id=full_episode.client_id).exists()
    assert "entry" not in body(client.get("/fhir/EpisodeOfCare", {"status": "finished"}))


def test_search__other_team_sees_nothing(client, outsider, full_episode):
    client.force_login(outsider)
    bundle = body(client.get("/fhir/EpisodeOfCare", {"_id": str(full_episode.pk)}))
    assert bundle["type"] == "searchset" and "entry" not in bundle


def test_search__paging_links(client, nurse, team, satakunta, full_episode):
    from conftest import open_episode

    open_episode(nurse, team, satakunta)
    client.force_login(nurse)
    first = body(client.get("/fhir/EpisodeOfCare", {"_count": "1"}))
    assert len(first["entry"]) == 1
    following = {link["relation"]: link["url"] for link in first["link"]}["next"]
    second = body(client.get(following))
    assert len(second["entry"]) == 1 and second["entry"][0]["resource"]["id"] != first["entry"][0]["resource"]["id"]
    assert "next" not in {link["relation"] for link in second["link"]}


def test_search__date_prefixes_and_bad_date(client, nurse, meeting):
    client.force_login(nurse)
    day = meeting.starts_at.date()
    hit = body(
        client.get(
            "/fhir/Appointment", {"date": [f"ge{day.isoformat()}", f"lt{(day + datetime.timedelta(2)).isoformat()}"]}
        )
    )
    assert len(hit["entry"]) == 1
    miss = body(client.get("/fhir/Appointment", {"date": f"gt{(day + datetime.timedelta(1)).isoformat()}"}))
    assert "entry" not in miss
    response = client.get("/fhir/Appointment", {"date": "2026-13-45"})
    assert response.status_code == 400 and "is not a FHIR date" in outcome_text(response)
    assert client.get("/fhir/Appointment", {"_count": "lots"}).status_code == 400


def test_search__system_client_sees_only_consented(client, system, full_episode, consent, nurse, team, satakunta):
    from conftest import open_episode

    hidden = open_episode(nurse, team, satakunta)
    bundle = body(client.get("/fhir/EpisodeOfCare", headers=system.headers))
    ids = {e["resource"]["id"] for e in bundle.get("entry", [])}
    assert str(full_episode.pk) in ids and str(hidden.pk) not in ids


def test_search__identity_code_never_in_a_url(client, nurse, full_episode):
    client.force_login(nurse)
    code = full_episode.client.identity_code
    response = client.get("/fhir/Patient", {"identifier": f"{PIC_SYSTEM}|{code}"})
    assert response.status_code == 400 and code not in response.content.decode()


def _form(client: Any, path: str, data: dict[str, str]) -> Any:
    return client.post(path, urlencode(data), content_type="application/x-www-form-urlencoded")


def test_search__identity_code_by_post(client, nurse, outsider, full_episode):
    code = full_episode.client.identity_code
    client.force_login(nurse)
    response = _form(client, "/fhir/Patient/_search", {"identifier": f"{PIC_SYSTEM}|{code}"})
    assert response.status_code == 200
    bundle = body(response)
    assert [e["resource"]["id"] for e in bundle["entry"]] == [str(full_episode.client_id)]
    assert all(code not in link["url"] for link in bundle["link"])
    assert _form(client, "/fhir/Patient/_search", {"identifier": "urn:oid:1.2.3|foo"}).status_code == 400
    client.force_login(outsider)
    assert "entry" not in body(_form(client, "/fhir/Patient/_search", {"identifier": f"{PIC_SYSTEM}|{code}"}))


# ---------------------------------------------------------------- CarePlan create and update


def test_care_plan__update_with_if_match(client, nurse, plan, coordinator):
    client.force_login(nurse)
    resource = body(client.get(f"/fhir/CarePlan/{plan.pk}"))
    resource["description"] = "Uusi tilannekuvaus."
    resource["activity"][0]["detail"]["status"] = "completed"
    resource["activity"].append(
        {
            "detail": {
                "status": "not-started",
                "description": "Varaa aika lääkärille",
                "performer": [{"reference": f"Practitioner/{coordinator.pk}"}],
                "scheduledPeriod": {"end": (timezone.localdate() + datetime.timedelta(7)).isoformat()},
            }
        }
    )
    response = client.put(
        f"/fhir/CarePlan/{plan.pk}", data=json.dumps(resource), content_type=FHIR, HTTP_IF_MATCH=f'W/"{plan.revision}"'
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] == f'W/"{plan.revision + 1}"'
    saved = Plan.objects.get(pk=plan.pk)
    assert saved.summary == "Uusi tilannekuvaus." and saved.actions.count() == 2
    assert saved.actions.filter(status="done").count() == 1
    stale = client.put(
        f"/fhir/CarePlan/{plan.pk}", data=json.dumps(resource), content_type=FHIR, HTTP_IF_MATCH=f'W/"{plan.revision}"'
    )
    assert stale.status_code == 412 and body(stale)["issue"][0]["code"] == "conflict"
    missing = client.put(f"/fhir/CarePlan/{plan.pk}", data=json.dumps(resource), content_type=FHIR)
    assert missing.status_code == 428


def test_care_plan__invalid_bodies(client, nurse, plan):
    client.force_login(nurse)
    headers = {"HTTP_IF_MATCH": f'W/"{plan.revision}"'}
    bad = client.put(
        f"/fhir/CarePlan/{plan.pk}", data='{"resourceType": "CarePlan", "id": "x', content_type=FHIR, **headers
    )
    assert bad.status_code == 400
    wrong = {"resourceType": "CarePlan", "id": str(plan.pk), "status": 12, "intent": "plan", "subject": {}}
    invalid = client.put(f"/fhir/CarePlan/{plan.pk}", data=json.dumps(wrong), content_type=FHIR, **headers)
    assert invalid.status_code == 400 and "status" in outcome_text(invalid)
    resource = body(client.get(f"/fhir/CarePlan/{plan.pk}"))
    resource["activity"][0]["detail"]["scheduledPeriod"] = {}
    unprocessable = client.put(f"/fhir/CarePlan/{plan.pk}", data=json.dumps(resource), content_type=FHIR, **headers)
    assert unprocessable.status_code == 422 and "due date" in outcome_text(unprocessable)


def test_care_plan__other_team_cannot_update(client, outsider, plan):
    client.force_login(outsider)
    response = client.put(
        f"/fhir/CarePlan/{plan.pk}",
        data=json.dumps(
            {
                "resourceType": "CarePlan",
                "id": str(plan.pk),
                "status": "active",
                "intent": "plan",
                "subject": {"reference": "Patient/1"},
            }
        ),
        content_type=FHIR,
        HTTP_IF_MATCH='W/"1"',
    )
    assert response.status_code == 404


def test_care_plan__create_once(client, nurse, full_episode, coordinator):
    client.force_login(nurse)
    resource = {
        "resourceType": "CarePlan",
        "status": "active",
        "intent": "plan",
        "subject": {"reference": f"Patient/{full_episode.client_id}"},
        "supportingInfo": [{"reference": f"EpisodeOfCare/{full_episode.pk}"}],
        "description": "Ensimmäinen suunnitelma.",
    }
    created = client.post("/fhir/CarePlan", data=json.dumps(resource), content_type=FHIR)
    assert created.status_code == 201, created.content
    assert created["Location"].endswith(f"/fhir/CarePlan/{body(created)['id']}")
    again = client.post("/fhir/CarePlan", data=json.dumps(resource), content_type=FHIR)
    assert again.status_code == 409


# ---------------------------------------------------------------- Appointment create and update


def _appointment(episode: Any, user: Any, *, start: datetime.datetime) -> dict[str, Any]:
    return {
        "resourceType": "Appointment",
        "status": "booked",
        "serviceType": [{"coding": [{"system": code_system("meeting-kind"), "code": "joint"}]}],
        "start": start.isoformat(),
        "end": (start + datetime.timedelta(hours=1)).isoformat(),
        "contained": [{"resourceType": "Location", "id": "place", "name": "Neuvotteluhuone 3"}],
        "supportingInformation": [{"reference": f"EpisodeOfCare/{episode.pk}"}],
        "participant": [
            {"actor": {"reference": f"Practitioner/{user.pk}"}, "status": "needs-action"},
            {"actor": {"reference": f"Patient/{episode.client_id}"}, "status": "needs-action"},
            {"actor": {"reference": "#place"}, "status": "accepted"},
        ],
    }


def test_appointment__schedule_change_and_cancel(client, nurse, coordinator, full_episode):
    client.force_login(nurse)
    start = (timezone.now() + datetime.timedelta(days=7)).replace(microsecond=0)
    created = client.post(
        "/fhir/Appointment", data=json.dumps(_appointment(full_episode, coordinator, start=start)), content_type=FHIR
    )
    assert created.status_code == 201, created.content
    resource = valid(body(created))
    meeting = Meeting.objects.get(pk=resource["id"])
    assert meeting.status == MeetingStatus.SCHEDULED and meeting.location == "Neuvotteluhuone 3"
    resource["start"] = (start + datetime.timedelta(hours=2)).isoformat()
    resource["end"] = (start + datetime.timedelta(hours=3)).isoformat()
    changed = client.put(
        f"/fhir/Appointment/{meeting.pk}", data=json.dumps(resource), content_type=FHIR, HTTP_IF_MATCH=created["ETag"]
    )
    assert changed.status_code == 200, changed.content
    stale = client.put(
        f"/fhir/Appointment/{meeting.pk}", data=json.dumps(resource), content_type=FHIR, HTTP_IF_MATCH=created["ETag"]
    )
    assert stale.status_code == 412
    resource["status"] = "cancelled"
    cancelled = client.put(
        f"/fhir/Appointment/{meeting.pk}", data=json.dumps(resource), content_type=FHIR, HTTP_IF_MATCH=changed["ETag"]
    )
    assert cancelled.status_code == 200 and body(cancelled)["status"] == "cancelled"


def test_appointment__rules_of_the_page_hold(client, nurse, coordinator, full_episode):
    client.force_login(nurse)
    past = timezone.now() - datetime.timedelta(days=1)
    response = client.post(
        "/fhir/Appointment", data=json.dumps(_appointment(full_episode, coordinator, start=past)), content_type=FHIR
    )
    assert response.status_code == 422 and "future" in outcome_text(response)
    finnish = client.post(
        "/fhir/Appointment",
        data=json.dumps(_appointment(full_episode, coordinator, start=past)),
        content_type=FHIR,
        HTTP_ACCEPT_LANGUAGE="fi",
    )
    assert outcome_text(finnish) == "Valitse tuleva ajankohta."
    no_kind = _appointment(full_episode, coordinator, start=timezone.now() + datetime.timedelta(days=2))
    no_kind["serviceType"] = []
    assert client.post("/fhir/Appointment", data=json.dumps(no_kind), content_type=FHIR).status_code == 422


def test_appointment__other_team_cannot_schedule(client, outsider, coordinator, full_episode):
    client.force_login(outsider)
    start = timezone.now() + datetime.timedelta(days=3)
    response = client.post(
        "/fhir/Appointment", data=json.dumps(_appointment(full_episode, coordinator, start=start)), content_type=FHIR
    )
    assert response.status_code == 404
    assert not Meeting.objects.filter(episode=full_episode).exists()


def test_write__unsupported_types_405(client, nurse, full_episode):
    client.force_login(nurse)
    response = client.post("/fhir/Patient", data="{}", content_type=FHIR)
    assert response.status_code == 405 and body(response)["resourceType"] == "OperationOutcome"


def test_system__searching_consents_reads_nothing(client, system, full_episode, consent):
    """The audit tripwire (PostgreSQL) holds this: no client row is read for a type a system never reads."""
    bundle = body(client.get("/fhir/Consent", headers=system.headers))
    assert "entry" not in bundle
