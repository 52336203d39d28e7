"""The access gate (DESIGN principle 4): who may see and change which client's data.

Every view, selector and export that touches client data asks this module. For now:

* a team professional sees the episodes of the teams they are an active member of, and episodes
  where they are an active member of the client's own team (case team) while they still belong
  to a team of the same organisation;
* a client is visible when one of their episodes is;
* administrators, partner staff and anyone else see no client data.

Access is computed from current memberships on every request, so it ends the moment a membership
ends. The privacy issue extends this module with registers, consents and partner access.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from tukipolku.cases.constants import BASIS_CASE_TEAM, BASIS_TEAM
from tukipolku.cases.models import CaseTeamMember, Episode
from tukipolku.core.models import TeamMembership
from tukipolku.core.permissions import can_work_with_clients

_CACHE_ATTR = "_tukipolku_active_teams"


def active_team_ids(actor: Any) -> frozenset[int]:
    """Ids of the teams the actor is an active member of (memoised on the user for one request)."""
    if not can_work_with_clients(actor):
        return frozenset()
    cached = getattr(actor, _CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(TeamMembership.objects.active().filter(user=actor).values_list("team_id", flat=True))
        setattr(actor, _CACHE_ATTR, cached)
    return cached


def episode_visible_q(actor: Any) -> Q:
    """A filter on Episode that keeps only the episodes the actor may see."""
    teams = active_team_ids(actor)
    if not teams:
        return Q(pk__in=[])
    case_member = Exists(
        CaseTeamMember.objects.filter(
            episode=OuterRef("pk"),
            user=actor,
            removed_at__isnull=True,
            episode__team__organisation__teams__id__in=teams,
        )
    )
    return Q(team_id__in=teams) | Q(case_member)


def visible_episodes(actor: Any) -> Any:
    """Episodes the actor may see, as a queryset."""
    return Episode.objects.filter(episode_visible_q(actor))


def visible_among(actor: Any, episodes: list[Episode]) -> list[Episode]:
    """Keep the episodes the actor may see: by team membership at once, the rest with one query."""
    teams = active_team_ids(actor)
    if not teams:
        return []
    rest = [e.pk for e in episodes if e.team_id not in teams]
    allowed = set(visible_episodes(actor).filter(pk__in=rest).values_list("pk", flat=True)) if rest else set()
    return [e for e in episodes if e.team_id in teams or e.pk in allowed]


def access_basis(actor: Any, episode: Episode) -> str | None:
    """The ground on which the actor may see this episode, or None when they may not."""
    teams = active_team_ids(actor)
    if not teams:
        return None
    if episode.team_id in teams:
        return BASIS_TEAM
    if visible_episodes(actor).filter(pk=episode.pk).exists():
        return BASIS_CASE_TEAM
    return None


def client_visible_q(actor: Any) -> Q:
    """A filter on Client: clients with at least one episode the actor may see."""
    return Q(Exists(visible_episodes(actor).filter(client=OuterRef("pk"))))


def can_view_episode(actor: Any, episode: Episode) -> bool:
    return access_basis(actor, episode) is not None


def can_change_episode(actor: Any, episode: Episode) -> bool:
    """Record steps, plan, meetings and entries: anyone who may see an open episode."""
    return episode.is_open and can_view_episode(actor, episode)


def can_open_episode_in(actor: Any, team_id: int) -> bool:
    """Open a new client relationship in a team: active members of that team only."""
    return team_id in active_team_ids(actor)


def can_search_clients(actor: Any) -> bool:
    return bool(active_team_ids(actor))
