"""Loads the shipped operating models from data/pathways.json (used by a data migration)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.utils import timezone

DATA_FILE = Path(__file__).resolve().parent / "data" / "pathways.json"

PATHWAY_FIELDS = ["name_fi", "name_sv", "name_en", "description_fi", "description_sv", "description_en"]
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
]


def read_data() -> list[dict[str, Any]]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


FIRST_CODES = ("satakunta", "eura")
"""Shipped with the first release (migration 0002)."""

MORE_CODES = ("rauma_study_end", "escorted_handover", "ips", "unemployed_health_check")
"""Added by migration 0005: the Rauma study-end transition, the escorted handover, IPS job coaching and
the unemployed person's health check."""


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
        pathway = pathway_model.objects.create(code=item["code"], **{f: item[f] for f in PATHWAY_FIELDS})
        version = version_model.objects.create(
            pathway=pathway,
            number=1,
            status="published",
            published_at=timezone.now(),
            change_note="Shipped with Tukipolku.",
        )
        step_model.objects.bulk_create(
            step_model(version=version, order=s["order"], **{f: s[f] for f in STEP_FIELDS}) for s in item["steps"]
        )
