"""Reads of client data. Every function here goes through the access gate and writes the access log.

Nothing outside this module (and the modules it lends the gate to) reads episodes or clients for
display directly.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Least, RowNumber
from django.http import Http404
from django.utils import timezone

from tukipolku.access.choices import AccessGround
from tukipolku.audit.choices import AccessAction, AccessOutcome
from tukipolku.audit.services import access_denied, access_record, disclosure_record
from tukipolku.cases import registry
from tukipolku.cases.choices import AssignmentKind, EpisodeStatus, FollowUpStatus
from tukipolku.cases.constants import (
    FOLLOW_UP_CASELOAD_ROWS,
    FOLLOW_UP_LEAD_DAYS,
)
from tukipolku.cases.models import SITUATION_FIELDS, Assignment, CaseTeamMember, Episode, FollowUp, StepRecord
from tukipolku.cases.permissions import (
    READABLE_CATEGORIES,
    EpisodeAccess,
    active_team_ids,
    can_open_emergency_access,
    can_search_clients,
    client_visible_q,
    episode_access,
    episode_visible_q,
    partner_candidate_episodes,
    visible_among,
    visible_episodes,
)
from tukipolku.clients import identity
from tukipolku.clients.models import Client
from tukipolku.core.models import Organisation, Team, TeamMembership, User
from tukipolku.core.permissions import PARTNER_PROFESSIONS, TEAM_PROFESSIONS, is_partner
from tukipolku.pathways.models import Pathway, PathwayStep
from tukipolku.pathways.selectors import pathway_steps, pathway_version_current
from tukipolku.privacy import selectors as privacy_selectors
from tukipolku.privacy.choices import DataCategory, category_labels

FAR_FUTURE = datetime.date(9999, 12, 31)


def _log(
    actor: Any, view: str, episodes: Sequence[Episode], action: str = AccessAction.LIST, basis: str = AccessGround.TEAM
) -> None:
    access_record(actor=actor, view=view, rows=[(e.client_id, e.pk) for e in episodes], action=action, basis=basis)


# ---------------------------------------------------------------- single episode


def episode_get_for(
    *,
    actor: Any,
    episode_id: int,
    view: str,
    for_update: bool = False,
    require: str | None = DataCategory.SHARED_PLAN,
    for_change: bool = False,
    open_only: bool = False,
) -> Episode:
    """Fetch one episode the actor may see and log the read; a refusal is logged too.

    `require` is the data category the page shows (None: the page shows what the actor may read of
    every category, like the case page). Missing and forbidden look the same (404). `for_change`: the
    page changes the episode, so readers who may only read (emergency access) are refused with 403.
    `open_only`: the page changes what only an open episode accepts (a meeting, a referral): on a
    closed episode it answers 404 and the refusal is logged as one (reason `closed`), never as a read.
    """
    episode = (
        Episode.objects.select_related(
            "client",
            "team",
            "team__organisation",
            "team__organisation__parent",
            "pathway_version",
            "pathway_version__pathway",
            "current_step",
        )
        .filter(pk=episode_id)
        .first()
    )
    access = episode_access(actor, episode) if episode is not None else None
    if episode is None or access is None or not access.reads(require):
        access_denied(
            actor=actor,
            view=view,
            client_id=episode.client_id if episode is not None else None,
            episode_id=episode.pk if episode is not None else None,
            reason="not_found" if episode is None else ("no_relationship" if access is None else "no_consent"),
            resource=require or "case",
        )
        raise Http404
    if for_change and not access.can_change:
        access_denied(
            actor=actor,
            view=view,
            client_id=episode.client_id,
            episode_id=episode.pk,
            reason="read_only",
            resource=require or "case",
        )
        raise PermissionDenied
    if open_only and not episode.is_open:
        access_denied(
            actor=actor,
            view=view,
            client_id=episode.client_id,
            episode_id=episode.pk,
            reason="closed",
            resource=require or "case",
        )
        raise Http404
    log_episode_read(actor=actor, view=view, episode=episode, access=access, categories=[require] if require else None)
    return episode


def refuse_other_object(*, actor: Any, view: str, owner: tuple[int, int | None] | None, resource: str) -> NoReturn:
    """An object id asked for through an episode the actor may see, but the object belongs to another
    episode (or does not exist): log the refusal against the client it belongs to, then 404.

    `owner` is the object's (client id, episode id), looked up by the caller without the scope."""
    access_denied(
        actor=actor,
        view=view,
        client_id=owner[0] if owner else None,
        episode_id=owner[1] if owner else None,
        reason="other_episode" if owner else "not_found",
        resource=resource,
    )
    raise Http404


def log_episode_read(
    *, actor: Any, view: str, episode: Episode, access: EpisodeAccess, categories: list[str] | None = None
) -> None:
    """Access-log row for one episode read; for partner staff also a disclosure-log row per ground."""
    shown = categories if categories is not None else list(access.categories)
    access_record(
        actor=actor,
        view=view,
        rows=[(episode.client_id, episode.pk)],
        action=AccessAction.VIEW,
        basis=access.basis,
        resource=",".join(shown) if categories is not None else "case",
        flagged=access.flagged,
        reason=access.emergency_reason,
    )
    if access.partner:
        log_disclosure(actor=actor, view=view, episode=episode, access=access, categories=shown)


def log_disclosure(*, actor: Any, view: str, episode: Episode, access: EpisodeAccess, categories: list[str]) -> None:
    """Data shown to partner staff is disclosed to their organisation: one row per consent or grant."""
    grounds: dict[tuple[int | None, int | None], list[str]] = {}
    for category in categories:
        ground = access.categories.get(category)
        if ground is not None:
            grounds.setdefault((ground.consent_id, ground.grant_id), []).append(category)
    for (consent_id, grant_id), cats in grounds.items():
        disclosure_record(
            actor=actor,
            client_id=episode.client_id,
            episode_id=episode.pk,
            controller_organisation_id=episode.team.organisation_id,
            recipient_organisation_id=actor.organisation_id,
            recipient_user_id=actor.pk,
            categories=cats,
            view=view,
            basis=AccessGround.CONSENT if consent_id is not None else AccessGround.LEGAL_BASIS,
            consent_id=consent_id,
            grant_id=grant_id,
        )


@dataclass
class EpisodeDetail:
    """Everything the case page shows about the episode itself (sections add plan, meetings...)."""

    episode: Episode
    steps: list[PathwayStep]
    records: list[StepRecord]
    members: list[CaseTeamMember]
    assignments: list[Assignment]
    contact_person: Assignment | None
    own_worker: Assignment | None
    other_episodes: list[Episode] = field(default_factory=list)
    follow_ups: list[Any] = field(default_factory=list)


def episode_detail(*, actor: Any, episode: Episode) -> EpisodeDetail:
    """The step list, step history, team and assignments of an episode already fetched through the gate."""
    steps = pathway_steps(version=episode.pathway_version)
    records = list(episode.step_records.select_related("started_by", "ended_by").order_by("started_at", "id"))
    members = list(episode.members.filter(removed_at__isnull=True).select_related("user").order_by("added_at", "id"))
    assignments = list(episode.assignments.select_related("user", "started_by").order_by("started_at", "id"))
    current = {a.kind: a for a in assignments if a.ended_at is None}
    others = visible_among(
        actor,
        list(
            Episode.objects.filter(client_id=episode.client_id)
            .exclude(pk=episode.pk)
            .select_related("team")
            .order_by("-opened_at")
        ),
    )
    follow_ups = list(episode.follow_ups.select_related("owner").order_by("due_on")) if not episode.is_open else []
    return EpisodeDetail(
        episode=episode,
        follow_ups=follow_ups,
        steps=steps,
        records=records,
        members=members,
        assignments=assignments,
        contact_person=current.get(AssignmentKind.CONTACT_PERSON),
        own_worker=current.get(AssignmentKind.OWN_WORKER),
        other_episodes=others,
    )


# ---------------------------------------------------------------- lists


def _with_next_due(qs: QuerySet[Episode]) -> QuerySet[Episode]:
    """Annotate `next_due`: the earliest of the current step's due date and every open dated item."""
    far = Value(FAR_FUTURE, output_field=DateField())
    terms = [Coalesce(F("current_step_due"), far)]
    terms += [Coalesce(src.earliest_due(), far) for src in registry.next_action_sources.values()]
    return qs.annotate(next_due=Least(*terms) if len(terms) > 1 else terms[0])


@dataclass
class EpisodeRow:
    episode: Episode
    next_due: datetime.date | None
    next_title: str
    next_owner: str
    is_step_next: bool
    overdue: bool
    contact_person: User | None
    i_am_contact: bool
    is_new: bool = False


def _rows(actor: Any, episodes: Sequence[Episode], new_ids: frozenset[int] = frozenset()) -> list[EpisodeRow]:
    ids = [e.pk for e in episodes]
    contacts = {
        a.episode_id: a.user
        for a in Assignment.objects.filter(
            episode_id__in=ids, kind=AssignmentKind.CONTACT_PERSON, ended_at__isnull=True
        ).select_related("user")
    }
    items: dict[int, registry.NextItem] = {}
    for src in registry.next_action_sources.values():
        for episode_id, candidate in src.earliest_items(ids).items():
            if episode_id not in items or candidate.due_on < items[episode_id].due_on:
                items[episode_id] = candidate
    today = timezone.localdate()
    rows = []
    for e in episodes:
        item: registry.NextItem | None = items.get(e.pk)
        step_due = e.current_step_due
        due: datetime.date | None
        if item is not None and (step_due is None or item.due_on < step_due):
            due, title, owner, is_step = item.due_on, item.title, item.owner_name, False
        else:
            due = step_due
            title = e.current_step.localized("name") if e.current_step else ""
            owner = contacts[e.pk].display_name if e.pk in contacts else ""
            is_step = True
        contact = contacts.get(e.pk)
        rows.append(
            EpisodeRow(
                episode=e,
                next_due=due,
                next_title=title,
                next_owner=owner,
                is_step_next=is_step,
                overdue=due is not None and due < today,
                contact_person=contact,
                i_am_contact=contact is not None and contact.pk == actor.pk,
                is_new=e.pk in new_ids,
            )
        )
    return rows


# What a caseload or board row shows: enough to avoid loading the steps' long guidance texts.
_ROW_FIELDS = (
    "client_id",
    "team_id",
    "current_step_id",
    "current_step_due",
    "opened_at",
    "status",
    "client__first_names",
    "client__last_name",
    "team__name",
    "current_step__order",
    "current_step__name_fi",
    "current_step__name_sv",
    "current_step__name_en",
)


def caseload_for(*, actor: Any, page_number: Any = 1, only_contact: bool = False) -> tuple[Page[Any], list[EpisodeRow]]:
    """My caseload: open episodes where I am in the client's team, next due first (overdue on top)."""
    qs = Episode.objects.filter(
        episode_visible_q(actor),
        status=EpisodeStatus.OPEN,
        members__user=actor,
        members__removed_at__isnull=True,
    )
    if only_contact:
        qs = qs.filter(
            assignments__user=actor, assignments__kind=AssignmentKind.CONTACT_PERSON, assignments__ended_at__isnull=True
        )
    # Sort and page over narrow rows first, then fetch the page's 50 episodes with their relations:
    # joining client, team and step for every open episode before the sort would cost more. The
    # database pages (a COUNT, then one page of ids): only the clients shown are read, and logged.
    # A relationship is "new" until its first step is done (no step visit has ended yet): those come
    # first, the most recently opened on top, so that the client one just opened is the first row.
    ordered = (
        _with_next_due(qs)  # type: ignore[misc]  # next_due is an annotation
        .annotate(is_new=~Exists(StepRecord.objects.filter(episode=OuterRef("pk"), ended_at__isnull=False)))
        .order_by(
            F("is_new").desc(),
            Case(When(is_new=True, then=F("opened_at"))).desc(nulls_last=True),
            "next_due",
            "opened_at",
            "pk",
        )
        .values_list("pk", "is_new")
    )
    page = Paginator(ordered, settings.TUKIPOLKU_CASELOAD_PAGE_SIZE).get_page(page_number)
    ids = [pk for pk, _new in page.object_list]
    new_ids = frozenset(pk for pk, new in page.object_list if new)
    fetched = Episode.objects.select_related("client", "current_step", "team").only(*_ROW_FIELDS).in_bulk(ids)
    episodes = [fetched[pk] for pk in ids]
    _log(actor, "cases:caseload", episodes)
    return page, _rows(actor, episodes, new_ids)


CASELOAD_SEARCH_ROWS = 20
_CODE_END = re.compile(r"[-+A-FU-Y]?([0-9]{3}[0-9A-Y])")


def _caseload_search_q(term: str) -> Q:
    """One typed word: part of a name, or the end of the identity code (the individual number and
    check character, with or without the century sign: `123A`, `-123A`)."""
    match = _CODE_END.fullmatch(term.upper())
    if match is not None:
        return Q(client__identity_code__endswith=match.group(1))
    return Q(client__last_name__icontains=term) | Q(client__first_names__icontains=term)


def caseload_search_for(*, actor: Any, query: str) -> list[Episode]:
    """The actor's own and team's clients whose name or identity-code end matches what was typed.

    Only relationships of the actor's active teams and those whose case team the actor is in (the
    caseload's reach): never another team's client, nor one seen through emergency access. Open
    relationships first. Every row returned is logged as a list read, like the caseload's. Actors
    without a team (partner staff, administrators) find nobody; views refuse them before this.
    """
    teams = active_team_ids(actor)
    terms = query.split()[:4]
    if not teams or len(query.strip()) < 2 or not terms:
        return []
    mine = Q(team_id__in=teams) | Q(
        Exists(CaseTeamMember.objects.filter(episode=OuterRef("pk"), user=actor, removed_at__isnull=True))
    )
    qs = Episode.objects.filter(episode_visible_q(actor), mine)
    for term in terms:
        qs = qs.filter(_caseload_search_q(term))
    episodes = list(
        qs.select_related("client", "current_step", "team")
        .only(*_ROW_FIELDS, "client__identity_code")
        .order_by(
            Case(When(status=EpisodeStatus.OPEN, then=Value(0)), default=Value(1)),
            "client__last_name",
            "client__first_names",
            "-opened_at",
            "pk",
        )[:CASELOAD_SEARCH_ROWS]
    )
    _log(actor, "cases:caseload_search", episodes)
    return episodes


# ---------------------------------------------------------------- follow-up after closing


@dataclass
class DueFollowUps:
    """The follow-ups after closing that the actor is to do soon or is late with, for the caseload."""

    rows: list[FollowUp]
    total: int
    horizon: datetime.date
    today: datetime.date


def follow_ups_due_for(*, actor: Any, limit: int = FOLLOW_UP_CASELOAD_ROWS) -> DueFollowUps:
    """My follow-ups after closing that are due within `FOLLOW_UP_LEAD_DAYS` or overdue, oldest first.

    Only closed episodes the actor may still see, and only follow-ups the actor owns. Two queries (a
    count and the rows shown) whatever the number; each client shown is written to the access log.
    """
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=FOLLOW_UP_LEAD_DAYS)
    qs = FollowUp.objects.filter(
        owner=actor,
        status=FollowUpStatus.DUE,
        due_on__lte=horizon,
        episode__status=EpisodeStatus.CLOSED,
        episode__in=Episode.objects.filter(episode_visible_q(actor)).values("pk"),
    )
    total = qs.count()
    rows = (
        list(qs.select_related("episode", "episode__client", "episode__team").order_by("due_on", "pk")[:limit])
        if total
        else []
    )
    _log(actor, "cases:caseload", [f.episode for f in rows])
    return DueFollowUps(rows=rows, total=total, horizon=horizon, today=today)


def follow_up_get_for(*, actor: Any, episode: Episode, follow_up_id: int, view: str) -> FollowUp:
    """A follow-up of an episode already fetched through the gate; one of another episode is 404."""
    follow_up = episode.follow_ups.select_related("owner", "recorded_by").filter(pk=follow_up_id).first()
    if follow_up is None:
        other = FollowUp.objects.filter(pk=follow_up_id).values_list("episode__client_id", "episode_id").first()
        refuse_other_object(actor=actor, view=view, owner=other, resource="follow_up")
    return follow_up


FOLLOW_UP_BUCKETS = (3, 6, 12)
"""Months after closing that the follow-up metric reports (DOMAIN.md §10)."""


def follow_up_outcomes(
    *, team_ids: Sequence[int], since: datetime.date, until: datetime.date
) -> dict[tuple[int, str], int]:
    """How many recorded follow-ups found the client in each situation, by months after closing.

    Counts follow-ups marked done whose situation was checked between `since` and `until` (inclusive),
    in episodes of the given teams. The months are those between the outcome date and the agreed due
    date, put in the nearest of 3, 6 and 12 (under 4.5 months → 3, under 9 → 6, else 12). Returns
    `{(months, situation): count}`: numbers only, no client is read, so nothing is access-logged.
    """
    gap = ExpressionWrapper(F("due_on") - F("episode__outcome_on"), output_field=DurationField())
    rows = (
        FollowUp.objects.filter(
            episode__team_id__in=list(team_ids),
            status=FollowUpStatus.DONE,
            situation_on__gte=since,
            situation_on__lte=until,
            episode__outcome_on__isnull=False,
        )
        .exclude(situation="")
        .annotate(gap=gap)
        .annotate(
            months=Case(
                When(gap__lt=datetime.timedelta(days=137), then=Value(3)),
                When(gap__lt=datetime.timedelta(days=274), then=Value(6)),
                default=Value(12),
                output_field=IntegerField(),
            )
        )
        .values("months", "situation")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(r["months"], r["situation"]): r["n"] for r in rows}


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


def board_teams_for(*, actor: Any) -> QuerySet[Team]:
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


def board_for(*, actor: Any, filters: BoardFilters, per_column: int) -> list[BoardColumn]:
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
    _log(actor, "cases:board", episodes)
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


# ---------------------------------------------------------------- finding clients


@dataclass
class ClientHit:
    client: Client
    episodes: list[Episode]
    visible: bool


def client_find_for(*, actor: Any, query: str) -> tuple[list[ClientHit], str | None]:
    """Find clients by identity code (exact, any client) or by name (only clients in reach).

    Returns the hits and the normalised identity code when the query was one. An exact identity-code
    match is shown even outside the actor's teams (name and birth date only) so that a new
    relationship can be opened; every hit is written to the access log. Actors who may not search
    clients (administrators, partner staff) find nobody.
    """
    if not can_search_clients(actor):
        return [], None
    query = query.strip()
    if identity.looks_like_identity_code(query):
        code = identity.normalize(query)
        client = Client.objects.filter(identity_code=code).first() if identity.is_valid(code) else None
        if client is None:
            return [], code
        episodes = list(
            Episode.objects.filter(episode_visible_q(actor), client=client).select_related("team", "current_step")
        )
        visible = bool(episodes)
        access_record(
            actor=actor,
            view="cases:intake",
            rows=[(client.pk, None)],
            action=AccessAction.SEARCH,
            basis=AccessGround.TEAM if visible else AccessGround.IDENTITY_CODE,
        )
        return [ClientHit(client=client, episodes=episodes, visible=visible)], code
    terms = query.split()[:3]
    if not terms or len(query) < 2:
        return [], None
    qs = Client.objects.filter(client_visible_q(actor))
    for term in terms:
        qs = qs.filter(Q(last_name__icontains=term) | Q(first_names__icontains=term))
    clients = list(
        qs.order_by("last_name", "first_names").prefetch_related(
            Prefetch(
                "episodes",
                queryset=Episode.objects.filter(episode_visible_q(actor)).select_related("team", "current_step"),
                to_attr="visible_episodes",
            )
        )[:20]
    )
    access_record(
        actor=actor,
        view="cases:intake",
        rows=[(c.pk, None) for c in clients],
        action=AccessAction.SEARCH,
        basis=AccessGround.TEAM,
    )
    return [ClientHit(client=c, episodes=c.visible_episodes, visible=True) for c in clients], None


def client_log_duplicate_for(*, actor: Any, client: Client) -> None:
    """Log that an existing client was shown to the actor because they typed the same identity code for
    a new client (the duplicate is offered instead). Same bases as a search by identity code."""
    visible = Client.objects.filter(client_visible_q(actor), pk=client.pk).exists()
    access_record(
        actor=actor,
        view="cases:intake_new",
        rows=[(client.pk, None)],
        action=AccessAction.SEARCH,
        basis=AccessGround.TEAM if visible else AccessGround.IDENTITY_CODE,
    )


def client_get_for_opening(*, actor: Any, client_id: int, looked_up_ids: set[int]) -> Client:
    """A client for whom the actor may open a relationship: in reach, or found by exact identity code
    in this session. Anything else is 404."""
    client = Client.objects.filter(pk=client_id).first() if can_search_clients(actor) else None
    if client is not None and client.pk in looked_up_ids:
        basis = AccessGround.IDENTITY_CODE
    elif client is not None and Client.objects.filter(client_visible_q(actor), pk=client.pk).exists():
        basis = AccessGround.TEAM
    else:
        access_denied(
            actor=actor,
            view="cases:episode_open",
            client_id=client.pk if client is not None else None,
            reason="not_found" if client is None else "no_relationship",
            resource="client",
        )
        raise Http404
    access_record(
        actor=actor, view="cases:episode_open", rows=[(client.pk, None)], action=AccessAction.VIEW, basis=basis
    )
    return client


def case_team_candidates(*, episode: Episode, include_partners: bool = True) -> QuerySet[User]:
    """Who may join this client's team or a meeting: active members of the organisation's teams, and
    partner staff (who then see only what the client's consents allow for their organisation)."""
    user_ids = (
        TeamMembership.objects.active().filter(team__organisation_id=episode.team.organisation_id).values("user_id")
    )
    team = Q(pk__in=user_ids, profession__in=TEAM_PROFESSIONS)
    partners = Q(profession__in=PARTNER_PROFESSIONS, organisation__isnull=False) if include_partners else Q(pk__in=[])
    return (
        User.objects.filter(team | partners, is_active=True)
        .select_related("organisation")
        .order_by("last_name", "first_name")
    )


def client_get_for_emergency(*, actor: Any, client_id: int, looked_up_ids: set[int]) -> Client:
    """A client found by exact identity code in this session, for break-the-glass access. Else 404."""
    client = Client.objects.filter(pk=client_id).first() if can_open_emergency_access(actor) else None
    if client is None or client.pk not in looked_up_ids:
        access_denied(
            actor=actor,
            view="cases:emergency_access",
            client_id=client.pk if client is not None else None,
            reason="not_looked_up",
            resource="client",
        )
        raise Http404
    access_record(
        actor=actor,
        view="cases:emergency_access",
        rows=[(client.pk, None)],
        action=AccessAction.VIEW,
        basis=AccessGround.IDENTITY_CODE,
        resource="client",
    )
    return client


def emergency_episode_for(*, actor: Any, client: Client) -> Episode | None:
    """The newest relationship of the client the actor now reaches (after opening emergency access)."""
    return visible_episodes(actor).filter(client=client).order_by("-opened_at", "-pk").first()


@dataclass
class SharedEpisode:
    episode: Episode
    access: EpisodeAccess

    @property
    def labels(self) -> list[str]:
        return category_labels(list(self.access.categories))


def partner_episodes_for(*, actor: Any) -> list[SharedEpisode]:
    """Partner staff's list: clients whose consents let the actor's organisation see something.

    Every episode the actor takes part in is read to check its consents: those shown are logged as a
    list (and disclosed), those the gate refuses are logged as refused."""
    candidates = partner_candidate_episodes(actor)
    shown = {e.pk for e in candidates if episode_access(actor, e) is not None}
    episodes = list(
        Episode.objects.filter(pk__in=shown)
        .select_related("client", "team", "team__organisation", "current_step")
        .order_by("client__last_name", "client__first_names", "pk")
    )
    rows = []
    for e in episodes:
        access = episode_access(actor, e)
        if access is None:
            continue
        rows.append(SharedEpisode(e, access))
        plan = access.reads(DataCategory.SHARED_PLAN)
        categories: list[str] = [DataCategory.SHARED_PLAN] if plan else list(access.categories)[:1]
        log_disclosure(actor=actor, view="cases:partner_home", episode=e, access=access, categories=categories)
    access_record(
        actor=actor,
        view="cases:partner_home",
        rows=[(r.episode.client_id, r.episode.pk) for r in rows],
        action=AccessAction.LIST,
        basis=AccessGround.PARTNER,
    )
    refused = [(e.client_id, e.pk) for e in candidates if e.pk not in shown]
    if refused:
        access_record(
            actor=actor,
            view="cases:partner_home",
            rows=refused,
            action=AccessAction.LIST,
            basis=AccessGround.NONE,
            outcome=AccessOutcome.DENIED,
            reason="no_consent",
            resource="list",
        )
    return rows


def partner_member_sharing(*, episode: Episode, members: Sequence[CaseTeamMember]) -> dict[int, list[str]]:
    """What each partner member of the client's team sees, by team-member id: the labels of the data
    categories the client's consents (or a legal-basis grant to them) open; an empty list when nothing.
    The caller has read the episode through the gate (the client's consents are read here)."""
    partners = [m for m in members if is_partner(m.user)]
    if not partners:
        return {}
    consents = privacy_selectors.consents_by_client([episode.client_id]).get(episode.client_id, [])
    organisations = Organisation.objects.select_related("parent").in_bulk({m.user.organisation_id for m in partners})
    out: dict[int, list[str]] = {}
    for m in partners:
        grants = privacy_selectors.grants_by_client(m.user, [episode.client_id]).get(episode.client_id, [])
        found = privacy_selectors.permits(
            categories=READABLE_CATEGORIES,
            recipient=organisations.get(m.user.organisation_id),
            consents=consents,
            grants=grants,
        )
        out[m.pk] = category_labels([c for c in READABLE_CATEGORIES if c in found])
    return out
