"""What every resource mapping shares: the code systems and identifiers we send, references, dates.

The mappings are pure: a model instance (with its relations already fetched, or prefetched for bulk
use) in, a FHIR R4 (4.0.1) JSON dict out. They never query beyond the relations they are given, never
decide access and never log: the views and the bulk export ask `tukipolku.access` first.

Systems are those of FI Base (hl7.fhir.fi.base 2.0.0-rc2, checked against fhir-fi/finnish-base-profiles
commit 8581fb5) and the HL7 terminology; where no national code exists we send our own code system
under `CANONICAL` (listed in docs/fhir.md).
"""

from __future__ import annotations

import datetime
from typing import Any

CANONICAL = "https://tukipolku.fi/fhir"
"""The project's canonical base for its own code systems and extensions (docs/fhir.md)."""

FI_BASE = "https://hl7.fi/fhir/finnish-base-profiles"
PROFILE = f"{FI_BASE}/StructureDefinition"

PIC_SYSTEM = "urn:oid:1.2.246.21"
"""Finnish personal identity code (henkilötunnus) – FI Base Patient.identifier[PIC]."""
SOTE_ORGANISATION_SYSTEM = "urn:oid:1.2.246.537.6.202.2008"
"""SOTE organisation register (code system 1.2.246.537.6.202, version 2008) as FI Base's example
`organizationPrimaryCareUnit.fsh` writes it; the value is the organisation's OID as `urn:oid:…`."""
SECURITY_LABEL_SYSTEM = f"{FI_BASE}/CodeSystem/fi-base-security-label-cs"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
BCP47 = "urn:ietf:bcp:47"


def code_system(name: str) -> str:
    """The URL of one of our own code systems (`CodeSystem/<name>`)."""
    return f"{CANONICAL}/CodeSystem/{name}"


def extension_url(name: str) -> str:
    return f"{CANONICAL}/StructureDefinition/{name}"


def ref(resource_type: str, pk: object, display: str | None = None) -> dict[str, Any]:
    """A literal relative reference (`Patient/12`), with a display when given."""
    out: dict[str, Any] = {"reference": f"{resource_type}/{pk}"}
    if display:
        out["display"] = display
    return out


def coding(system: str, code: str, display: object = None) -> dict[str, Any]:
    out: dict[str, Any] = {"system": system, "code": str(code)}
    if display:
        out["display"] = str(display)
    return out


def concept(system: str, code: str, display: object = None) -> dict[str, Any]:
    """A CodeableConcept of one coding, its text the display."""
    out: dict[str, Any] = {"coding": [coding(system, code, display)]}
    if display:
        out["text"] = str(display)
    return out


def choice_concept(name: str, choices: Any, value: str) -> dict[str, Any]:
    """A CodeableConcept in our code system `name` for a value of a Django `TextChoices`."""
    return concept(code_system(name), value, dict(choices.choices).get(value, value))


def instant(value: datetime.datetime | None) -> str | None:
    """A FHIR dateTime/instant: ISO 8601 with the offset (stored datetimes are aware)."""
    return value.isoformat(timespec="seconds") if value is not None else None


def day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def meta(*, profile: str | None = None, updated: datetime.datetime | None = None, version: object = None) -> dict:
    """`meta` with the FI Base profile we claim, the last update and the version (the ETag) when known."""
    out: dict[str, Any] = {}
    if version is not None:
        out["versionId"] = str(version)
    if updated is not None:
        out["lastUpdated"] = instant(updated)
    if profile:
        out["profile"] = [f"{PROFILE}/{profile}"]
    return out


def period(start: object = None, end: object = None) -> dict[str, str] | None:
    """A Period of dates or datetimes; None when neither end is known."""
    out = {k: _text(v) for k, v in (("start", start), ("end", end)) if v is not None}
    return out or None


def _text(value: object) -> str:
    if isinstance(value, datetime.datetime):
        return instant(value) or ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def prune(resource: dict[str, Any]) -> dict[str, Any]:
    """Drop keys whose value is None, "", [] or {} (FHIR forbids empty elements), recursively."""
    out: dict[str, Any] = {}
    for key, value in resource.items():
        if isinstance(value, dict):
            value = prune(value)
        elif isinstance(value, list):
            value = [prune(v) if isinstance(v, dict) else v for v in value]
            value = [v for v in value if v not in (None, "", {}, [])]
        if value in (None, "", {}, []):
            continue
        out[key] = value
    return out
