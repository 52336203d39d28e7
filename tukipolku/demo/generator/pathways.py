"""The published pathways the episodes follow, with their steps and shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from tukipolku.demo.generator.distributions import PATHWAY_SHARES
from tukipolku.pathways.models import Pathway
from tukipolku.pathways.selectors import pathway_version_current


@dataclass(frozen=True)
class _Step:
    id: int
    index: int
    code: str
    payload: dict[str, Any]
    days: int
    check: str
    role: str


@dataclass
class _Pathway:
    code: str
    version_id: int
    version_number: int
    names: dict[str, str]
    steps: list[_Step]
    open_cum: list[float] = field(init=False)

    def __post_init__(self) -> None:
        # Open episodes spread over steps roughly by the time spent in each step.
        self.open_cum = list(accumulate(s.days**0.8 for s in self.steps))

    def index_of(self, check: str, default: int) -> int:
        return next((s.index for s in self.steps if s.check == check), default)


def _load_pathways() -> tuple[list[_Pathway], list[float]]:
    found, weights = [], []
    for code, share in PATHWAY_SHARES:
        pathway = Pathway.objects.filter(code=code).first()
        version = pathway_version_current(pathway=pathway) if pathway is not None else None
        if pathway is None or version is None:
            continue
        steps = [
            _Step(
                s.pk,
                i,
                s.code,
                {"order": s.order, "name": {"fi": s.name_fi, "sv": s.name_sv, "en": s.name_en}},
                s.expected_duration_days,
                s.completion_check,
                s.responsible_role,
            )
            for i, s in enumerate(version.steps.order_by("order"))
        ]
        if len(steps) < 2:
            continue
        names = {"fi": pathway.name_fi, "sv": pathway.name_sv, "en": pathway.name_en}
        found.append(_Pathway(code, version.pk, version.number, names, steps))
        weights.append(share)
    if not found:
        raise RuntimeError("No published pathways found: run `manage.py migrate` first.")
    return found, list(accumulate(weights))
