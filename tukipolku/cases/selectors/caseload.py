"""The caseload: my open clients with their next action, the caseload search, and the follow-ups after
closing that are due. Every client shown is written to the access log (`access.log.log_list`)."""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
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
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from tukipolku.access.actors import Actor, signed_in
from tukipolku.access.log import log_list
from tukipolku.access.policy import (
    active_team_ids,
    episode_visible_q,
)
from tukipolku.cases import registry
from tukipolku.cases.choices import AssignmentKind, EpisodeStatus, FollowUpStatus
from tukipolku.cases.constants import (
    FOLLOW_UP_CASELOAD_ROWS,
    FOLLOW_UP_LEAD_DAYS,
)
from tukipolku.cases.models import Assignment, CaseTeamMember, Episode, FollowUp, StepRecord
from tukipolku.clients import identity
from tukipolku.core.models import User

FAR_FUTURE = datetime.date(9999, 12, 31)
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


def _rows(actor: Actor, episodes: Sequence[Episode], new_ids: frozenset[int] = frozenset()) -> list[EpisodeRow]:
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


def caseload_for(
    *, actor: Actor, page_number: Any = 1, only_contact: bool = False
) -> tuple[Page[Any], list[EpisodeRow]]:
    """My caseload: open episodes where I am in the client's team, next due first (overdue on top)."""
    actor = signed_in(actor)  # a signed-in user from here on
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
    log_list(actor=actor, view="cases:caseload", episodes=episodes)
    return page, _rows(actor, episodes, new_ids)


CASELOAD_SEARCH_ROWS = 20
_CODE_END = re.compile(r"[-+A-FU-Y]?([0-9]{3}[0-9A-Y])")


def _caseload_search_q(term: str) -> Q:
    """One typed word: part of a name, the end of the identity code (the individual number and
    check character, with or without the century sign: `123A`, `-123A`), or the whole code."""
    if identity.is_valid(term):
        return Q(client__identity_code=identity.normalize(term))
    match = _CODE_END.fullmatch(term.upper())
    if match is not None:
        return Q(client__identity_code__endswith=match.group(1))
    return Q(client__last_name__icontains=term) | Q(client__first_names__icontains=term)


def caseload_search_for(*, actor: Actor, query: str) -> list[Episode]:
    """The actor's own and team's clients whose name or identity-code end matches what was typed.

    Only relationships of the actor's active teams and those whose case team the actor is in (the
    caseload's reach): never another team's client, nor one seen through emergency access. Open
    relationships first. Every row returned is logged as a list read, like the caseload's. Actors
    without a team (partner staff, administrators) find nobody; views refuse them before this.
    """
    actor = signed_in(actor)  # a signed-in user from here on
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
    log_list(actor=actor, view="cases:caseload_search", episodes=episodes)
    return episodes


# ---------------------------------------------------------------- follow-up after closing


@dataclass
class DueFollowUps:
    """The follow-ups after closing that the actor is to do soon or is late with, for the caseload."""

    rows: list[FollowUp]
    total: int
    horizon: datetime.date
    today: datetime.date


def follow_ups_due_for(*, actor: Actor, limit: int = FOLLOW_UP_CASELOAD_ROWS) -> DueFollowUps:
    """My follow-ups after closing that are due within `FOLLOW_UP_LEAD_DAYS` or overdue, oldest first.

    Only closed episodes the actor may still see, and only follow-ups the actor owns. Two queries (a
    count and the rows shown) whatever the number; each client shown is written to the access log.
    """
    actor = signed_in(actor)  # a signed-in user from here on
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
    log_list(actor=actor, view="cases:caseload", episodes=[f.episode for f in rows])
    return DueFollowUps(rows=rows, total=total, horizon=horizon, today=today)


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
