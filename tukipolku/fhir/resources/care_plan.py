"""Service plan (`plans.Plan`) → CarePlan, its goals → Goal (no FI Base profiles exist for either).

CarePlan: `intent` plan; `status` `draft` before the first save, `active` while the episode is open,
`completed` once it is closed; `meta.versionId` is the plan's revision (the optimistic lock, so the
ETag and `If-Match` of an update); `description` the situation and the client's own view; `goal` the
goals; each action is an `activity.detail` (R4) whose element id is `action-<id>`: title, status,
the responsible professional, the due date as the end of `scheduledPeriod` and the goal it serves.
The next review date is our extension `plan-next-review`. Referrals and meetings of the episode may
be listed as `activity.reference` (ServiceRequest, Appointment) when the caller gives their ids.

Goal: `lifecycleStatus` and `achievementStatus` from our status (table in docs/fhir.md; "partly
achieved" has no HL7 code and is sent in our code system, as the extensible binding allows); the
domain is the `category`; the client's own words are a note authored by the Patient.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tukipolku.cases.models import Episode
from tukipolku.fhir.resources.common import (
    choice_concept,
    code_system,
    concept,
    day,
    extension_url,
    instant,
    meta,
    prune,
    ref,
)
from tukipolku.fhir.resources.practitioner import practitioner_ref
from tukipolku.plans.choices import ActionStatus, GoalDomain, GoalStatus
from tukipolku.plans.models import Action, Goal, Plan

ACHIEVEMENT_SYSTEM = "http://terminology.hl7.org/CodeSystem/goal-achievement"
GOAL_STATUS: dict[str, tuple[str, str | None]] = {
    GoalStatus.OPEN: ("planned", None),
    GoalStatus.IN_PROGRESS: ("active", "in-progress"),
    GoalStatus.ACHIEVED: ("completed", "achieved"),
    GoalStatus.PARTLY_ACHIEVED: ("completed", None),
    GoalStatus.NOT_ACHIEVED: ("completed", "not-achieved"),
    GoalStatus.DROPPED: ("cancelled", None),
}
"""Our goal status → (Goal.lifecycleStatus, HL7 goal-achievement code or None)."""
ACTION_STATUS = {ActionStatus.OPEN: "not-started", ActionStatus.DONE: "completed", ActionStatus.CANCELLED: "cancelled"}
ACTION_STATUS_FROM_FHIR = {
    "not-started": ActionStatus.OPEN,
    "scheduled": ActionStatus.OPEN,
    "in-progress": ActionStatus.OPEN,
    "on-hold": ActionStatus.OPEN,
    "completed": ActionStatus.DONE,
    "cancelled": ActionStatus.CANCELLED,
    "stopped": ActionStatus.CANCELLED,
}
NEXT_REVIEW = extension_url("plan-next-review")
ACTION_ID_PREFIX = "action-"


def care_plan_status(plan: Plan, episode: Episode) -> str:
    if plan.revision == 0:
        return "draft"
    return "active" if episode.is_open else "completed"


def to_fhir_care_plan(
    plan: Plan,
    *,
    service_request_ids: Iterable[int] = (),
    appointment_ids: Iterable[int] = (),
) -> dict[str, Any]:
    """The plan; fetch `episode` with it and prefetch `goals` and `actions__owner` for bulk use."""
    episode = plan.episode
    activities: list[dict[str, Any]] = [_activity(action) for action in plan.actions.all()]
    activities += [{"reference": ref("ServiceRequest", pk)} for pk in service_request_ids]
    activities += [{"reference": ref("Appointment", pk)} for pk in appointment_ids]
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": str(plan.pk),
        "meta": meta(updated=plan.updated_at, version=plan.revision),
        "status": care_plan_status(plan, episode),
        "intent": "plan",
        "category": [concept(code_system("plan-kind"), "service-plan", "Palvelusuunnitelma")],
        "description": plan.summary,
        "subject": ref("Patient", episode.client_id),
        "period": {"start": instant(episode.opened_at)},
        "created": instant(plan.created_at),
        "contributor": [practitioner_ref(plan.updated_by)] if plan.updated_by_id else [],
        "careTeam": [ref("CareTeam", episode.pk)],
        "goal": [ref("Goal", goal.pk) for goal in plan.goals.all()],
        "activity": activities,
        "supportingInfo": [ref("EpisodeOfCare", episode.pk)],
    }
    if plan.next_review_on:
        resource["extension"] = [{"url": NEXT_REVIEW, "valueDate": day(plan.next_review_on)}]
    return prune(resource)


def _activity(action: Action) -> dict[str, Any]:
    return {
        "id": f"{ACTION_ID_PREFIX}{action.pk}",
        "detail": {
            "kind": "Task",
            "code": {"text": action.title},
            "goal": [ref("Goal", action.goal_id)] if action.goal_id else [],
            "status": ACTION_STATUS[ActionStatus(action.status)],
            "scheduledPeriod": {"end": day(action.due_on)},
            "performer": [practitioner_ref(action.owner)],
            "description": action.title,
        },
    }


def to_fhir_goal(goal: Goal, *, client_id: int) -> dict[str, Any]:
    """One goal of a plan; `client_id` is the plan's episode's client (the Goal's subject)."""
    lifecycle, achievement = GOAL_STATUS[GoalStatus(goal.status)]
    achievement_concept: dict[str, Any] | None = None
    if achievement is not None:
        achievement_concept = concept(ACHIEVEMENT_SYSTEM, achievement, achievement.replace("-", " ").capitalize())
    elif goal.status == GoalStatus.PARTLY_ACHIEVED:
        achievement_concept = choice_concept("goal-status", GoalStatus, goal.status)
    resource: dict[str, Any] = {
        "resourceType": "Goal",
        "id": str(goal.pk),
        "meta": meta(updated=goal.updated_at),
        "lifecycleStatus": lifecycle,
        "achievementStatus": achievement_concept,
        "category": [choice_concept("goal-domain", GoalDomain, goal.domain)],
        "description": {"text": goal.description},
        "subject": ref("Patient", client_id),
        "target": [{"dueDate": day(goal.target_on)}] if goal.target_on else [],
        "note": [{"authorReference": ref("Patient", client_id), "text": goal.client_wording}]
        if goal.client_wording
        else [],
    }
    return prune(resource)
