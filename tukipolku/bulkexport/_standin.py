"""Stand-in mappings until the FHIR facade's (`tukipolku.fhir.resources`) land on main: the same names
and signatures, the bare minimum of each resource. Replaced, not extended."""

from __future__ import annotations

from typing import Any

from tukipolku.cases.models import Episode
from tukipolku.clients.models import Client
from tukipolku.core.models import Organisation


def to_fhir_patient(client: Client) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": str(client.pk),
        "identifier": [{"system": "urn:oid:1.2.246.21", "value": client.identity_code}],
        "name": [{"family": client.last_name, "given": client.first_names.split()}],
        "birthDate": client.birth_date.isoformat(),
    }


def to_fhir_episode_of_care(episode: Episode) -> dict[str, Any]:
    return {
        "resourceType": "EpisodeOfCare",
        "id": str(episode.pk),
        "status": "active" if episode.is_open else "finished",
        "patient": {"reference": f"Patient/{episode.client_id}"},
        "managingOrganization": {"reference": f"Organization/{episode.team.organisation_id}"},
    }


def to_fhir_care_team(episode: Episode) -> dict[str, Any]:
    return {
        "resourceType": "CareTeam",
        "id": str(episode.pk),
        "subject": {"reference": f"Patient/{episode.client_id}"},
        "name": episode.team.name,
    }


def to_fhir_organization(organisation: Organisation) -> dict[str, Any]:
    return {"resourceType": "Organization", "id": str(organisation.pk), "name": organisation.name}
