"""Loads the shipped operating models from data/pathways.json (used by a data migration)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.utils import timezone

DATA_FILE = Path(__file__).resolve().parent / "data" / "pathways.json"

PATHWAY_FIELDS = [
    "name_fi",
    "name_sv",
    "name_en",
    "description_fi",
    "description_sv",
    "description_en",
    "opened_by_handover",
    "handover_reasons",
]
STEP_FIELDS = [
    "code",
    "name_fi",
    "name_sv",
    "name_en",
    "guidance_fi",
    "guidance_sv",
    "guidance_en",
    "produces_fi",
    "produces_sv",
    "produces_en",
    "responsible_role",
    "expected_duration_days",
    "legal_basis",
    "completion_check",
    "handover_role",
]

OPTIONAL_DEFAULTS: dict[str, Any] = {"opened_by_handover": False, "handover_reasons": (), "handover_role": ""}
"""Fields a data file may leave out (most pathways are not opened by a handover)."""


def read_data() -> list[dict[str, Any]]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


FIRST_CODES = ("satakunta", "eura")
"""Shipped with the first release (migration 0002)."""

MORE_CODES = ("rauma_study_end", "escorted_handover", "ips", "unemployed_health_check")
"""Added by migration 0005: the Rauma study-end transition, the escorted handover, IPS job coaching and
the unemployed person's health check."""


def _values(model: Any, item: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """The item's values of `fields` that the (possibly historical) model has: a migration written before
    a field existed loads the data without it, and the migration that adds the field fills it in."""
    have = {f.name for f in model._meta.get_fields()}
    values = {f: item.get(f, OPTIONAL_DEFAULTS.get(f)) for f in fields if f in have}
    if "handover_reasons" in values:
        values["handover_reasons"] = list(values["handover_reasons"] or ())
    return values


def load_pathways(pathway_model: Any, version_model: Any, step_model: Any, codes: Iterable[str] | None = None) -> None:
    """Create each shipped pathway with a published version 1, unless it already exists.

    Takes the model classes so that a migration can pass its historical models. `codes` limits the
    loading to those pathways (None: every pathway in the data file). A pathway that exists is never
    touched, so running it again changes nothing.
    """
    wanted = set(codes) if codes is not None else None
    for item in read_data():
        if wanted is not None and item["code"] not in wanted:
            continue
        if pathway_model.objects.filter(code=item["code"]).exists():
            continue
        pathway = pathway_model.objects.create(code=item["code"], **_values(pathway_model, item, PATHWAY_FIELDS))
        version = version_model.objects.create(
            pathway=pathway,
            number=1,
            status="published",
            published_at=timezone.now(),
            change_note="Shipped with Tukipolku.",
        )
        step_model.objects.bulk_create(
            step_model(version=version, order=s["order"], **_values(step_model, s, STEP_FIELDS)) for s in item["steps"]
        )


def set_handover_roles(pathway_model: Any, step_model: Any) -> None:
    """Mark, from the data file, the pathway that escorted handovers open and the steps a handover does,
    in every version of the shipped pathways (a data migration; steps matched by their code in the file).
    A pathway or step an administrator has since renamed keeps no role and can be given one in the admin."""
    for item in read_data():
        taken = pathway_model.objects.filter(opened_by_handover=True).exclude(code=item["code"]).exists()
        if item.get("opened_by_handover") and not taken:
            pathway_model.objects.filter(code=item["code"]).update(opened_by_handover=True)
        for step in item["steps"]:
            if step.get("handover_role"):
                step_model.objects.filter(version__pathway__code=item["code"], code=step["code"]).update(
                    handover_role=step["handover_role"]
                )


def set_handover_step_checks(step_model: Any, *, was: str) -> None:
    """A step that an escorted handover does asks for what the handover records, not for a record of the
    team's: give such steps (those with a `handover_role`) of the shipped pathways the data file's
    completion check, in every version where the step still has `was` (a data migration; steps matched by
    their pathway's and their own code, so a renamed or otherwise re-checked step is left alone)."""
    for item in read_data():
        for step in item["steps"]:
            check = step.get("completion_check", "none")
            if step.get("handover_role") and check != was:
                step_model.objects.filter(
                    version__pathway__code=item["code"], code=step["code"], completion_check=was
                ).exclude(handover_role="").update(completion_check=check)


def set_handover_reasons(pathway_model: Any) -> None:
    """Give the shipped pathways the handover reasons they suit, from the data file (a data migration;
    pathways matched by code, also a region's copy is left alone). A pathway whose reasons an administrator
    has already set keeps them."""
    for item in read_data():
        reasons = list(item.get("handover_reasons", ()))
        for pathway in pathway_model.objects.filter(code=item["code"]) if reasons else ():
            if not pathway.handover_reasons:
                pathway.handover_reasons = reasons
                pathway.save(update_fields=["handover_reasons"])
