"""The team board: open episodes of one team and pathway in columns by current step (logged as a list)."""

from dataclasses import dataclass

from django.db.models import (
    Count,
    F,
    Q,
    QuerySet,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from tukipolku.access.actors import Actor
from tukipolku.access.log import log_list
from tukipolku.access.policy import (
    active_team_ids,
    episode_visible_q,
)
from tukipolku.cases.choices import AssignmentKind, EpisodeStatus
from tukipolku.cases.models import SITUATION_FIELDS, Episode
from tukipolku.cases.selectors.caseload import _ROW_FIELDS, EpisodeRow, _rows
from tukipolku.core.models import Team
from tukipolku.pathways.models import Pathway
from tukipolku.pathways.selectors import pathway_steps, pathway_version_current


@dataclass
class BoardFilters:
    team: Team
    pathway: Pathway | None
    contact_person_id: int | None = None
    situation: str | None = None
    overdue_only: bool = False
    name: str = ""


@dataclass
class BoardColumn:
    order: int
    title: str
    total: int
    rows: list[EpisodeRow]


def board_teams_for(*, actor: Actor) -> QuerySet[Team]:
    return Team.objects.filter(pk__in=active_team_ids(actor)).order_by("name")


def board_default_pathway(*, team: Team | None) -> Pathway | None:
    """The pathway most of the team's open episodes follow: the board opens on it."""
    if team is None:
        return None
    top = (
        Episode.objects.filter(team=team, status=EpisodeStatus.OPEN)
        .values("pathway_version__pathway")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return Pathway.objects.filter(pk=top["pathway_version__pathway"]).first() if top else None


def board_for(*, actor: Actor, filters: BoardFilters, per_column: int) -> list[BoardColumn]:
    """The team board: open episodes of one team and pathway, in columns by current step."""
    if filters.team.pk not in active_team_ids(actor) or filters.pathway is None:
        return []
    qs = Episode.objects.filter(
        episode_visible_q(actor),
        team=filters.team,
        status=EpisodeStatus.OPEN,
        pathway_version__pathway=filters.pathway,
    )
    if filters.contact_person_id:
        qs = qs.filter(
            assignments__user_id=filters.contact_person_id,
            assignments__kind=AssignmentKind.CONTACT_PERSON,
            assignments__ended_at__isnull=True,
        )
    if filters.situation in SITUATION_FIELDS:
        qs = qs.filter(**{SITUATION_FIELDS[filters.situation]: True})
    if filters.overdue_only:
        qs = qs.filter(current_step_due__lt=timezone.localdate())
    for term in filters.name.split()[:3]:
        qs = qs.filter(Q(client__last_name__icontains=term) | Q(client__first_names__icontains=term))
    totals = dict(qs.values_list("current_step__order").annotate(n=Count("pk")).order_by())
    ranked = (
        qs.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("current_step__order")],
                order_by=[F("current_step_due").asc(), F("pk").asc()],
            )
        )
        .filter(rank__lte=per_column)
        .select_related("client", "current_step", "team")
        .only(*_ROW_FIELDS)
    )
    episodes = list(ranked)
    log_list(actor=actor, view="cases:board", episodes=episodes)
    rows = {r.episode.pk: r for r in _rows(actor, episodes)}
    newest = pathway_version_current(pathway=filters.pathway)
    steps = pathway_steps(version=newest) if newest else []
    by_order: dict[int, list[EpisodeRow]] = {}
    for e in episodes:
        assert e.current_step is not None
        by_order.setdefault(e.current_step.order, []).append(rows[e.pk])
    orders = sorted({s.order for s in steps} | set(totals))
    titles = {s.order: s.localized("name") for s in steps}
    return [
        BoardColumn(order=o, title=titles.get(o, str(o)), total=totals.get(o, 0), rows=by_order.get(o, []))
        for o in orders
    ]
