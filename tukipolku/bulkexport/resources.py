"""Which FHIR resource types an export writes, and how each is made from our rows.

Each `ResourceKind` says what one resource is made from (`per`: a client, a client relationship, an
organisation), the function that maps it (pure: model instance in, FHIR R4 dict out; the FHIR
facade's mappings in `tukipolku.fhir.resources`), when the row last changed (for `_since`), and the
data category the reader must be allowed to read for it (`privacy.choices.DataCategory`).

`relations` are what the export fetches with the permitted relationships of a chunk, so the mappings
query nothing more (one query per relation for a chunk, never one per resource).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tukipolku.bulkexport import _standin as mapping
from tukipolku.privacy.choices import DataCategory

PER_CLIENT = "client"
PER_EPISODE = "episode"
PER_ORGANISATION = "organisation"


@dataclass(frozen=True)
class ResourceKind:
    name: str
    per: str
    build: Callable[[Any], dict[str, Any]]
    changed: Callable[[Any], datetime.datetime | None]
    category: str = DataCategory.SHARED_PLAN
    system_only: bool = False  # written by a system-level export only (not in the patient compartment)


RESOURCES: dict[str, ResourceKind] = {
    kind.name: kind
    for kind in (
        ResourceKind("Patient", PER_CLIENT, mapping.to_fhir_patient, lambda client: client.updated_at),
        ResourceKind("EpisodeOfCare", PER_EPISODE, mapping.to_fhir_episode_of_care, lambda episode: episode.updated_at),
        ResourceKind("CareTeam", PER_EPISODE, mapping.to_fhir_care_team, lambda episode: episode.updated_at),
        ResourceKind(
            "Organization",
            PER_ORGANISATION,
            mapping.to_fhir_organization,
            lambda organisation: organisation.updated_at,
            system_only=True,
        ),
    )
}
"""The resource types of an export, in the order of the manifest."""

EPISODE_RELATIONS = ("client", "team", "team__organisation", "pathway_version__pathway")
EPISODE_PREFETCH = ("assignments__user", "members__user")


def types_for(*, level: str, requested: list[str] | None) -> list[str]:
    """The resource types an export writes: those asked for (`_type`), else every type of its level."""
    from tukipolku.bulkexport.choices import ExportLevel

    allowed = [k for k, v in RESOURCES.items() if level == ExportLevel.SYSTEM or not v.system_only]
    if not requested:
        return allowed
    return [t for t in allowed if t in requested]


def supported_types() -> list[str]:
    return list(RESOURCES)
