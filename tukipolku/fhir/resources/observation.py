"""Measures → FI Base Observation (`fi-base-observation`).

Today one measure exists: the work ability score (työkykypistemäärä, WAS 0–10) recorded at an escorted
handover's transfer meeting (`handovers.Handover.work_ability_score`). No LOINC code exists for it
(docs/fhir.md), so `code` is `was` in our code system `tyokyky`; `category` survey; the value an
integer; the person rated themself, so the performer is the Patient; `effectiveDateTime` the transfer
meeting. Its id is `handover-<handover id>`.

**The place for the assessments issue:** structured assessments (WAS, WAI and other measures as
answered forms) become QuestionnaireResponse resources, and each score an Observation here with the id
prefix `assessment-` and `derivedFrom` the QuestionnaireResponse. Add the mapping function next to
`work_ability_observation`, its prefix to `ID_PREFIXES`, and the views pick it up through
`tukipolku.fhir.registry` (the `Observation` entry).
"""

from __future__ import annotations

from typing import Any

from tukipolku.fhir.resources.common import code_system, concept, instant, meta, prune, ref
from tukipolku.handovers.models import Handover

OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
WORK_ABILITY = code_system("tyokyky")
HANDOVER_PREFIX = "handover-"
ID_PREFIXES = (HANDOVER_PREFIX,)


def work_ability_observation(handover: Handover) -> dict[str, Any] | None:
    """The work ability score of a handover's transfer meeting, or None when none was recorded."""
    if handover.work_ability_score is None:
        return None
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"{HANDOVER_PREFIX}{handover.pk}",
        "meta": meta(profile="fi-base-observation", updated=handover.updated_at, version=handover.revision),
        "status": "final",
        "category": [concept(OBSERVATION_CATEGORY, "survey", "Survey")],
        "code": concept(WORK_ABILITY, "was", "Työkykypistemäärä (WAS)"),
        "subject": ref("Patient", handover.client_id),
        "effectiveDateTime": instant(handover.transfer_at or handover.transfer_recorded_at),
        "issued": instant(handover.transfer_recorded_at),
        "performer": [ref("Patient", handover.client_id)],
        "valueInteger": handover.work_ability_score,
        "referenceRange": [{"low": {"value": 0}, "high": {"value": 10}}],
    }
    if handover.episode_id is not None:
        resource["focus"] = [ref("EpisodeOfCare", handover.episode_id)]
    return prune(resource)
