"""Reads of the plan. Callers pass an episode already fetched (and logged) through the access gate."""

from __future__ import annotations

from dataclasses import dataclass, field

from tukipolku.cases.models import Episode
from tukipolku.plans.choices import GoalDomain
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
