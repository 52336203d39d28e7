"""Changes to the service plan. Each bumps the plan revision, snapshots it and appends an event."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.access.actors import Actor, signed_in
from tukipolku.access.policy import can_change_episode
from tukipolku.audit.choices import EventType
from tukipolku.audit.services import event_record
from tukipolku.cases.models import Episode
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.core.models import User
from tukipolku.plans.choices import ActionSource, ActionStatus, AgreementMethod, GoalDomain, GoalStatus
from tukipolku.plans.models import Action, Goal, Plan, PlanVersion


@dataclass
class ActionInput:
    id: int | None
    title: str
    owner: User
    due_on: datetime.date
    status: str = ActionStatus.OPEN
    delete: bool = False


@dataclass
class GoalInput:
    id: int | None
    domain: str
    description: str
    client_wording: str = ""
    target_on: datetime.date | None = None
    status: str = GoalStatus.OPEN
    delete: bool = False
    actions: list[ActionInput] = field(default_factory=list)


def _require_change(actor: Actor, episode: Episode) -> None:
    if not can_change_episode(actor=actor, episode=episode):
        raise ApplicationError(_("This client relationship cannot be changed."))


def _locked_plan(episode: Episode) -> Plan:
    """The episode's plan under a row lock, created on first use."""
    plan, _created = Plan.objects.get_or_create(episode=episode)
    return Plan.objects.select_for_update().get(pk=plan.pk)


def _snapshot(plan: Plan) -> dict[str, Any]:
    """The plan's content as plain data, for the version history."""
    goals = list(plan.goals.all())
    actions = list(plan.actions.select_related("owner"))
    return {
        "summary": plan.summary,
        "next_review_on": plan.next_review_on.isoformat() if plan.next_review_on else None,
        "goals": [
            {
                "id": g.pk,
                "domain": g.domain,
                "description": g.description,
                "client_wording": g.client_wording,
                "target_on": g.target_on.isoformat() if g.target_on else None,
                "status": g.status,
            }
            for g in goals
        ],
        "actions": [
            {
                "id": a.pk,
                "goal_id": a.goal_id,
                "title": a.title,
                "owner": a.owner.display_name,
                "due_on": a.due_on.isoformat(),
                "status": a.status,
            }
            for a in actions
        ],
    }


def _bump(*, actor: Actor, plan: Plan) -> PlanVersion:
    actor = signed_in(actor)  # a signed-in user from here on
    plan.revision += 1
    plan.updated_by = actor
    plan.save(update_fields=["revision", "updated_by", "summary", "next_review_on", "updated_at"])
    return PlanVersion.objects.create(
        plan=plan, number=plan.revision, snapshot=_snapshot(plan), created_at=timezone.now(), created_by=actor
    )


def _event(actor: Actor, verb: str, plan: Plan, episode: Episode, **payload: Any) -> None:
    event_record(
        actor=actor,
        verb=verb,
        client_id=episode.client_id,
        episode_id=episode.pk,
        target=plan,
        payload={"revision": plan.revision, **payload},
    )


def _apply_action(plan: Plan, goal: Goal | None, data: ActionInput, existing: dict[int, Action]) -> int:
    if data.id is not None:
        action = existing.get(data.id)
        if action is None:
            return 0  # removed by someone else meanwhile; nothing to update
        if data.delete:
            action.delete()
            return 1
        action.title, action.owner, action.due_on = data.title.strip(), data.owner, data.due_on
        if data.status != action.status:
            action.completed_at = timezone.now() if data.status == ActionStatus.DONE else None
        action.status = data.status
        action.goal = goal if goal is not None else action.goal
        action.save()
        return 1
    if data.delete or not data.title.strip():
        return 0
    Action.objects.create(
        plan=plan,
        goal=goal,
        title=data.title.strip(),
        owner=data.owner,
        due_on=data.due_on,
        status=data.status,
        completed_at=timezone.now() if data.status == ActionStatus.DONE else None,
    )
    return 1


@transaction.atomic
def plan_save(
    *,
    actor: Actor,
    episode: Episode,
    expected_revision: int,
    summary: str,
    next_review_on: datetime.date | None,
    goals: list[GoalInput],
    loose_actions: list[ActionInput],
) -> Plan:
    """Save the whole plan as edited on one screen.

    Refused with ConflictError when the plan changed after the editor loaded `expected_revision`.
    """
    _require_change(actor, episode)
    plan = _locked_plan(episode)
    if plan.revision != expected_revision:
        raise ConflictError(
            _(
                "Someone else saved this plan while you were editing it. Your changes are not saved yet: "
                "compare them with the saved version below, then save again."
            )
        )
    for g in goals:
        if not g.delete and g.domain not in GoalDomain.values:
            raise ApplicationError(_("Choose the goal's domain."))
    plan.summary = summary.strip()
    plan.next_review_on = next_review_on
    existing_goals = {g.pk: g for g in plan.goals.all()}
    existing_actions = {a.pk: a for a in plan.actions.all()}
    for data in goals:
        goal: Goal | None
        if data.id is not None:
            goal = existing_goals.get(data.id)
            if goal is None:
                continue
            if data.delete:
                goal.delete()
                continue
            goal.domain, goal.description = data.domain, data.description.strip()
            goal.client_wording, goal.target_on, goal.status = data.client_wording.strip(), data.target_on, data.status
            goal.save()
        elif data.delete or not data.description.strip():
            continue
        else:
            goal = Goal.objects.create(
                plan=plan,
                domain=data.domain,
                description=data.description.strip(),
                client_wording=data.client_wording.strip(),
                target_on=data.target_on,
                status=data.status,
            )
        for action_data in data.actions:
            _apply_action(plan, goal, action_data, existing_actions)
    for action_data in loose_actions:
        _apply_action(plan, None, action_data, existing_actions)
    _bump(actor=actor, plan=plan)
    _event(actor, EventType.PLAN_UPDATED, plan, episode, goals=plan.goals.count(), actions=plan.actions.count())
    return plan


@transaction.atomic
def plan_agree(*, actor: Actor, episode: Episode, revision: int, agreed_on: datetime.date, method: str) -> PlanVersion:
    """Record that the client agreed to a version of the plan. Only the current version can be agreed."""
    actor = signed_in(actor)  # a signed-in user from here on
    _require_change(actor, episode)
    plan = _locked_plan(episode)
    if plan.revision == 0:
        raise ApplicationError(_("Write the plan before recording the client's agreement."))
    if plan.revision != revision:
        raise ConflictError(_("The plan changed after you opened it. Check the current version with the client."))
    if method not in AgreementMethod.values:
        raise ApplicationError(_("Choose how the client agreed."), field="method")
    if agreed_on > timezone.localdate():
        raise ApplicationError(_("The date of agreement cannot be in the future."), field="agreed_on")
    version = PlanVersion.objects.get(plan=plan, number=revision)
    version.agreed_on = agreed_on
    version.agreement_method = method
    version.agreement_recorded_by = actor
    version.save(update_fields=["agreed_on", "agreement_method", "agreement_recorded_by"])
    _event(actor, EventType.PLAN_AGREED, plan, episode, method=method, agreed_on=agreed_on.isoformat())
    return version


@transaction.atomic
def action_create(
    *,
    actor: Actor,
    episode: Episode,
    title: str,
    owner: User,
    due_on: datetime.date,
    source: str = ActionSource.PLAN,
    goal: Goal | None = None,
) -> Action:
    """Add one action to the plan (used by meeting decisions). Additive: no revision check."""
    _require_change(actor, episode)
    if not title.strip():
        raise ApplicationError(_("Describe the action."), field="title")
    plan = _locked_plan(episode)
    action = Action.objects.create(plan=plan, goal=goal, title=title.strip(), owner=owner, due_on=due_on, source=source)
    _bump(actor=actor, plan=plan)
    _event(actor, EventType.PLAN_UPDATED, plan, episode, added_action=action.title, source=source)
    return action


@transaction.atomic
def action_set_status(*, actor: Actor, episode: Episode, action_id: int, status: str) -> Action:
    """Mark an action done, cancelled or open again."""
    _require_change(actor, episode)
    plan = _locked_plan(episode)
    action = plan.actions.filter(pk=action_id).first()
    if action is None:
        raise ApplicationError(_("This action no longer exists."))
    if status not in ActionStatus.values:
        raise ApplicationError(_("Unknown status."))
    if action.status == status:
        return action
    action.status = status
    action.completed_at = timezone.now() if status == ActionStatus.DONE else None
    action.save(update_fields=["status", "completed_at", "updated_at"])
    _bump(actor=actor, plan=plan)
    _event(actor, EventType.ACTION_STATUS_CHANGED, plan, episode, action=action.title, status=status)
    return action
