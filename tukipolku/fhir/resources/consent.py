"""Consent or prohibition (`privacy.Consent`) → Consent (R4 base resource: FI Base 2.0 has no
Consent profile).

`status`: `active` while in force, `proposed` before its first day, `inactive` once withdrawn or
expired. `scope` patient-privacy; `category` LOINC 59284-0 "Patient Consent"; `policyRule` v3
ActCode `OPTIN` for a consent, `OPTOUT` for a prohibition; `provision.type` permit or deny, with the
period, the recipient (role IRCP: an Organization, or "every organisation of a kind" as a
display-only reference with the kind as its identifier in our code system), the purpose and the
data categories (`provision.class`, our code systems). The DVV address protection is not a Consent:
it is the Patient's `TURVAKIELTO` label.
"""

from __future__ import annotations

import datetime
from typing import Any

from tukipolku.core.choices import OrganisationKind
from tukipolku.fhir.resources.common import code_system, coding, concept, day, instant, meta, prune, ref
from tukipolku.privacy.choices import DataCategory, Purpose
from tukipolku.privacy.models import Consent

LOINC = "http://loinc.org"
SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"


def consent_status(consent: Consent, today: datetime.date) -> str:
    if consent.withdrawn_at is not None or (consent.valid_until is not None and consent.valid_until < today):
        return "inactive"
    if consent.valid_from > today:
        return "proposed"
    return "active"


def to_fhir_consent(consent: Consent, *, today: datetime.date) -> dict[str, Any]:
    """The consent; fetch `recipient_organisation` and `recorded_by` with it. `today` decides the status."""
    if consent.recipient_organisation_id is not None:
        recipient = ref("Organization", consent.recipient_organisation_id, str(consent.recipient_organisation))
    else:
        label = dict(OrganisationKind.choices).get(consent.recipient_kind, consent.recipient_kind)
        recipient = {
            "type": "Organization",
            "identifier": {"system": code_system("organisation-kind"), "value": consent.recipient_kind},
            "display": str(label),
        }
    categories = dict(DataCategory.choices)
    resource: dict[str, Any] = {
        "resourceType": "Consent",
        "id": str(consent.pk),
        "meta": meta(),
        "status": consent_status(consent, today),
        "scope": concept(SCOPE_SYSTEM, "patient-privacy", "Privacy Consent"),
        "category": [concept(LOINC, "59284-0", "Patient Consent")],
        "patient": ref("Patient", consent.client_id),
        "dateTime": instant(consent.recorded_at),
        "performer": [ref("Patient", consent.client_id)],
        "organization": [ref("Organization", consent.recorded_by.organisation_id)]
        if consent.recorded_by.organisation_id
        else [],
        "policyRule": concept(ACT_CODE, "OPTOUT" if consent.is_prohibition else "OPTIN"),
        "provision": {
            "type": "deny" if consent.is_prohibition else "permit",
            "period": {"start": day(consent.valid_from), "end": day(consent.valid_until)},
            "actor": [{"role": concept(ROLE_CODE, "IRCP", "information recipient"), "reference": recipient}],
            "purpose": [coding(code_system("purpose"), consent.purpose, dict(Purpose.choices).get(consent.purpose))],
            "class": [coding(code_system("data-category"), c, categories.get(c, c)) for c in consent.categories],
        },
    }
    return prune(resource)
