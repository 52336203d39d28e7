"""The access gate (DESIGN principles 4 and 5): who may see and change which client's data.

Every view, selector, export and background job that touches client data asks this module. The
policy, written out as a table in docs/access-policy.md and tested case by case:

* **Team professionals** see the episodes of the teams they are active members of, and episodes
  where they are an active member of the client's own team while they still belong to a team of the
  same organisation. They read the shared coordination data (plan, goals, actions, meetings, team,
  contact person, shared entries) and the entries of their own register: health professionals the
  health register, social-care professionals the social-care register. The other register needs the
  client's consent for the professional's organisation, or a legal-basis grant.
* **Emergency access** ("break the glass"): a team professional may open a client of their
  organisation outside their teams for a short time with a stated reason; read only, flagged.
* **Partner staff** (employment services, Kela, occupational and student health) see a client only
  while they are in the client's team or a meeting of the episode, and then only the categories the
  client's consents (or a legal-basis grant) allow for their organisation and its purpose. Read only.
* Administrators and everyone else see no client data.
* **The welfare region** (ADR 11) bounds all of the above: a reader sees only episodes of teams of
  their own organisation's region, whatever their memberships, consents or grants say.

Everything is computed from current rows on every request (memoised on the user object for that
request only), so ending a membership, withdrawing a consent or an expiry takes effect on the next
request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q

from tukipolku.access.choices import AccessGround
from tukipolku.cases import registry
from tukipolku.cases.models import CaseTeamMember, Episode
from tukipolku.core.models import Team, TeamMembership
from tukipolku.core.permissions import (
    HEALTH_PROFESSIONS,
    SOCIAL_PROFESSIONS,
    can_work_with_clients,
    is_partner,
)
from tukipolku.privacy import selectors as privacy
from tukipolku.privacy.choices import REGISTER_CATEGORY, DataCategory

_CACHE_ATTR = "_tukipolku_gate"

READABLE_CATEGORIES = (DataCategory.SHARED_PLAN, DataCategory.HEALTH, DataCategory.SOCIAL)
"""Categories that unlock something on a case page. Employment and benefit data are consented for
what is sent out in referrals and handovers."""


@dataclass
class _Memo:
    teams: frozenset[int] | None = None
    organisations: frozenset[int] | None = None
    emergency: bool | None = None
    partner_episodes: frozenset[int] | None = None
    region_teams: frozenset[int] | None = None
    access: dict[int, EpisodeAccess | None] = field(default_factory=dict)
    # Consents of clients and the actor's legal-basis grants, by client id, for this request only.
    consents: dict[int, list[Any]] = field(default_factory=dict)
    grants: dict[int, list[Any]] = field(default_factory=dict)


def _memo(actor: Any) -> _Memo:
    memo = getattr(actor, _CACHE_ATTR, None)
    if memo is None:
        memo = _Memo()
        setattr(actor, _CACHE_ATTR, memo)
    return memo


def forget(actor: Any) -> None:
    """Drop what the gate remembered about the actor (after a change within the same request)."""
    if hasattr(actor, _CACHE_ATTR):
        delattr(actor, _CACHE_ATTR)


def active_team_ids(actor: Any) -> frozenset[int]:
    """Ids of the teams the actor is an active member of (team professionals only)."""
    if not can_work_with_clients(actor):
        return frozenset()
    memo = _memo(actor)
    if memo.teams is None:
        rows = list(TeamMembership.objects.active().filter(user=actor).values_list("team_id", "team__organisation_id"))
        memo.teams = frozenset(t for t, _ in rows)
        memo.organisations = frozenset(o for _, o in rows)
    return memo.teams


def _organisation_ids(actor: Any) -> frozenset[int]:
    active_team_ids(actor)
    return _memo(actor).organisations or frozenset()


def _has_emergency_access(actor: Any) -> bool:
    """Whether the actor has any emergency access in force (a yes/no: no client ids are read, so
    a list does not touch clients it does not show)."""
    if not active_team_ids(actor):
        return False
    memo = _memo(actor)
    if memo.emergency is None:
        memo.emergency = privacy.emergency_accesses_in_force(actor).exists()
    return memo.emergency


def region_q(actor: Any, organisation_field: str = "team__organisation") -> Q:
    """A filter keeping rows whose organisation (`organisation_field`) is in the actor's welfare region
    (ADR 11). An actor without a region matches only organisations without one (an installation
    before regions)."""
    region_id = actor.region_id
    if region_id is None:
        return Q(**{f"{organisation_field}__region__isnull": True})
    return Q(**{f"{organisation_field}__region_id": region_id})


def in_region(actor: Any, team_id: int) -> bool:
    """Whether the team is in the actor's welfare region (one query per request for any number of teams)."""
    memo = _memo(actor)
    if memo.region_teams is None:
        memo.region_teams = frozenset(Team.objects.filter(region_q(actor, "organisation")).values_list("pk", flat=True))
    return team_id in memo.region_teams


def own_register_categories(actor: Any) -> frozenset[str]:
    """The register a professional writes and reads by profession."""
    if actor.profession in HEALTH_PROFESSIONS:
        return frozenset({DataCategory.HEALTH})
    if actor.profession in SOCIAL_PROFESSIONS:
        return frozenset({DataCategory.SOCIAL})
    return frozenset()


# ---------------------------------------------------------------- one episode


@dataclass(frozen=True)
class CategoryAccess:
    """A readable data category and the ground on which it is shown."""

    category: str
    basis: str  # team_membership / own_register / consent / legal_basis
    consent_id: int | None = None
    grant_id: int | None = None


@dataclass
class EpisodeAccess:
    basis: str
    categories: dict[str, CategoryAccess]
    can_change: bool  # while the episode is open (can_change_episode checks that)
    partner: bool = False
    emergency: bool = False
    emergency_reason: str = ""

    def reads(self, category: str | None) -> bool:
        return category is None or category in self.categories

    @property
    def flagged(self) -> bool:
        """Reads on exceptional grounds go to the data protection officer's review."""
        return self.emergency or any(c.basis == AccessGround.LEGAL_BASIS for c in self.categories.values())


def _load_consents(actor: Any, client_ids: Any) -> None:
    """Read the clients' consents and the actor's grants for them in two queries (a list checks many)."""
    ids = set(client_ids)
    memo = _memo(actor)
    consents = privacy.consents_by_client(ids)
    grants = privacy.grants_by_client(actor, ids)
    for cid in ids:
        memo.consents[cid] = consents.get(cid, [])
        memo.grants[cid] = grants.get(cid, [])


def _permits(actor: Any, episode: Episode, categories: list[str], recipient: Any) -> dict[str, CategoryAccess]:
    """Categories the client's consents (or a legal-basis grant to the actor) open to the recipient."""
    if not categories:
        return {}
    memo = _memo(actor)
    if episode.client_id not in memo.consents:
        _load_consents(actor, [episode.client_id])
    consents, grants = memo.consents[episode.client_id], memo.grants[episode.client_id]
    found = privacy.permits(categories=categories, recipient=recipient, consents=consents, grants=grants)
    return {c: CategoryAccess(c, p.basis, consent_id=p.consent_id, grant_id=p.grant_id) for c, p in found.items()}


def _team_access(actor: Any, episode: Episode) -> EpisodeAccess | None:
    teams = active_team_ids(actor)
    if not teams:
        return None
    emergency = False
    reason = ""
    if episode.team_id in teams:
        basis = AccessGround.TEAM
    elif (
        episode.team.organisation_id in _organisation_ids(actor)
        and CaseTeamMember.objects.filter(episode=episode, user=actor, removed_at__isnull=True).exists()
    ):
        basis = AccessGround.CASE_TEAM
    elif episode.team.organisation_id in _organisation_ids(actor):
        # Only this client's emergency access is read, not the list of every client the actor opened.
        grant = privacy.emergency_access_active(user=actor, client_id=episode.client_id)
        if grant is None:
            return None
        basis, emergency, reason = AccessGround.EMERGENCY, True, grant.reason
    else:
        return None
    categories: dict[str, CategoryAccess] = {DataCategory.SHARED_PLAN: CategoryAccess(DataCategory.SHARED_PLAN, basis)}
    own = own_register_categories(actor)
    for c in own:
        categories[c] = CategoryAccess(c, AccessGround.OWN_REGISTER)
    other: list[str] = [c for c in (DataCategory.HEALTH, DataCategory.SOCIAL) if c not in own]
    # Reading across registers inside the team: the recipient is the team's own organisation.
    categories.update(_permits(actor, episode, other, episode.team.organisation))
    return EpisodeAccess(
        basis=basis,
        categories=categories,
        can_change=not emergency,
        emergency=emergency,
        emergency_reason=reason,
    )


def _partner_access(actor: Any, episode: Episode) -> EpisodeAccess | None:
    if not _is_partner_candidate(actor, episode):
        return None
    recipient = actor.organisation if actor.organisation_id else None
    categories = _permits(actor, episode, list(READABLE_CATEGORIES), recipient)
    if not categories:
        return None
    return EpisodeAccess(basis=AccessGround.PARTNER, categories=categories, can_change=False, partner=True)


def episode_access(actor: Any, episode: Episode) -> EpisodeAccess | None:
    """What the actor may do with this episode and which data categories they may read, or None."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return None
    memo = _memo(actor)
    if episode.pk in memo.access:
        return memo.access[episode.pk]
    if not in_region(actor, episode.team_id):
        access = None  # another welfare region's episode: nobody outside the region reads it
    elif can_work_with_clients(actor):
        access = _team_access(actor, episode)
    elif is_partner(actor):
        access = _partner_access(actor, episode)
    else:
        access = None
    memo.access[episode.pk] = access
    return access


def access_basis(actor: Any, episode: Episode) -> str | None:
    """The ground on which the actor may see this episode, or None when they may not."""
    access = episode_access(actor, episode)
    return access.basis if access is not None else None


def can_view_episode(actor: Any, episode: Episode) -> bool:
    return episode_access(actor, episode) is not None


def can_change_episode(actor: Any, episode: Episode) -> bool:
    """Record steps, plan, meetings and entries: team members of an open episode (not partners, not
    emergency access)."""
    access = episode_access(actor, episode)
    return access is not None and access.can_change and episode.is_open


def can_record_follow_up(actor: Any, episode: Episode) -> bool:
    """Record or cancel a follow-up agreed at closing: the professionals who could change the episode
    while it was open (team members; not partner staff, not emergency access). This is the only change
    a closed episode accepts; everything else stays closed until it is reopened."""
    access = episode_access(actor, episode)
    return access is not None and access.can_change


def can_read_category(actor: Any, episode: Episode, category: str) -> bool:
    access = episode_access(actor, episode)
    return access is not None and category in access.categories


def readable_registers(actor: Any, episode: Episode) -> dict[str, CategoryAccess]:
    """Entry registers the actor may read on this episode, each with its ground."""
    access = episode_access(actor, episode)
    if access is None:
        return {}
    return {r: access.categories[c] for r, c in REGISTER_CATEGORY.items() if c in access.categories}


def writable_registers(actor: Any, episode: Episode) -> list[str]:
    """Registers the actor may write to: their own and the shared one, on an episode they may change."""
    if not can_change_episode(actor, episode):
        return []
    own = own_register_categories(actor)
    return [r for r, c in REGISTER_CATEGORY.items() if c == DataCategory.SHARED_PLAN or c in own]


# ---------------------------------------------------------------- lists


def _partner_candidates_q(actor: Any) -> Q:
    """Episodes a partner takes part in (active member of the client's team, or meeting participant),
    as a filter on Episode. Subqueries: checking one episode reads no other client's rows."""
    q = Q(Exists(CaseTeamMember.objects.filter(episode=OuterRef("pk"), user=actor, removed_at__isnull=True)))
    for source in registry.participation_sources.values():
        q |= Q(pk__in=source(actor))
    return q


def _is_partner_candidate(actor: Any, episode: Episode) -> bool:
    memo = _memo(actor)
    if memo.partner_episodes is not None:  # a list has loaded the candidates already
        return episode.pk in memo.partner_episodes
    return Episode.objects.filter(_partner_candidates_q(actor), pk=episode.pk).exists()


def partner_candidate_episodes(actor: Any) -> list[Episode]:
    """Every episode a partner takes part in, loaded to check its consents. A list built from these
    reads each of these clients: it logs those it shows and those the gate refuses."""
    episodes = list(Episode.objects.filter(_partner_candidates_q(actor)).select_related("team__organisation"))
    _memo(actor).partner_episodes = frozenset(e.pk for e in episodes)
    _load_consents(actor, {e.client_id for e in episodes})
    return episodes


def _partner_visible_ids(actor: Any) -> list[int]:
    return [e.pk for e in partner_candidate_episodes(actor) if episode_access(actor, e) is not None]


def episode_visible_q(actor: Any) -> Q:
    """A filter on Episode that keeps only the episodes the actor may see."""
    if is_partner(actor):
        return Q(pk__in=_partner_visible_ids(actor))
    teams = active_team_ids(actor)
    if not teams:
        return Q(pk__in=[])
    organisations = _organisation_ids(actor)
    case_member = Exists(
        CaseTeamMember.objects.filter(
            episode=OuterRef("pk"),
            user=actor,
            removed_at__isnull=True,
            episode__team__organisation_id__in=organisations,
        )
    )
    q = Q(team_id__in=teams) | Q(case_member)
    if _has_emergency_access(actor):
        opened = Exists(privacy.emergency_accesses_in_force(actor).filter(client_id=OuterRef("client_id")))
        q |= Q(opened, team__organisation_id__in=organisations)
    return q & region_q(actor)


def visible_episodes(actor: Any) -> Any:
    """Episodes the actor may see, as a queryset."""
    return Episode.objects.filter(episode_visible_q(actor))


def visible_among(actor: Any, episodes: list[Episode]) -> list[Episode]:
    """Keep the episodes the actor may see: by team membership at once, the rest with one query
    (partner staff: each episode through the gate)."""
    if is_partner(actor):
        # One by one, with subqueries: the partner's other clients are not read.
        return [e for e in episodes if episode_access(actor, e) is not None]
    teams = active_team_ids(actor)
    if not teams:
        return []
    rest = [e.pk for e in episodes if e.team_id not in teams]
    allowed = set(visible_episodes(actor).filter(pk__in=rest).values_list("pk", flat=True)) if rest else set()
    return [e for e in episodes if (e.team_id in teams and in_region(actor, e.team_id)) or e.pk in allowed]


def client_visible_q(actor: Any) -> Q:
    """A filter on Client: clients with at least one episode the actor may see."""
    return Q(Exists(visible_episodes(actor).filter(client=OuterRef("pk"))))


def can_open_episode_in(actor: Any, team_id: int) -> bool:
    """Open a new client relationship in a team: active members of that team only."""
    return team_id in active_team_ids(actor) and in_region(actor, team_id)


def can_search_clients(actor: Any) -> bool:
    return bool(active_team_ids(actor))


def can_open_emergency_access(actor: Any) -> bool:
    """Team professionals may break the glass for clients of their own organisation."""
    return bool(active_team_ids(actor))


def can_see_protected_address(actor: Any, episode: Episode) -> bool:
    """The address of a client under address protection (turvakielto): only the relationship's current
    contact person and own worker see it, and only while they may change the relationship. Everyone
    else (the rest of the team, partner staff, emergency access) sees that it is protected, never the
    address, its earlier values or the municipality (docs/access-policy.md, rule 16). Without the
    protection the address is read like the rest of the client's contact details."""
    if not episode.client.address_protected:
        return can_view_episode(actor, episode) and not is_partner(actor)
    return (
        can_change_episode(actor, episode)
        and episode.assignments.filter(user_id=actor.pk, ended_at__isnull=True).exists()
    )
