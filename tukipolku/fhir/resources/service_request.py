"""Referral (`referrals.Referral`) → ServiceRequest (no FI Base profile).

`status`: sent and received → `active`, done → `completed`, declined → `revoked` (our status is also
in `category`'s second coding so the difference between sent and received is not lost); `intent`
order; `category` SNOMED CT 3457005 "Patient referral"; `code` the kind of referral (our code
system); `requester` the sender; `performer` the recipient organisation (and the named user), or a
display-only reference for an outside recipient; `reasonCode` the reason as text; `authoredOn` when
sent; `occurrencePeriod.end` the due date; `supportingInfo` the EpisodeOfCare. The data categories
sent go in our extension `referral-data-category`.
"""

from __future__ import annotations

from typing import Any

from tukipolku.fhir.resources.common import (
    choice_concept,
    code_system,
    coding,
    day,
    extension_url,
    instant,
    meta,
    prune,
    ref,
)
from tukipolku.fhir.resources.practitioner import practitioner_ref
from tukipolku.privacy.choices import DataCategory
from tukipolku.referrals.choices import ReferralKind, ReferralStatus
from tukipolku.referrals.models import Referral

SNOMED = "http://snomed.info/sct"
STATUS = {
    ReferralStatus.SENT: "active",
    ReferralStatus.RECEIVED: "active",
    ReferralStatus.DONE: "completed",
    ReferralStatus.DECLINED: "revoked",
}


def to_fhir_service_request(referral: Referral) -> dict[str, Any]:
    """The referral; fetch `episode`, `sent_by`, `recipient_organisation` and `recipient_user` with it."""
    status = ReferralStatus(referral.status)
    performer: list[dict[str, Any]] = []
    if referral.recipient_organisation_id is not None:
        performer.append(ref("Organization", referral.recipient_organisation_id, str(referral.recipient_organisation)))
        if referral.recipient_user is not None:
            performer.append(ref("Practitioner", referral.recipient_user.pk, referral.recipient_user.display_name))
    else:
        performer.append({"display": referral.recipient_name})
    category_codings = [
        coding(SNOMED, "3457005", "Patient referral"),
        coding(code_system("referral-status"), status.value, status.label),
    ]
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": str(referral.pk),
        "meta": meta(updated=referral.updated_at),
        "status": STATUS[status],
        "intent": "order",
        "category": [{"coding": category_codings}],
        "code": choice_concept("referral-kind", ReferralKind, referral.kind),
        "subject": ref("Patient", referral.episode.client_id),
        "occurrencePeriod": {"end": day(referral.due_on)},
        "authoredOn": instant(referral.sent_at),
        "requester": practitioner_ref(referral.sent_by),
        "performer": performer,
        "reasonCode": [{"text": referral.reason}],
        "supportingInfo": [ref("EpisodeOfCare", referral.episode_id)],
        "note": [{"text": referral.note}] if referral.note else [],
        "extension": [
            {
                "url": extension_url("referral-data-category"),
                "valueCoding": coding(
                    code_system("data-category"), category, dict(DataCategory.choices).get(category, category)
                ),
            }
            for category in referral.categories
        ],
    }
    return prune(resource)
