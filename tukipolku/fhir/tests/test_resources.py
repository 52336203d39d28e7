"""Every mapping: valid against the fhir.resources R4B models (the R4 shapes we use did not change in
R4B) and free of problems by our own FI Base checks (`tukipolku.fhir.conformance`), plus the rules each
module's docstring claims."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from tukipolku.cases.models import Episode
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.models import Organisation, TeamMembership
from tukipolku.fhir import conformance
from tukipolku.fhir.resources import (
    to_fhir_appointment,
    to_fhir_care_plan,
    to_fhir_care_team,
    to_fhir_consent,
    to_fhir_episode_of_care,
    to_fhir_goal,
    to_fhir_organization,
    to_fhir_patient,
    to_fhir_practitioner,
    to_fhir_practitioner_role,
    to_fhir_service_request,
    work_ability_observation,
)
from tukipolku.fhir.resources.common import PIC_SYSTEM, SECURITY_LABEL_SYSTEM, SOTE_ORGANISATION_SYSTEM
from tukipolku.privacy.choices import ConsentKind, DataCategory
from tukipolku.privacy.tests.helpers import consent_for


def valid(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource passes the R4B model and our FI Base checks; returns it re-serialised by the model."""
    model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    assert conformance.problems(resource) == []
    return model.model_dump(mode="json", exclude_none=True)


def test_patient__pic_slice_and_contact_details(db):
    client = ClientFactory(phone="0401234567", street_address="Testikatu 1", postal_code="28100", post_office="Pori")
    patient = valid(to_fhir_patient(client))
    pic = patient["identifier"][0]
    assert pic["system"] == PIC_SYSTEM and pic["use"] == "official" and pic["value"] == client.identity_code
    assert pic["type"]["coding"][0]["code"] == "NNFIN"
    assert patient["meta"]["profile"] == [
        "https://hl7.fi/fhir/finnish-base-profiles/StructureDefinition/fi-base-patient"
    ]
    assert patient["address"][0]["city"] == "Pori" and patient["telecom"][0]["value"] == "0401234567"
    assert patient["name"][0]["text"] == f"{client.first_names} {client.last_name}"
    assert "security" not in patient["meta"]


def test_patient__turvakielto_label_and_no_address_or_phone(db):
    client = ClientFactory(
        address_protected=True, phone="0401234567", email="a@b.example", street_address="Salainen 1", post_office="Pori"
    )
    patient = valid(to_fhir_patient(client))
    assert patient["meta"]["security"] == [
        {"system": SECURITY_LABEL_SYSTEM, "code": "TURVAKIELTO", "display": "Turvakielto"}
    ]
    assert "address" not in patient and "telecom" not in patient
    assert "Salainen" not in str(patient) and "0401234567" not in str(patient)


def test_organization__sote_oid_as_fi_base_writes_it(db):
    parent = Organisation.objects.create(name="Testialue", kind="welfare_region")
    org = Organisation.objects.create(
        name="Testikeskus", kind="sote_centre", parent=parent, sote_oid="1.2.246.10.1234567.10.1"
    )
    resource = valid(to_fhir_organization(org))
    assert resource["identifier"] == [
        {"use": "official", "system": SOTE_ORGANISATION_SYSTEM, "value": "urn:oid:1.2.246.10.1234567.10.1"}
    ]
    assert resource["partOf"]["reference"] == f"Organization/{parent.pk}"
    assert "identifier" not in valid(to_fhir_organization(parent))


def test_practitioner_and_role(nurse, team):
    nurse.phone, nurse.username, nurse.email = "0291234567", "login-x7", "hoitaja@tukipolku.example"
    practitioner = valid(to_fhir_practitioner(nurse))
    assert practitioner["name"][0]["family"] == nurse.last_name and "identifier" not in practitioner
    assert nurse.username not in str(practitioner) and nurse.email not in str(practitioner)
    membership = TeamMembership.objects.select_related("user", "team").get(user=nurse)
    role = valid(to_fhir_practitioner_role(membership))
    assert role["practitioner"]["reference"] == f"Practitioner/{nurse.pk}"
    assert role["organization"]["reference"] == f"Organization/{team.organisation_id}"
    assert role["code"][0]["coding"][0]["code"] == "public_health_nurse" and role["active"] is True


def test_episode_of_care__contact_person_is_care_manager(full_episode, coordinator):
    resource = valid(to_fhir_episode_of_care(full_episode))
    assert resource["status"] == "active"
    assert resource["careManager"]["reference"] == f"Practitioner/{coordinator.pk}"
    assert resource["patient"]["reference"] == f"Patient/{full_episode.client_id}"
    assert resource["team"][0]["reference"] == f"CareTeam/{full_episode.pk}"
    assert resource["type"][0]["coding"][0]["code"] == "satakunta"


def test_episode_of_care__closed_is_finished_with_the_outcome(full_episode):
    Episode.objects.filter(pk=full_episode.pk).update(
        status="closed", outcome="studies", outcome_on=timezone.localdate(), closed_at=timezone.now()
    )
    resource = valid(to_fhir_episode_of_care(Episode.objects.get(pk=full_episode.pk)))
    assert resource["status"] == "finished" and "end" in resource["period"]
    assert resource["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "studies"


def test_care_team__members_and_responsibilities(full_episode, coordinator, physician):
    resource = valid(to_fhir_care_team(full_episode))
    members = {p["member"]["reference"] for p in resource["participant"]}
    assert {f"Practitioner/{coordinator.pk}", f"Practitioner/{physician.pk}"} <= members
    roles = [c["code"] for p in resource["participant"] for r in p.get("role", []) for c in r.get("coding", [])]
    assert "contact_person" in roles
    assert resource["category"][0]["coding"][0]["code"] == "LA27977-0"


def test_care_plan__goals_actions_and_version(plan, coordinator):
    resource = valid(to_fhir_care_plan(plan))
    assert resource["status"] == "active" and resource["intent"] == "plan"
    assert resource["meta"]["versionId"] == str(plan.revision)
    assert len(resource["goal"]) == 2
    detail = resource["activity"][0]["detail"]
    assert resource["activity"][0]["id"].startswith("action-")
    assert detail["status"] == "not-started" and detail["performer"][0]["reference"] == f"Practitioner/{coordinator.pk}"
    assert resource["extension"][0]["valueDate"] == plan.next_review_on.isoformat()


def test_goal__statuses(plan):
    goals = {g.status: g for g in plan.goals.all()}
    client_id = plan.episode.client_id
    in_progress = valid(to_fhir_goal(goals["in_progress"], client_id=client_id))
    assert in_progress["lifecycleStatus"] == "active"
    assert in_progress["achievementStatus"]["coding"][0]["code"] == "in-progress"
    assert in_progress["note"][0]["authorReference"]["reference"] == f"Patient/{client_id}"
    partly = valid(to_fhir_goal(goals["partly_achieved"], client_id=client_id))
    assert partly["lifecycleStatus"] == "completed"
    assert partly["achievementStatus"]["coding"][0]["code"] == "partly_achieved"


def test_appointment__participants_place_and_default_end(meeting):
    resource = valid(to_fhir_appointment(meeting))
    assert resource["status"] == "fulfilled"
    actors = [p["actor"] for p in resource["participant"]]
    assert {"reference": f"Patient/{meeting.episode.client_id}"} in actors
    assert {"display": "Pekka Työnantaja, Esimerkki Oy"} in actors
    assert resource["contained"][0]["name"] == "Testikeskus, neuvotteluhuone 2"
    start = datetime.datetime.fromisoformat(resource["start"])
    assert datetime.datetime.fromisoformat(resource["end"]) - start == datetime.timedelta(hours=1)


def test_service_request__referral(referral, employment_org):
    resource = valid(to_fhir_service_request(referral))
    assert resource["status"] == "active" and resource["intent"] == "order"
    assert resource["performer"][0]["reference"] == f"Organization/{employment_org.pk}"
    assert resource["occurrencePeriod"]["end"] == referral.due_on.isoformat()
    assert resource["extension"][0]["valueCoding"]["code"] == DataCategory.SHARED_PLAN


def test_consent__consent_and_prohibition(consent, full_episode, nurse):
    today = timezone.localdate()
    resource = valid(to_fhir_consent(consent, today=today))
    assert resource["status"] == "active" and resource["provision"]["type"] == "permit"
    assert resource["policyRule"]["coding"][0]["code"] == "OPTIN"
    prohibition = consent_for(
        full_episode, nurse, [DataCategory.HEALTH], recipient_kind="kela", kind=ConsentKind.PROHIBITION
    )
    denied = valid(to_fhir_consent(prohibition, today=today))
    assert denied["provision"]["type"] == "deny" and denied["policyRule"]["coding"][0]["code"] == "OPTOUT"
    assert denied["provision"]["actor"][0]["reference"]["identifier"]["value"] == "kela"
    assert valid(to_fhir_consent(consent, today=today + datetime.timedelta(days=10000)))["status"] in {"active"}
    assert to_fhir_consent(prohibition, today=today - datetime.timedelta(days=1))["status"] == "proposed"


def test_observation__work_ability_score(handover):
    resource = valid(work_ability_observation(handover))
    assert resource["id"] == f"handover-{handover.pk}" and resource["valueInteger"] == 6
    assert resource["subject"]["reference"] == f"Patient/{handover.client_id}"
    handover.work_ability_score = None
    assert work_ability_observation(handover) is None


@pytest.mark.parametrize(
    ("resource", "problem"),
    [
        (
            {"resourceType": "Patient", "id": "1", "meta": {"profile": []}},
            "Patient.meta.profile",
        ),
        (
            {
                "resourceType": "Patient",
                "id": "1",
                "meta": {"profile": ["https://hl7.fi/fhir/finnish-base-profiles/StructureDefinition/fi-base-patient"]},
                "identifier": [{"use": "official", "system": PIC_SYSTEM, "value": "010190-999X"}],
            },
            "NNFIN",
        ),
        (
            {
                "resourceType": "Patient",
                "id": "1",
                "meta": {"profile": ["https://hl7.fi/fhir/finnish-base-profiles/StructureDefinition/fi-base-patient"]},
                "identifier": [
                    {
                        "use": "official",
                        "type": {
                            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "NNFIN"}]
                        },
                        "system": PIC_SYSTEM,
                        "value": "010190-999X",
                    }
                ],
            },
            "valid 11-character identity code",
        ),
        (
            {
                "resourceType": "EpisodeOfCare",
                "id": "1",
                "meta": {
                    "profile": ["https://hl7.fi/fhir/finnish-base-profiles/StructureDefinition/fi-base-episode-of-care"]
                },
                "careManager": {"reference": "Organization/1"},
            },
            "careManager",
        ),
    ],
)
def test_conformance__finds_what_breaks_fi_base(resource, problem):
    """The checks are not vacuous: a wrong profile, a PIC without NNFIN (and FI Base's own example code
    with a wrong check character), a care manager that is an organisation are all reported."""
    found = conformance.problems(resource)
    assert any(problem in p for p in found), found
