"""The CapabilityStatement at `/fhir/metadata`, generated from `kinds.KINDS`: exactly the types,
interactions, search parameters and `_include`s the views serve."""

from __future__ import annotations

from typing import Any

from tukipolku.fhir.kinds import KINDS
from tukipolku.fhir.resources.common import PROFILE

SOFTWARE_VERSION = "1.0.0"
CAPABILITY_DATE = "2026-12-06"
COMMON_PARAMS = [
    {"name": "_id", "type": "token", "documentation": "the resource id (a list: 1,2,3)"},
    {"name": "_count", "type": "number", "documentation": "page size, 50 by default, at most 200"},
]


def capability_statement(base_url: str) -> dict[str, Any]:
    resources = []
    for kind in KINDS.values():
        params = list(COMMON_PARAMS)
        params += [
            {
                "name": name,
                "type": param.type,
                **({"documentation": param.documentation} if param.documentation else {}),
            }
            for name, param in kind.params.items()
        ]
        if kind.name == "Patient":
            params.append(
                {
                    "name": "identifier",
                    "type": "token",
                    "documentation": "urn:oid:1.2.246.21|<identity code>: only by POST /fhir/Patient/_search "
                    "(application/x-www-form-urlencoded); refused in a URL",
                }
            )
        entry: dict[str, Any] = {
            "type": kind.name,
            "interaction": [{"code": code} for code in kind.interactions],
            "versioning": "versioned-update" if "update" in kind.interactions else "no-version",
            "readHistory": False,
            "updateCreate": False,
            "conditionalCreate": False,
            "conditionalUpdate": False,
            "conditionalDelete": "not-supported",
            "searchInclude": [f"{kind.name}:{name}" for name in kind.includes],
            "searchParam": params,
        }
        if kind.profile:
            entry["profile"] = f"{PROFILE}/{kind.profile}"
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": CAPABILITY_DATE,
        "publisher": "Tukipolku",
        "kind": "instance",
        "software": {"name": "Tukipolku", "version": SOFTWARE_VERSION},
        "implementation": {"description": "Tukipolku FHIR facade", "url": base_url},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "implementationGuide": ["https://hl7.fi/fhir/finnish-base-profiles/ImplementationGuide/hl7.fhir.fi.base"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Read, search and (CarePlan, Appointment) create and update. Every read goes "
                "through the access policy and is logged; a hidden resource answers 404.",
                "security": {
                    "cors": False,
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "OAuth",
                                }
                            ]
                        }
                    ],
                    "description": "OAuth 2.0 client credentials at /o/token/ (scopes fhir.read, fhir.write), "
                    "or a staff session.",
                },
                "resource": resources,
            }
        ],
    }
