"""Client → FI Base Patient (`fi-base-patient`).

* The identity code is `identifier[PIC]`: use `official`, type `v2-0203#NNFIN`, system
  `urn:oid:1.2.246.21`, the 11-character code as the value (FI Base Patient profile).
* Address protection (turvakielto, DVV's non-disclosure for personal safety) is the `TURVAKIELTO`
  label of FI Base's security-label code system in `meta.security` – and then the resource carries
  no address, no phone and no e-mail at all, whoever reads it.
* `name.text` is filled as FI Base asks ("Systems SHOULD populate the name.text field").
* Gender is not sent: we do not record it, and deriving it from the identity code is what the
  identity-code reform removes. The municipality of residence is kept as a name, not as the
  municipality code FI Base's `municipality-code` extension requires, so the extension is not sent.
"""

from __future__ import annotations

from typing import Any

from tukipolku.clients.choices import ClientLanguage
from tukipolku.clients.models import Client
from tukipolku.fhir.resources.common import BCP47, PIC_SYSTEM, SECURITY_LABEL_SYSTEM, V2_0203, coding, day, meta, prune

TURVAKIELTO = coding(SECURITY_LABEL_SYSTEM, "TURVAKIELTO", "Turvakielto")
LANGUAGES: dict[str, str] = {ClientLanguage.FINNISH: "fi", ClientLanguage.SWEDISH: "sv", ClientLanguage.ENGLISH: "en"}
_LANGUAGE_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}


def to_fhir_patient(client: Client) -> dict[str, Any]:
    """The client as a FI Base Patient; a protected address hides every contact detail."""
    resource_meta = meta(profile="fi-base-patient", updated=client.updated_at, version=client.revision)
    protected = client.address_protected
    if protected:
        resource_meta["security"] = [TURVAKIELTO]
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(client.pk),
        "meta": resource_meta,
        "identifier": [
            {
                "use": "official",
                "type": {"coding": [coding(V2_0203, "NNFIN")]},
                "system": PIC_SYSTEM,
                "value": client.identity_code,
            }
        ],
        "active": True,
        "name": [
            {
                "use": "official",
                "text": f"{client.first_names} {client.last_name}".strip(),
                "family": client.last_name,
                "given": client.first_names.split(),
            }
        ],
        "birthDate": day(client.birth_date),
    }
    if not protected:
        resource["telecom"] = _telecom(client)
        resource["address"] = _address(client)
    language = LANGUAGES.get(client.language)
    if language:
        resource["communication"] = [
            {
                "language": {"coding": [coding(BCP47, language, _LANGUAGE_NAMES[language])]},
                "preferred": True,
            }
        ]
    return prune(resource)


def _telecom(client: Client) -> list[dict[str, Any]]:
    out = []
    if client.phone:
        out.append({"system": "phone", "value": client.phone})
    if client.email:
        out.append({"system": "email", "value": client.email})
    return out


def _address(client: Client) -> list[dict[str, Any]]:
    if not (client.street_address or client.postal_code or client.post_office):
        return []
    return [
        {
            "use": "home",
            "type": "postal",
            "line": [client.street_address] if client.street_address else [],
            "postalCode": client.postal_code,
            "city": client.post_office,
            "country": "FI",
        }
    ]
