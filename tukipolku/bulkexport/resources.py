"""Which FHIR resource types an export writes, and how each is made from our rows.

Each `ResourceKind` says what its resources are made from (`per`: a client, a client relationship, an
organisation) and how (`emit`: the row in, its resources out, each with the time its row last changed,
for `_since`), using the FHIR facade's pure mappings (`tukipolku.fhir.resources`), and the data category
the reader must be allowed to read for it (`privacy.choices.DataCategory`).

`EPISODE_RELATIONS` and `EPISODE_PREFETCH` are what the export fetches with the permitted relationships
of a chunk, so the mappings query nothing more (one query per relation for a chunk, never one per
resource).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from tukipolku.bulkexport.choices import ExportLevel
from tukipolku.cases.models import Episode
from tukipolku.clients.models import Client
from tukipolku.core.models import Organisation
from tukipolku.fhir.resources import (
    to_fhir_care_plan,
    to_fhir_care_team,
    to_fhir_episode_of_care,
    to_fhir_goal,
    to_fhir_organization,
    to_fhir_patient,
)
from tukipolku.privacy.choices import DataCategory

PER_CLIENT = "client"
PER_EPISODE = "episode"
PER_ORGANISATION = "organisation"

Emitted = Iterable[tuple[dict[str, Any], datetime.datetime | None]]


@dataclass(frozen=True)
class ResourceKind:
    name: str
    per: str
    emit: Callable[[Any], Emitted]
    category: str = DataCategory.SHARED_PLAN
    system_only: bool = False  # written by a system-level export only (not in the patient compartment)


def _patient(client: Client) -> Emitted:
    yield to_fhir_patient(client), client.updated_at


def _episode_of_care(episode: Episode) -> Emitted:
    yield to_fhir_episode_of_care(episode), episode.updated_at


def _care_team(episode: Episode) -> Emitted:
    yield to_fhir_care_team(episode), episode.updated_at


def _plan(episode: Episode) -> Any:
    try:
        return episode.plan
    except ObjectDoesNotExist:
        return None


def _care_plan(episode: Episode) -> Emitted:
    plan = _plan(episode)
    if plan is not None:
        yield to_fhir_care_plan(plan), plan.updated_at


def _goals(episode: Episode) -> Emitted:
    plan = _plan(episode)
    if plan is not None:
        for goal in plan.goals.all():
            yield to_fhir_goal(goal, client_id=episode.client_id), goal.updated_at


def _organization(organisation: Organisation) -> Emitted:
    yield to_fhir_organization(organisation), organisation.updated_at


RESOURCES: dict[str, ResourceKind] = {
    kind.name: kind
    for kind in (
        ResourceKind("Patient", PER_CLIENT, _patient),
        ResourceKind("EpisodeOfCare", PER_EPISODE, _episode_of_care),
        ResourceKind("CareTeam", PER_EPISODE, _care_team),
        ResourceKind("CarePlan", PER_EPISODE, _care_plan),
        ResourceKind("Goal", PER_EPISODE, _goals),
        ResourceKind("Organization", PER_ORGANISATION, _organization, system_only=True),
    )
}
"""The resource types of an export, in the order of the manifest."""

EPISODE_RELATIONS = ("client", "team", "team__organisation", "pathway_version__pathway", "plan")
EPISODE_PREFETCH = ("assignments__user", "members__user", "plan__goals", "plan__actions__owner")


def types_for(*, level: str, requested: list[str] | None) -> list[str]:
    """The resource types an export writes: those asked for (`_type`), else every type of its level."""
    allowed = [k for k, v in RESOURCES.items() if level == ExportLevel.SYSTEM or not v.system_only]
    if not requested:
        return allowed
    return [t for t in allowed if t in requested]


def supported_types() -> list[str]:
    return list(RESOURCES)
