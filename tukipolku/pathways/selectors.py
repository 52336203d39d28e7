"""Reads of pathway configuration. Pathways hold no client data: any professional may read them."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from tukipolku.access.actors import Actor
from tukipolku.pathways.choices import VersionStatus
from tukipolku.pathways.models import Pathway, PathwayStep, PathwayVersion


def pathway_version_current(*, pathway: Pathway) -> PathwayVersion | None:
    """The newest published version: new episodes start on it."""
    return PathwayVersion.objects.filter(pathway=pathway, status=VersionStatus.PUBLISHED).order_by("-number").first()


def pathway_list_available() -> QuerySet[Pathway]:
    """Pathways that have a published version and are open for new episodes, the shipped ones first."""
    return Pathway.objects.filter(is_active=True, versions__status=VersionStatus.PUBLISHED).distinct().order_by("pk")


def pathway_list_for(*, actor: Actor) -> QuerySet[Pathway]:
    """The available pathways of the actor's welfare region: episodes open only on these (ADR 11)."""
    region_id = getattr(actor, "region_id", None)
    available = pathway_list_available()
    return available.filter(region_id=region_id) if region_id is not None else available.filter(region__isnull=True)


def pathway_usual_for(*, pathways: QuerySet[Pathway], team_id: int | None) -> Pathway | None:
    """The one of `pathways` that the team works on (`Pathway.teams`), or None when none or several."""
    usual = list(pathways.filter(teams=team_id)[:2]) if team_id is not None else []
    return usual[0] if len(usual) == 1 else None


def pathway_version_list_with_steps(*, version_ids: list[int]) -> dict[int, PathwayVersion]:
    """Versions with their ordered steps, keyed by id, in two queries."""
    versions = (
        PathwayVersion.objects.filter(pk__in=version_ids)
        .select_related("pathway")
        .prefetch_related(Prefetch("steps", queryset=PathwayStep.objects.order_by("order")))
    )
    return {v.pk: v for v in versions}


_PUBLISHED_STEPS: dict[tuple[int, object], list[PathwayStep]] = {}


def pathway_steps(*, version: PathwayVersion) -> list[PathwayStep]:
    """The ordered steps of a version. A published version never changes (ADR 5), so its steps are
    kept in the process, keyed by id and publication time; drafts are always read afresh."""
    if version.status == VersionStatus.DRAFT or version.published_at is None:
        return list(PathwayStep.objects.filter(version=version).order_by("order"))
    key = (version.pk, version.published_at)
    steps = _PUBLISHED_STEPS.get(key)
    if steps is None:
        if len(_PUBLISHED_STEPS) > 500:
            _PUBLISHED_STEPS.clear()
        steps = _PUBLISHED_STEPS[key] = list(PathwayStep.objects.filter(version=version).order_by("order"))
    return steps
