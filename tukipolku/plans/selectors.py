"""Reads of the plan. Callers pass an episode already fetched (and logged) through the access gate."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q

from tukipolku.cases.models import Episode
from tukipolku.cases.presentation import choice_label
from tukipolku.plans.choices import ActionStatus, GoalDomain, GoalStatus
from tukipolku.plans.models import Action, Goal, Plan, PlanVersion


@dataclass
class DomainGoals:
    domain: GoalDomain
    goals: list[Goal]


@dataclass
class PlanView:
    plan: Plan | None
    domains: list[DomainGoals]
    loose_actions: list[Action]
    current_version: PlanVersion | None
    agreed_version: PlanVersion | None
    versions: list[PlanVersion] = field(default_factory=list)

    @property
    def revision(self) -> int:
        return self.plan.revision if self.plan else 0

    @property
    def is_agreed(self) -> bool:
        return self.current_version is not None and self.current_version.agreed_on is not None


def plan_view_for(*, episode: Episode) -> PlanView:
    """The plan grouped by domain with each goal's actions (`goal.action_list`), and its version and
    agreement state. Four queries: plan, goals, all actions, recent versions."""
    plan = Plan.objects.filter(episode=episode).select_related("updated_by").first()
    if plan is None:
        return PlanView(None, [DomainGoals(d, []) for d in GoalDomain], [], None, None)
    goals = list(Goal.objects.filter(plan=plan).order_by("id"))
    actions = list(Action.objects.filter(plan=plan).select_related("owner").order_by("due_on", "id"))
    by_goal: dict[int | None, list[Action]] = {}
    for action in actions:
        by_goal.setdefault(action.goal_id, []).append(action)
    for goal in goals:
        setattr(goal, "action_list", by_goal.get(goal.pk, []))  # noqa: B010  shown under its goal
    versions = list(
        PlanVersion.objects.filter(plan=plan)
        .select_related("created_by", "agreement_recorded_by")
        .defer("snapshot")
        .order_by("-number")[:20]
    )
    current = next((v for v in versions if v.number == plan.revision), None)
    agreed = next((v for v in versions if v.agreed_on is not None), None)
    domains = [DomainGoals(d, [g for g in goals if g.domain == d]) for d in GoalDomain]
    return PlanView(plan, domains, by_goal.get(None, []), current, agreed, versions)


def plan_version_get(*, episode: Episode, number: int) -> PlanVersion | None:
    """One saved version of the episode's plan (with its snapshot), or None. One query."""
    return (
        PlanVersion.objects.filter(plan__episode=episode, number=number)
        .select_related("plan", "created_by", "agreement_recorded_by")
        .first()
    )


def plan_versions_to_compare(*, episode: Episode, number: int) -> tuple[PlanVersion, PlanVersion] | None:
    """Version `number` and the current version of the episode's plan, in one query; None when the
    plan has no version `number`. Both are the same version when `number` is the current one."""
    rows = list(
        PlanVersion.objects.filter(plan__episode=episode)
        .filter(Q(number=number) | Q(number=F("plan__revision")))
        .select_related("plan", "created_by", "agreement_recorded_by")
    )
    older = next((v for v in rows if v.number == number), None)
    if older is None:
        return None
    current = next((v for v in rows if v.number == older.plan.revision), older)
    return older, current


@dataclass
class SnapshotGoal:
    goal: dict[str, Any]
    actions: list[dict[str, Any]]


@dataclass
class SnapshotDomain:
    domain: GoalDomain
    goals: list[SnapshotGoal]


def snapshot_domains(*, snapshot: dict[str, Any]) -> tuple[list[SnapshotDomain], list[dict[str, Any]]]:
    """A version's goals grouped by domain, each with its actions, and the actions under no goal."""
    actions = [
        {
            **a,
            "status_label": choice_label(ActionStatus, a.get("status", "")),
            "due_date": snapshot_date(value=a.get("due_on")),
        }
        for a in snapshot.get("actions", [])
    ]
    goals = [
        {
            **g,
            "status_label": choice_label(GoalStatus, g.get("status", "")),
            "target_date": snapshot_date(value=g.get("target_on")),
        }
        for g in snapshot.get("goals", [])
    ]
    domains = [
        SnapshotDomain(
            d,
            [
                SnapshotGoal(g, [a for a in actions if a.get("goal_id") == g["id"]])
                for g in goals
                if g.get("domain") == d
            ],
        )
        for d in GoalDomain
    ]
    goal_ids = {g["id"] for g in goals}
    return domains, [a for a in actions if a.get("goal_id") not in goal_ids]


def snapshot_date(*, value: str | None) -> datetime.date | None:
    """A date as a snapshot stores it (ISO text)."""
    return datetime.date.fromisoformat(value) if value else None
