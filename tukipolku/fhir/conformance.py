"""Our own checks of the FI Base constraints we claim (docs/fhir.md, "What we check").

`fhir.resources` validates the R4 structure (via its R4B models: types, cardinalities, required
elements); it checks no profile, slice, invariant or reference target. These functions check what
FI Base (hl7.fhir.fi.base 2.0.0-rc2) and the base specification's invariants add for the resources we
send, and return the problems found (an empty list: conforms). The tests run every mapping through
both; the bulk export's tests can do the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tukipolku.clients.identity import is_valid
from tukipolku.fhir.resources.common import (
    PIC_SYSTEM,
    PROFILE,
    SECURITY_LABEL_SYSTEM,
    SOTE_ORGANISATION_SYSTEM,
    V2_0203,
)

ID_PATTERN = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
OID_VALUE = re.compile(r"^urn:oid:1\.2\.246\.10\.\d+(\.\d+)*$")
REFERENCE_TARGETS: dict[tuple[str, str], frozenset[str]] = {
    ("Patient", "generalPractitioner"): frozenset({"Organization", "Practitioner", "PractitionerRole"}),
    ("EpisodeOfCare", "patient"): frozenset({"Patient"}),
    ("EpisodeOfCare", "managingOrganization"): frozenset({"Organization"}),
    ("EpisodeOfCare", "careManager"): frozenset({"Practitioner", "PractitionerRole"}),
    ("EpisodeOfCare", "team"): frozenset({"CareTeam"}),
    ("PractitionerRole", "practitioner"): frozenset({"Practitioner"}),
    ("PractitionerRole", "organization"): frozenset({"Organization"}),
    ("Organization", "partOf"): frozenset({"Organization"}),
    ("Observation", "subject"): frozenset({"Patient"}),
    ("Observation", "performer"): frozenset(
        {"Practitioner", "PractitionerRole", "Organization", "CareTeam", "Patient", "RelatedPerson"}
    ),
    ("Appointment", "participant.actor"): frozenset(
        {"Patient", "Practitioner", "PractitionerRole", "RelatedPerson", "Device", "HealthcareService", "Location"}
    ),
    ("CarePlan", "subject"): frozenset({"Patient"}),
    ("CarePlan", "goal"): frozenset({"Goal"}),
    ("Goal", "subject"): frozenset({"Patient"}),
    ("ServiceRequest", "subject"): frozenset({"Patient"}),
    ("ServiceRequest", "requester"): frozenset({"Practitioner", "PractitionerRole", "Organization"}),
    ("CareTeam", "subject"): frozenset({"Patient"}),
    ("Consent", "patient"): frozenset({"Patient"}),
}
"""Reference targets FI Base (or the base resource) allows, by (resource, element path)."""
PROFILES = {
    "Patient": "fi-base-patient",
    "Practitioner": "fi-base-practitioner",
    "PractitionerRole": "fi-base-practitioner-role",
    "Organization": "fi-base-organization",
    "EpisodeOfCare": "fi-base-episode-of-care",
    "Appointment": "fi-base-appointment",
    "Observation": "fi-base-observation",
}
"""The FI Base profile each resource type claims in `meta.profile` (types without one claim none)."""


def problems(resource: dict[str, Any]) -> list[str]:
    """Everything in `resource` that breaks a FI Base rule we claim; [] when it conforms."""
    kind = resource.get("resourceType", "")
    found: list[str] = []
    if not ID_PATTERN.match(str(resource.get("id", ""))):
        found.append(f"{kind}.id is not a FHIR id")
    claimed = resource.get("meta", {}).get("profile", [])
    expected = [f"{PROFILE}/{PROFILES[kind]}"] if kind in PROFILES else []
    if claimed != expected:
        found.append(f"{kind}.meta.profile is {claimed}, expected {expected}")
    for path, reference in _references(resource):
        found += _reference_problems(resource, kind, path, reference)
    for path, value in _codings(resource):
        if not value.get("system") or not value.get("code"):
            found.append(f"{kind}.{path}: a coding without system or code")
    check = _CHECKS.get(kind)
    if check is not None:
        found += check(resource)
    return found


def _reference_problems(resource: dict[str, Any], kind: str, path: str, reference: dict[str, Any]) -> list[str]:
    literal = reference.get("reference")
    if literal is None:
        return [] if reference.get("display") else [f"{kind}.{path}: a reference with neither target nor display"]
    if literal.startswith("#"):
        contained = {c.get("id") for c in resource.get("contained", [])}
        return [] if literal[1:] in contained else [f"{kind}.{path}: {literal} is not contained"]
    target, _, pk = literal.partition("/")
    out = []
    if not ID_PATTERN.match(pk):
        out.append(f"{kind}.{path}: {literal} has no valid id")
    allowed = REFERENCE_TARGETS.get((kind, path))
    if allowed is not None and target not in allowed:
        out.append(f"{kind}.{path}: {target} is not allowed (FI Base allows {sorted(allowed)})")
    return out


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "contained":
                continue
            sub = f"{path}.{key}" if path else key
            yield sub, value
            yield from _walk(value, sub)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, path)


def _references(resource: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every Reference: a dict with `reference`, or a display-only one (keys among display, type, identifier)."""
    for path, value in _walk(resource):
        if not isinstance(value, dict):
            continue
        if "reference" in value or ("display" in value and set(value) <= {"display", "type", "identifier"}):
            yield path, value


def _codings(resource: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, value in _walk(resource):
        if path.endswith("coding") and isinstance(value, list):
            for item in value:
                yield path, item
        elif path.endswith("valueCoding") and isinstance(value, dict):
            yield path, value


def _patient(resource: dict[str, Any]) -> list[str]:
    out = []
    pics = [i for i in resource.get("identifier", []) if i.get("system") == PIC_SYSTEM]
    if len(pics) > 1:
        out.append("Patient.identifier[PIC] is 0..1")
    for pic in pics:
        if pic.get("use") != "official":
            out.append("Patient.identifier[PIC].use must be official")
        codes = [(c.get("system"), c.get("code")) for c in pic.get("type", {}).get("coding", [])]
        if (V2_0203, "NNFIN") not in codes:
            out.append("Patient.identifier[PIC].type must be v2-0203#NNFIN")
        if not is_valid(pic.get("value", "")) or len(pic.get("value", "")) != 11:
            out.append("Patient.identifier[PIC].value is not a valid 11-character identity code")
    labels = resource.get("meta", {}).get("security", [])
    protected = [s for s in labels if s.get("system") == SECURITY_LABEL_SYSTEM]
    if len(protected) > 1:
        out.append("Patient.meta.security[turvakielto] is 0..1")
    if any(s.get("code") != "TURVAKIELTO" for s in protected):
        out.append("Patient.meta.security: the FI Base security label code system has only TURVAKIELTO")
    if protected and (resource.get("address") or resource.get("telecom")):
        out.append("Patient with TURVAKIELTO carries an address or contact details")
    if not all(n.get("text") for n in resource.get("name", [])):
        out.append("Patient.name.text should be populated (FI Base)")
    return out


def _organization(resource: dict[str, Any]) -> list[str]:
    out = []
    for identifier in resource.get("identifier", []):
        if identifier.get("system") == SOTE_ORGANISATION_SYSTEM and not OID_VALUE.match(identifier.get("value", "")):
            out.append("Organization.identifier[SOTE] value must be urn:oid:1.2.246.10.…")
    return out


def _appointment(resource: dict[str, Any]) -> list[str]:
    out = []
    has_start, has_end = "start" in resource, "end" in resource
    if has_start != has_end:
        out.append("Appointment app-2: start and end go together")
    if not has_start and resource.get("status") not in ("proposed", "cancelled", "waitlist"):
        out.append("Appointment app-3: only proposed or cancelled appointments may lack start and end")
    if has_start and has_end and resource["end"] < resource["start"]:
        out.append("Appointment: end before start")
    if not resource.get("participant"):
        out.append("Appointment.participant is 1..*")
    for participant in resource.get("participant", []):
        if not participant.get("type") and not participant.get("actor"):
            out.append("Appointment app-1: a participant needs a type or an actor")
    return out


def _observation(resource: dict[str, Any]) -> list[str]:
    value = resource.get("valueInteger")
    if resource.get("code", {}).get("coding", [{}])[0].get("code") == "was" and not (
        isinstance(value, int) and 0 <= value <= 10
    ):
        return ["Observation: a work ability score is an integer 0–10"]
    return []


def _consent(resource: dict[str, Any]) -> list[str]:
    out = []
    if not resource.get("policy") and not resource.get("policyRule"):
        out.append("Consent ppc-1: a policy or a policyRule")
    scope = [c.get("code") for c in resource.get("scope", {}).get("coding", [])]
    if "patient-privacy" in scope and not resource.get("patient"):
        out.append("Consent ppc-2: a privacy consent names the patient")
    return out


_CHECKS = {
    "Patient": _patient,
    "Organization": _organization,
    "Appointment": _appointment,
    "Observation": _observation,
    "Consent": _consent,
}
