"""The access policy (DESIGN principles 4 and 5): who may see and change which client's data.

Every view, selector, export and background job that touches client data asks this module; no
other module decides access. The policy, written out as a table in docs/access-policy.md and run
case by case by tests/access/test_matrix.py:

* **The welfare region** (ADR 11) bounds everything below: a reader sees only episodes of teams of
  their own organisation's region, whatever their memberships, consents or grants say.
* **Team professionals** see the episodes of the teams they are active members of, and episodes
  where they are an active member of the client's own team (case team) while they still belong to a
  team of the same organisation. They read the shared coordination data and the entries of their own
  register: health professionals the health register, social-care professionals the social-care
  register. The other register needs the client's consent for the professional's organisation, or a
  legal-basis grant (`consent.py`).
* **Emergency access** ("break the glass"): a team professional may open a client of their
  organisation outside their teams for a short time with a stated reason; read only, flagged.
* **Partner staff** (employment services, Kela, occupational and student health) see a client only
  while they take part (client's team, a meeting, an open referral to their organisation), and then
  only the categories the client's consents (or a legal-basis grant) allow for their organisation
  and its purpose. Read only.
* **The flows before an episode exists**: notifications of need (sender, receiving team), escorted
  handovers (sending side, receiving team) and referrals (recipient organisation): the `need_*`,
  `handover_*` and `referral_*` rules at the end.
* **System clients of the API** (`readers.SystemReader`, issue 13) read, inside their organisation's
  welfare region, what the client's consents open to their organisation for a purpose they were
  granted, like partner staff without the participation; never through a legal-basis grant, and
  they change nothing (`_system_access`). Every read is a disclosure to their organisation.
* The data protection officer, administrators and everyone else see no case data; the officer's
  oversight pages are a capability (`core.permissions.can_review_access`). The client (portal) is a
  reader kind (`readers.py`) that gets nothing yet.

Everything is computed from current rows, remembered only for the request or job (`cache.py`), so
ending a membership, withdrawing a consent or an expiry takes effect on the next request.

Functions that take the actor alone (`active_team_ids(actor)`, `episode_visible_q(actor)`, …) take it
positionally: there is one argument and nothing to mix up, and they are used inline in filters.
Every function with more than one argument is keyword-only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from tukipolku.access import cache
from tukipolku.access import consent as consent_rule
from tukipolku.access.actors import Actor, User
from tukipolku.access.choices import AccessGround
from tukipolku.access.readers import AnyReader, ClientReader, ReaderKind, SystemReader, reader_kind
from tukipolku.cases import registry
from tukipolku.cases.models import CaseTeamMember, Episode
from tukipolku.core.choices import Profession
from tukipolku.core.models import Organisation, Team, TeamMembership
from tukipolku.core.permissions import (
    HEALTH_PROFESSIONS,
    SOCIAL_PROFESSIONS,
    can_administer,
    can_work_with_clients,
    is_partner,
)
from tukipolku.privacy.choices import REGISTER_CATEGORY, ConsentKind, DataCategory
from tukipolku.privacy.models import Consent

if TYPE_CHECKING:
    from tukipolku.handovers.models import Handover
    from tukipolku.referrals.models import Referral

READABLE_CATEGORIES = (DataCategory.SHARED_PLAN, DataCategory.HEALTH, DataCategory.SOCIAL)
"""Categories that unlock something on a case page. Employment and benefit data are consented for
what is sent out in referrals and handovers."""


def _memo(actor: User) -> cache.Memo:
    return cache.memo(actor.pk)


def _user(actor: Actor | None) -> User | None:
    """The actor as an active, signed-in user, or None (anonymous, deactivated)."""
    if isinstance(actor, User) and actor.is_authenticated and actor.is_active:
        return actor
    return None


def active_team_ids(actor: Actor | None) -> frozenset[int]:
    """Ids of the teams the actor is an active member of (team professionals only)."""
    user = _user(actor)
    if user is None or not can_work_with_clients(user):
        return frozenset()
    memo = _memo(user)
    if memo.teams is None:
        rows = list(TeamMembership.objects.active().filter(user=user).values_list("team_id", "team__organisation_id"))
        memo.teams = frozenset(t for t, _ in rows)
        memo.organisations = frozenset(o for _, o in rows)
    return memo.teams


def _organisation_ids(actor: User) -> frozenset[int]:
    memo = _memo(actor)
    if memo.organisations is None:
        rows = TeamMembership.objects.active().filter(user=actor).values_list("team__organisation_id", flat=True)
        memo.organisations = frozenset(rows) if can_work_with_clients(actor) else frozenset()
    return memo.organisations


def _has_emergency_access(actor: User) -> bool:
    """Whether the actor has any emergency access in force (a yes/no: no client ids are read, so
    a list does not touch clients it does not show)."""
    if not active_team_ids(actor):
        return False
    memo = _memo(actor)
    if memo.emergency is None:
        memo.emergency = consent_rule.emergency_accesses_in_force(user=actor).exists()
    return memo.emergency


def region_q(*, actor: Actor, organisation_field: str = "team__organisation") -> Q:
    """A filter keeping rows whose organisation (`organisation_field`) is in the actor's welfare region
    (ADR 11). An actor without a region matches only organisations without one (an installation
    before regions)."""
    region_id = actor.region_id if isinstance(actor, User) else None
    if region_id is None:
        return Q(**{f"{organisation_field}__region__isnull": True})
    return Q(**{f"{organisation_field}__region_id": region_id})


def in_region(*, actor: User, team_id: int) -> bool:
    """Whether the team is in the actor's welfare region (one query per request for any number of teams)."""
    memo = _memo(actor)
    if memo.region_teams is None:
        teams = Team.objects.filter(region_q(actor=actor, organisation_field="organisation"))
        memo.region_teams = frozenset(teams.values_list("pk", flat=True))
    return team_id in memo.region_teams


def own_register_categories(actor: AnyReader) -> frozenset[str]:
    """The register a professional writes and reads by profession."""
    profession = getattr(actor, "profession", "")
    if profession in HEALTH_PROFESSIONS:
        return frozenset({DataCategory.HEALTH})
    if profession in SOCIAL_PROFESSIONS:
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
    """What a reader may do with one episode: the ground, the readable categories, and whether they
    may change it (`can_change_episode` adds that the episode must be open)."""

    basis: str
    categories: dict[str, CategoryAccess]
    can_change: bool
    partner: bool = False
    emergency: bool = False
    emergency_reason: str = ""

    def reads(self, category: str | None) -> bool:
        return category is None or category in self.categories

    @property
    def flagged(self) -> bool:
        """Reads on exceptional grounds go to the data protection officer's review."""
        return self.emergency or any(c.basis == AccessGround.LEGAL_BASIS for c in self.categories.values())


def _load_consents(actor: User, memo: cache.Memo, client_ids: Iterable[int]) -> None:
    """Read the clients' consents and the actor's grants for them in two queries (a list checks many)."""
    ids = set(client_ids)
    consents = consent_rule.consents_by_client(client_ids=ids)
    grants = consent_rule.grants_by_client(grantee=actor, client_ids=ids)
    for cid in ids:
        memo.consents[cid] = consents.get(cid, [])
        memo.grants[cid] = grants.get(cid, [])


def _permits(
    actor: User, episode: Episode, categories: list[str], recipient: Organisation | None
) -> dict[str, CategoryAccess]:
    """Categories the client's consents (or a legal-basis grant to the actor) open to the recipient."""
    if not categories:
        return {}
    memo = _memo(actor)
    if episode.client_id not in memo.consents:
        _load_consents(actor, memo, [episode.client_id])
    found = consent_rule.permits(
        categories=categories,
        recipient=recipient,
        consents=memo.consents[episode.client_id],
        grants=memo.grants[episode.client_id],
    )
    return {c: CategoryAccess(c, p.basis, consent_id=p.consent_id, grant_id=p.grant_id) for c, p in found.items()}


def _team_access(actor: User, episode: Episode) -> EpisodeAccess | None:
    teams = active_team_ids(actor)
    if not teams:
        return None
    emergency = False
    reason = ""
    organisations = _organisation_ids(actor)
    if episode.team_id in teams:
        basis = AccessGround.TEAM
    elif (
        episode.team.organisation_id in organisations
        and CaseTeamMember.objects.filter(episode=episode, user=actor, removed_at__isnull=True).exists()
    ):
        basis = AccessGround.CASE_TEAM
    elif episode.team.organisation_id in organisations:
        # Only this client's emergency access is read, not the list of every client the actor opened.
        grant = consent_rule.emergency_access_active(user=actor, client_id=episode.client_id)
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


def _partner_access(actor: User, episode: Episode) -> EpisodeAccess | None:
    if not _is_partner_candidate(actor, episode):
        return None
    recipient = actor.organisation if actor.organisation_id else None
    categories = _permits(actor, episode, list(READABLE_CATEGORIES), recipient)
    if not categories:
        return None
    return EpisodeAccess(basis=AccessGround.PARTNER, categories=categories, can_change=False, partner=True)


def _client_access(reader: ClientReader, episode: Episode) -> EpisodeAccess | None:
    """The client reading their own relationship (the portal). Own data only: another client's
    episode is never theirs. Which categories of their own they see is the portal's to decide; until
    then nothing (docs/access-policy.md, "Readers that come next")."""
    if episode.client_id != reader.client_id:
        return None
    return None


def _system_organisation(reader: SystemReader) -> Organisation | None:
    """The organisation a system client acts for, with its parents (for `covers_recipient`)."""
    memo = _memo(reader.account)
    if memo.system_organisation is None:
        memo.system_organisation = (
            Organisation.objects.select_related("parent", "parent__parent").filter(pk=reader.organisation_id).first()
        )
    return memo.system_organisation


def _system_consents(reader: SystemReader, consents: list[Consent]) -> list[Consent]:
    """The consents that can open data to the system: those given for a purpose it was granted, and
    every prohibition (a prohibition wins whatever its purpose)."""
    return [c for c in consents if c.is_prohibition or c.purpose in reader.purposes]


def _system_access(reader: SystemReader, episode: Episode) -> EpisodeAccess | None:
    """A system client of the API (docs/access-policy.md, "System clients of the API"): inside its
    organisation's welfare region, the categories the client's consents open to its organisation
    for a purpose the system was granted, like partner staff; never a legal-basis grant (those are
    given to a person), never a change. A read is a disclosure to its organisation."""
    account = reader.account
    if not account.is_active or not in_region(actor=account, team_id=episode.team_id):
        return None
    memo = _memo(account)
    if episode.client_id not in memo.consents:
        memo.consents.update(consent_rule.consents_by_client(client_ids=[episode.client_id]))
        memo.consents.setdefault(episode.client_id, [])
    found = consent_rule.permits(
        categories=READABLE_CATEGORIES,
        recipient=_system_organisation(reader),
        consents=_system_consents(reader, memo.consents[episode.client_id]),
        grants=[],
    )
    if not found:
        return None
    categories = {c: CategoryAccess(c, AccessGround.SYSTEM, consent_id=p.consent_id) for c, p in found.items()}
    return EpisodeAccess(basis=AccessGround.SYSTEM, categories=categories, can_change=False, partner=True)


def _system_candidates_q(reader: SystemReader) -> Q:
    """Episodes whose client has a consent row that names the system's organisation (or one of its
    parents, or its kind) and is not a prohibition: the only ones the consent rule can open. Inside
    the system's welfare region. A filter on Episode with subqueries (no other client is read)."""
    organisation = _system_organisation(reader)
    if organisation is None:
        return Q(pk__in=[])
    ancestors: list[int] = []
    org: Organisation | None = organisation
    while org is not None and org.pk not in ancestors:
        ancestors.append(org.pk)
        org = org.parent
    names = Q(recipient_organisation_id__in=ancestors) | Q(recipient_kind=organisation.kind)
    consents = Consent.objects.filter(
        names,
        client_id=OuterRef("client_id"),
        kind=ConsentKind.CONSENT,
        withdrawn_at__isnull=True,
        purpose__in=reader.purposes,
    )
    return Q(Exists(consents)) & region_q(actor=reader.account)


def system_candidate_episodes(reader: SystemReader) -> dict[int, tuple[int, bool]]:
    """Every episode a consent row could open to the system client, each checked through the policy:
    episode id → (client id, visible). Remembered for the request or job. A list built from these
    reads each of these clients: it logs those it shows and those the policy refuses
    (`log.log_listed` does both)."""
    memo = _memo(reader.account)
    if memo.system_episodes is not None:
        return memo.system_episodes
    if not reader.account.is_active:
        memo.system_episodes = {}
        return memo.system_episodes
    episodes = list(Episode.objects.filter(_system_candidates_q(reader)).select_related("team__organisation"))
    missing = {e.client_id for e in episodes if e.client_id not in memo.consents}
    if missing:
        found = consent_rule.consents_by_client(client_ids=missing)
        for cid in missing:
            memo.consents[cid] = found.get(cid, [])
    memo.system_episodes = {e.pk: (e.client_id, episode_access(actor=reader, episode=e) is not None) for e in episodes}
    return memo.system_episodes


def episode_candidate_q(actor: AnyReader | None) -> Q:
    """A filter on Episode that keeps every episode the actor may see, and for a system client also
    some it may not (a consent row names its organisation, but has expired, is prohibited for the
    categories, or does not fit the organisation's kind): the caller checks each row it reads with
    `episode_access`, and logs those refused (`log.log_listed(..., refused=...)`). For a page of a
    list this reads only the page's clients; `episode_visible_q` is exact but reads every candidate."""
    if isinstance(actor, SystemReader):
        return _system_candidates_q(actor) if actor.account.is_active else Q(pk__in=[])
    return episode_visible_q(actor)


def system_visible_episode_ids(reader: SystemReader) -> list[int]:
    """Ids of the episodes the system client may read."""
    return [pk for pk, (_, visible) in system_candidate_episodes(reader).items() if visible]


def episode_access(*, actor: AnyReader | None, episode: Episode) -> EpisodeAccess | None:
    """What the reader may do with this episode and which data categories they may read, or None.

    Dispatches on the kind of reader (`readers.py`): professionals and partner staff by the rules
    above; the client and a system client by their own branch; the data protection officer, an
    administrator and everyone else get None."""
    kind = reader_kind(actor)
    if isinstance(actor, ClientReader):
        return _client_access(actor, episode)
    if isinstance(actor, SystemReader):
        system_memo = _memo(actor.account)
        if episode.pk not in system_memo.access:
            system_memo.access[episode.pk] = _system_access(actor, episode)
        return system_memo.access[episode.pk]
    user = _user(actor)
    if user is None:
        return None
    memo = _memo(user)
    if episode.pk in memo.access:
        return memo.access[episode.pk]
    access: EpisodeAccess | None
    if not in_region(actor=user, team_id=episode.team_id):
        access = None  # another welfare region's episode: nobody outside the region reads it
    elif kind == ReaderKind.PROFESSIONAL:
        access = _team_access(user, episode)
    elif kind == ReaderKind.PARTNER:
        access = _partner_access(user, episode)
    else:
        access = None  # the DPO, an administrator: no case data
    memo.access[episode.pk] = access
    return access


def access_basis(*, actor: AnyReader, episode: Episode) -> str | None:
    """The ground on which the actor may see this episode, or None when they may not."""
    access = episode_access(actor=actor, episode=episode)
    return access.basis if access is not None else None


def can_view_episode(*, actor: AnyReader, episode: Episode) -> bool:
    return episode_access(actor=actor, episode=episode) is not None


def can_change_episode(*, actor: AnyReader, episode: Episode) -> bool:
    """Record steps, plan, meetings and entries: team members of an open episode (not partners, not
    emergency access)."""
    access = episode_access(actor=actor, episode=episode)
    return access is not None and access.can_change and episode.is_open


def can_record_follow_up(*, actor: AnyReader, episode: Episode) -> bool:
    """Record or cancel a follow-up agreed at closing: the professionals who could change the episode
    while it was open (team members; not partner staff, not emergency access). This is the only change
    a closed episode accepts; everything else stays closed until it is reopened."""
    access = episode_access(actor=actor, episode=episode)
    return access is not None and access.can_change


def can_read_category(*, actor: AnyReader, episode: Episode, category: str) -> bool:
    access = episode_access(actor=actor, episode=episode)
    return access is not None and category in access.categories


def readable_registers(*, actor: AnyReader, episode: Episode) -> dict[str, CategoryAccess]:
    """Entry registers the actor may read on this episode, each with its ground."""
    access = episode_access(actor=actor, episode=episode)
    if access is None:
        return {}
    return {r: access.categories[c] for r, c in REGISTER_CATEGORY.items() if c in access.categories}


def writable_registers(*, actor: AnyReader, episode: Episode) -> list[str]:
    """Registers the actor may write to: their own and the shared one, on an episode they may change."""
    if not can_change_episode(actor=actor, episode=episode):
        return []
    own = own_register_categories(actor)
    return [r for r, c in REGISTER_CATEGORY.items() if c == DataCategory.SHARED_PLAN or c in own]


# ---------------------------------------------------------------- lists


def _partner_candidates_q(actor: User) -> Q:
    """Episodes a partner takes part in (active member of the client's team, or a participation source:
    a meeting, an open referral), as a filter on Episode. Subqueries: checking one episode reads no
    other client's rows."""
    q = Q(Exists(CaseTeamMember.objects.filter(episode=OuterRef("pk"), user=actor, removed_at__isnull=True)))
    for source in registry.participation_sources.values():
        q |= Q(pk__in=source(actor))
    return q


def _is_partner_candidate(actor: User, episode: Episode) -> bool:
    memo = _memo(actor)
    if memo.partner_episodes is not None:  # a list has loaded the candidates already
        return episode.pk in memo.partner_episodes
    return Episode.objects.filter(_partner_candidates_q(actor), pk=episode.pk).exists()


def partner_candidate_episodes(actor: Actor) -> list[Episode]:
    """Every episode a partner takes part in, loaded to check its consents. A list built from these
    reads each of these clients: it logs those it shows and those the policy refuses."""
    user = _user(actor)
    if user is None:
        return []
    episodes = list(Episode.objects.filter(_partner_candidates_q(user)).select_related("team__organisation"))
    memo = _memo(user)
    memo.partner_episodes = frozenset(e.pk for e in episodes)
    _load_consents(user, memo, {e.client_id for e in episodes})
    return episodes


def preload_consents(*, actor: AnyReader, client_ids: Iterable[int]) -> None:
    """Read many clients' consents (and the reader's legal-basis grants) in two queries, for a job that
    then asks about their episodes one by one (a bulk export's chunk). Needs an open `cache.scope()`;
    the answers stay as exact as without it."""
    user = actor.account if isinstance(actor, SystemReader | ClientReader) else _user(actor)
    if user is None or not cache.active():
        return
    memo = _memo(user)
    missing = {c for c in client_ids if c not in memo.consents}
    if missing:
        _load_consents(user, memo, missing)


def partner_visible(*, actor: Actor, episodes: Iterable[Episode]) -> list[Episode]:
    """The partner's candidate episodes (`partner_candidate_episodes`) that the policy shows them."""
    return [e for e in episodes if episode_access(actor=actor, episode=e) is not None]


def episode_visible_q(actor: AnyReader | None) -> Q:
    """A filter on Episode that keeps only the episodes the actor may see."""
    if isinstance(actor, SystemReader):
        return Q(pk__in=system_visible_episode_ids(actor))
    if isinstance(actor, ClientReader):
        return Q(pk__in=[])  # the portal's branch answers nothing yet
    user = _user(actor)
    if user is None:
        return Q(pk__in=[])
    if is_partner(user):
        return Q(pk__in=[e.pk for e in partner_visible(actor=user, episodes=partner_candidate_episodes(user))])
    teams = active_team_ids(user)
    if not teams:
        return Q(pk__in=[])
    organisations = _organisation_ids(user)
    case_member = Exists(
        CaseTeamMember.objects.filter(
            episode=OuterRef("pk"),
            user=user,
            removed_at__isnull=True,
            episode__team__organisation_id__in=organisations,
        )
    )
    q = Q(team_id__in=teams) | Q(case_member)
    if _has_emergency_access(user):
        opened = Exists(consent_rule.emergency_accesses_in_force(user=user).filter(client_id=OuterRef("client_id")))
        q |= Q(opened, team__organisation_id__in=organisations)
    return q & region_q(actor=user)


def visible_episodes(actor: AnyReader | None) -> QuerySet[Episode]:
    """Episodes the actor may see, as a queryset."""
    return Episode.objects.filter(episode_visible_q(actor))


def visible_among(*, actor: AnyReader, episodes: Sequence[Episode]) -> list[Episode]:
    """Keep the episodes the actor may see: by team membership at once, the rest with one query
    (partner staff and system clients: each episode through the policy)."""
    if isinstance(actor, SystemReader | ClientReader):
        return [e for e in episodes if episode_access(actor=actor, episode=e) is not None]
    user = _user(actor)
    if user is None:
        return []
    if is_partner(user):
        # One by one, with subqueries: the partner's other clients are not read.
        return partner_visible(actor=user, episodes=episodes)
    teams = active_team_ids(user)
    if not teams:
        return []
    rest = [e.pk for e in episodes if e.team_id not in teams]
    allowed = set(visible_episodes(user).filter(pk__in=rest).values_list("pk", flat=True)) if rest else set()
    return [e for e in episodes if (e.team_id in teams and in_region(actor=user, team_id=e.team_id)) or e.pk in allowed]


def client_visible_q(actor: AnyReader | None) -> Q:
    """A filter on Client: clients with at least one episode the actor may see."""
    return Q(Exists(visible_episodes(actor).filter(client=OuterRef("pk"))))


def can_open_episode_in(*, actor: Actor, team_id: int) -> bool:
    """Open a new client relationship in a team: active members of that team only."""
    user = _user(actor)
    return user is not None and team_id in active_team_ids(user) and in_region(actor=user, team_id=team_id)


def import_team_ids(actor: Actor) -> frozenset[int]:
    """Teams the actor may import clients and relationships into from a spreadsheet (docs/import.md):
    a team professional (the coordinator or any professional of the team) into the teams they are an
    active member of; an administrator into any active team of their own welfare region. Nobody else
    (partner staff, the data protection officer, managers outside a team) imports."""
    user = _user(actor)
    if user is None:
        return frozenset()
    if can_administer(user):
        teams = Team.objects.filter(region_q(actor=user, organisation_field="organisation"), is_active=True)
        return frozenset(teams.values_list("pk", flat=True))
    return frozenset(t for t in active_team_ids(user) if in_region(actor=user, team_id=t))


def can_import_into(*, actor: Actor, team_id: int) -> bool:
    """Import clients and relationships from a spreadsheet into this team (`import_team_ids`)."""
    return team_id in import_team_ids(actor)


def can_search_clients(actor: Actor) -> bool:
    """Search the client register (by name in reach, by exact identity code anywhere): team professionals."""
    return bool(active_team_ids(actor))


def can_open_emergency_access(actor: Actor) -> bool:
    """Team professionals may break the glass for clients of their own organisation."""
    return bool(active_team_ids(actor))


def can_see_protected_address(*, actor: Actor, episode: Episode) -> bool:
    """The address of a client under address protection (turvakielto): only the relationship's current
    contact person and own worker see it, and only while they may change the relationship. Everyone
    else (the rest of the team, partner staff, emergency access) sees that it is protected, never the
    address, its earlier values or the municipality (docs/access-policy.md, rule 16). Without the
    protection the address is read like the rest of the client's contact details."""
    user = _user(actor)
    if user is None:
        return False
    if not episode.client.address_protected:
        return can_view_episode(actor=user, episode=episode) and not is_partner(user)
    return (
        can_change_episode(actor=user, episode=episode)
        and episode.assignments.filter(user_id=user.pk, ended_at__isnull=True).exists()
    )


def partner_member_categories(
    *, episode: Episode, members: Sequence[CaseTeamMember], organisations: dict[int, Organisation]
) -> dict[int, list[str]]:
    """What each partner member of the client's team may read, by team-member id: the readable
    categories the client's consents (or a legal-basis grant to them) open; an empty list when none.
    `organisations` holds the members' organisations by id (with their parents)."""
    partners = [m for m in members if is_partner(m.user)]
    if not partners:
        return {}
    consents = consent_rule.consents_by_client(client_ids=[episode.client_id]).get(episode.client_id, [])
    out: dict[int, list[str]] = {}
    for m in partners:
        grants = consent_rule.grants_by_client(grantee=m.user, client_ids=[episode.client_id])
        found = consent_rule.permits(
            categories=READABLE_CATEGORIES,
            recipient=organisations.get(m.user.organisation_id) if m.user.organisation_id else None,
            consents=consents,
            grants=grants.get(episode.client_id, []),
        )
        out[m.pk] = [c for c in READABLE_CATEGORIES if c in found]
    return out


# ---------------------------------------------------------------- notifications of need (intake)


def can_send_need(actor: Actor) -> bool:
    """Team professionals (also those outside a work ability team: health station, social services)
    and partner staff may send a notification of need to a team."""
    return can_work_with_clients(actor) or is_partner(actor)


def need_is_sender(*, actor: Actor, sent_by_id: int) -> bool:
    """Only the sender themself (not their colleagues) follows what became of a notification."""
    return _user(actor) is not None and actor.pk == sent_by_id and can_send_need(actor)


def can_decide_need(*, actor: Actor, team_id: int) -> bool:
    """Active members of the receiving team read the whole notification and accept or decline it."""
    return team_id in active_team_ids(actor)


# ---------------------------------------------------------------- escorted handovers

HANDOVER_SENDING_PROFESSIONS: frozenset[str] = frozenset({Profession.OCCUPATIONAL_HEALTH, Profession.STUDENT_HEALTH})
"""Professions that walk a person over to a team when occupational or student health care ends."""


def can_send_handovers(actor: Actor) -> bool:
    """Occupational and student health care staff of an organisation open escorted handovers."""
    user = _user(actor)
    return (
        user is not None
        and is_partner(user)
        and user.profession in HANDOVER_SENDING_PROFESSIONS
        and bool(user.organisation_id)
    )


def can_use_handovers(actor: Actor) -> bool:
    """The handover pages: the sending side and team professionals (who see their teams' handovers)."""
    return can_send_handovers(actor) or can_work_with_clients(actor)


def handover_is_sender(*, actor: Actor, handover: Handover) -> bool:
    """The sending side: the opener and the sending contact person."""
    return can_send_handovers(actor) and actor.pk in (handover.opened_by_id, handover.sending_contact_id)


def handover_is_receiver(*, actor: Actor, handover: Handover) -> bool:
    """Active members of the receiving team."""
    return handover.team_id in active_team_ids(actor)


def handover_basis(*, actor: Actor, handover: Handover) -> str | None:
    """The ground on which the actor may see this handover, or None."""
    if handover_is_receiver(actor=actor, handover=handover):
        return AccessGround.HANDOVER_RECEIVING_TEAM
    if handover_is_sender(actor=actor, handover=handover):
        return AccessGround.HANDOVER_SENDER
    return None


def handover_on_side(*, actor: Actor, handover: Handover, side: str) -> bool:
    """Whether the actor is on the given side (an `AccessGround` handover value) of the handover."""
    if side == AccessGround.HANDOVER_SENDER:
        return handover_is_sender(actor=actor, handover=handover)
    if side == AccessGround.HANDOVER_RECEIVING_TEAM:
        return handover_is_receiver(actor=actor, handover=handover)
    return False


def can_edit_handover(*, actor: Actor, handover: Handover) -> bool:
    """The sending side edits the preparatory and transfer parts until the handover is accepted."""
    return handover.is_open and handover_is_sender(actor=actor, handover=handover)


def can_accept_handover(*, actor: Actor, handover: Handover) -> bool:
    """Any active member of the receiving team (normally the receiving nurse) accepts."""
    return handover.is_open and handover_is_receiver(actor=actor, handover=handover)


# ---------------------------------------------------------------- referrals


def referral_is_internal(*, episode: Episode, organisation: Organisation | None) -> bool:
    """A referral inside the team's own organisation (to an IPS job coach, say) discloses nothing."""
    return organisation is not None and organisation.pk == episode.team.organisation_id


def referral_sendable(*, episode: Episode, organisation: Organisation | None) -> dict[str, consent_rule.Permit]:
    """Data categories the client's consents allow to send to the organisation now (with the consent
    that allows each). Only consents count: a legal-basis grant is given to a person, not a referral.
    Inside the team's own organisation the shared plan goes without consent (no disclosure)."""
    consents = consent_rule.consents_by_client(client_ids=[episode.client_id]).get(episode.client_id, [])
    found = consent_rule.permits(categories=DataCategory.values, recipient=organisation, consents=consents, grants=[])
    if referral_is_internal(episode=episode, organisation=organisation) and DataCategory.SHARED_PLAN not in found:
        found[DataCategory.SHARED_PLAN] = consent_rule.Permit(DataCategory.SHARED_PLAN)
    return found


def referral_received_permits(
    *, actor: AnyReader, referrals: Sequence[Referral]
) -> dict[int, dict[str, consent_rule.Permit]]:
    """For the recipient's staff, or its system client: of each referral's sent categories, those the
    client's consent still covers for the actor's organisation (a system: only consents for a purpose
    it was granted), by referral id (one query for the consents)."""
    consents = consent_rule.consents_by_client(client_ids={r.episode.client_id for r in referrals})
    if isinstance(actor, SystemReader):
        organisation = _system_organisation(actor)

        def fitting(found: list[Consent]) -> list[Consent]:
            return _system_consents(actor, found)
    else:
        organisation = getattr(actor, "organisation", None)

        def fitting(found: list[Consent]) -> list[Consent]:
            return found

    return {
        r.pk: consent_rule.permits(
            categories=r.categories,
            recipient=organisation,
            consents=fitting(consents.get(r.episode.client_id, [])),
            grants=[],
        )
        for r in referrals
    }


def referral_received_q(actor: AnyReader) -> Q | None:
    """A filter on Referral keeping those sent to the actor's organisation that the actor receives:
    partner staff (a referral addressed to a named person is that person's only) and the
    organisation's system client (those not addressed to a person). None: the actor receives none."""
    if isinstance(actor, SystemReader):
        return Q(recipient_organisation_id=actor.organisation_id, recipient_user__isnull=True)
    if isinstance(actor, ClientReader):
        return None
    user = _user(actor)
    if user is None or not is_partner(user) or user.organisation_id is None:
        return None
    return Q(
        Q(recipient_user__isnull=True) | Q(recipient_user_id=user.pk), recipient_organisation_id=user.organisation_id
    )


def referral_is_recipient(*, actor: Actor, referral: Referral) -> bool:
    """Partner staff of the organisation the referral was sent to."""
    user = _user(actor)
    return (
        user is not None
        and is_partner(user)
        and user.organisation_id is not None
        and user.organisation_id == referral.recipient_organisation_id
    )


def can_send_referral(*, actor: Actor, episode: Episode) -> bool:
    """Team members who may change the episode send referrals (not partners, not emergency access)."""
    return can_change_episode(actor=actor, episode=episode)


def can_update_referral_status(*, actor: Actor, referral: Referral) -> bool:
    """An open referral's status is updated by its recipient (partner organisations) or, for outside
    recipients and the welfare region's own units, by the team on the recipient's behalf."""
    if not referral.is_open:
        return False
    if referral.recipient_manages:
        return referral_is_recipient(actor=actor, referral=referral)
    return can_change_episode(actor=actor, episode=referral.episode)
