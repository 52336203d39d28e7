"""Organisation → FI Base Organization (`fi-base-organization`).

FI Base: "The OID-code in the national registry should be included in the identifier list". An
organisation with a SOTE organisation register OID (`Organisation.sote_oid`) gets the identifier as
FI Base's example writes it (use `official`, system `urn:oid:1.2.246.537.6.202.2008`, value
`urn:oid:<oid>`); `partOf` is the parent organisation; `type` is the kind in our code system.
"""

from __future__ import annotations

from typing import Any

from tukipolku.core.choices import OrganisationKind
from tukipolku.core.models import Organisation
from tukipolku.fhir.resources.common import SOTE_ORGANISATION_SYSTEM, choice_concept, meta, prune, ref


def to_fhir_organization(organisation: Organisation) -> dict[str, Any]:
    identifiers = []
    if organisation.sote_oid:
        identifiers.append(
            {"use": "official", "system": SOTE_ORGANISATION_SYSTEM, "value": f"urn:oid:{organisation.sote_oid}"}
        )
    resource: dict[str, Any] = {
        "resourceType": "Organization",
        "id": str(organisation.pk),
        "meta": meta(profile="fi-base-organization", updated=organisation.updated_at),
        "identifier": identifiers,
        "active": True,
        "type": [choice_concept("organisation-kind", OrganisationKind, organisation.kind)],
        "name": organisation.name,
        "partOf": ref("Organization", organisation.parent_id) if organisation.parent_id else None,
    }
    return prune(resource)
