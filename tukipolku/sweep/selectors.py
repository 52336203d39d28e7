"""Reads of the notification list and the managers' unfinished processes, through the access gate.

A notification holds ids and a link, never a name. The list shows a client's name only for the
episodes the gate lets the reader see now, read in one query with the gate's filter (so the clients
of unreachable episodes are never read) and written to the access log, one row per client shown.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.utils import timezone

from tukipolku.access.actors import Actor, signed_in
from tukipolku.access.choices import AccessGround
from tukipolku.access.log import log_disclosure
from tukipolku.access.policy import active_team_ids, episode_access, episode_visible_q
from tukipolku.audit.choices import AccessAction, AccessOutcome
from tukipolku.audit.services import access_record
from tukipolku.cases.choices import EpisodeStatus
from tukipolku.cases.models import Episode
from tukipolku.core.choices import TeamRole
from tukipolku.core.models import Team, TeamMembership
from tukipolku.core.permissions import can_work_with_clients, is_partner
from tukipolku.notifications.models import Notification
from tukipolku.privacy.choices import DataCategory
from tukipolku.sweep.models import SweepRun
from tukipolku.sweep.registry import UnfinishedCheck, unfinished_checks

NOTIFICATIONS_PER_PAGE = 25
UNFINISHED_PER_PAGE = 25

_NAME_FIELDS = ("client_id", "team_id", "status", "client__first_names", "client__last_name", "team__name")


@dataclass
class NotificationRow:
    notification: Notification
    client_name: str  # "" when the notification is not about an episode or it is out of reach
    in_reach: bool  # the episode (if any) is one the reader may open now


def _episodes_in_reach(actor: Actor, view: str, episode_ids: set[int]) -> dict[int, Episode]:
    """The episodes among `episode_ids` the actor may see now, with their client's name; logged.

    Team professionals: one query with the gate's filter (unreachable episodes are not read).
    Partner staff: each episode of the page through the gate (a refusal is logged like any other).
    """
    if not episode_ids:
        return {}
    if is_partner(actor):
        candidates = list(
            Episode.objects.filter(pk__in=episode_ids).select_related("client", "team", "team__organisation")
        )
        shown: dict[int, Episode] = {}
        refused = []
        for e in candidates:
            access = episode_access(actor=actor, episode=e)
            if access is None:
                refused.append((e.client_id, e.pk))
                continue
            shown[e.pk] = e
            categories: list[str] = (
                [str(DataCategory.SHARED_PLAN)]
                if access.reads(DataCategory.SHARED_PLAN)
                else list(access.categories)[:1]
            )
            log_disclosure(actor=actor, view=view, episode=e, access=access, categories=categories)
        access_record(
            actor=actor,
            view=view,
            rows=[(e.client_id, e.pk) for e in shown.values()],
            basis=AccessGround.PARTNER,
            action=AccessAction.LIST,
        )
        if refused:
            access_record(
                actor=actor,
                view=view,
                rows=refused,
                action=AccessAction.LIST,
                basis=AccessGround.NONE,
                outcome=AccessOutcome.DENIED,
                reason="no_consent",
                resource="list",
            )
        return shown
    if not can_work_with_clients(actor):
        return {}
    episodes = list(
        Episode.objects.filter(episode_visible_q(actor), pk__in=episode_ids)
        .select_related("client", "team")
        .only(*_NAME_FIELDS)
    )
    teams = active_team_ids(actor)
    ordinary = [(e.client_id, e.pk) for e in episodes if e.team_id in teams]
    access_record(actor=actor, view=view, rows=ordinary, action=AccessAction.LIST, basis=AccessGround.TEAM)
    for e in episodes:
        if e.team_id in teams:
            continue
        # Reached through the client's team or emergency access (rare): log with its own basis.
        access = episode_access(actor=actor, episode=e)
        if access is not None:
            access_record(
                actor=actor,
                view=view,
                rows=[(e.client_id, e.pk)],
                action=AccessAction.LIST,
                basis=access.basis,
                flagged=access.flagged,
                reason=access.emergency_reason,
            )
    return {e.pk: e for e in episodes}


def notification_page_for(*, actor: Actor, page_number: Any = 1) -> tuple[Page[Any], list[NotificationRow]]:
    """The actor's own notifications, newest first, a page at a time, with the client's name where the
    gate lets the actor see the episode now."""
    actor = signed_in(actor)  # a signed-in user from here on
    qs = Notification.objects.filter(recipient=actor).order_by("-created_at", "-id")
    page = Paginator(qs, NOTIFICATIONS_PER_PAGE).get_page(page_number)
    notifications = list(page.object_list)
    episodes = _episodes_in_reach(
        actor, "sweep:notifications", {n.episode_id for n in notifications if n.episode_id is not None}
    )
    rows = []
    for n in notifications:
        e = episodes.get(n.episode_id) if n.episode_id is not None else None
        rows.append(
            NotificationRow(
                notification=n,
                client_name=e.client.full_name if e is not None else "",
                in_reach=n.episode_id is None or e is not None,
            )
        )
    return page, rows


def notification_get_own(*, actor: Actor, notification_id: int) -> Notification | None:
    """One of the actor's own notifications (None for anyone else's: the view answers 404)."""
    actor = signed_in(actor)  # a signed-in user from here on
    return Notification.objects.filter(pk=notification_id, recipient=actor).first()


# ---------------------------------------------------------------- unfinished processes


def _managed_team_ids(actor: Actor) -> frozenset[int]:
    """Teams where the actor is an active manager (and a team professional the gate lets in)."""
    teams = active_team_ids(actor)
    if not teams:
        return frozenset()
    actor = signed_in(actor)  # a team professional from here on
    return frozenset(
        TeamMembership.objects.active()
        .filter(user=actor, role=TeamRole.MANAGER, team_id__in=teams)
        .values_list("team_id", flat=True)
    )


def can_see_unfinished(*, actor: Actor) -> bool:
    return can_work_with_clients(actor) and bool(_managed_team_ids(actor))


@dataclass
class Problem:
    name: str
    label: str
    text: str


@dataclass
class UnfinishedRow:
    episode: Episode
    problems: list[Problem] = field(default_factory=list)


@dataclass
class UnfinishedPage:
    page: Page[Any]
    rows: list[UnfinishedRow]
    teams: list[Team]
    totals: list[tuple[str, str, int]]  # (check name, label, open episodes with it)
    problem: str  # the check the list is narrowed to ("" for all)
    last_run: SweepRun | None


def _checks() -> list[tuple[str, UnfinishedCheck]]:
    return sorted(unfinished_checks.items(), key=lambda item: (item[1].order, item[0]))


def unfinished_for(
    *, actor: Actor, page_number: Any = 1, problem: str = "", today: datetime.date | None = None
) -> UnfinishedPage:
    """Open episodes of the actor's managed teams with something unfinished (every registered check:
    no contact person, no activity, overdue actions, and what referrals and handovers register),
    oldest first, a page at a time. Only the clients on the page are read, and they are logged."""
    today = today or timezone.localdate()
    teams = _managed_team_ids(actor)
    checks = _checks()
    base = Episode.objects.filter(episode_visible_q(actor), team_id__in=teams, status=EpisodeStatus.OPEN)
    conditions = {name: check.episodes_q(today) for name, check in checks}
    any_problem = Q(pk__in=[])
    for q in conditions.values():
        any_problem |= q
    counted = base.aggregate(**{f"n_{name}": Count("pk", filter=q) for name, q in conditions.items()}) if checks else {}
    totals = [(name, str(check.label), counted.get(f"n_{name}") or 0) for name, check in checks]
    problem = problem if problem in conditions else ""
    qs = base.filter(conditions[problem] if problem else any_problem)
    ordered = qs.order_by("opened_at", "pk").values_list("pk", flat=True)
    page = Paginator(ordered, UNFINISHED_PER_PAGE).get_page(page_number)
    ids: Sequence[int] = list(page.object_list)
    fetched = (
        Episode.objects.select_related("client", "team", "current_step")
        .only(
            *_NAME_FIELDS,
            "opened_at",
            "current_step_id",
            "current_step__order",
            "current_step__name_fi",
            "current_step__name_sv",
            "current_step__name_en",
        )
        .in_bulk(ids)
    )
    episodes = [fetched[pk] for pk in ids]
    access_record(
        actor=actor,
        view="sweep:unfinished",
        rows=[(e.client_id, e.pk) for e in episodes],
        action=AccessAction.LIST,
        basis=AccessGround.TEAM,
    )
    rows = {e.pk: UnfinishedRow(episode=e) for e in episodes}
    if ids:
        for name, check in checks:
            for episode_id, text in check.details(ids, today).items():
                if episode_id in rows:
                    rows[episode_id].problems.append(Problem(name=name, label=str(check.label), text=text))
    return UnfinishedPage(
        page=page,
        rows=[rows[pk] for pk in ids],
        teams=list(Team.objects.filter(pk__in=teams).order_by("name")),
        totals=totals,
        problem=problem,
        last_run=SweepRun.objects.order_by("-started_at", "-id").first(),
    )
