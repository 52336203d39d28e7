"""How plans plug into cases: completion checks, the next-action source and the case page section."""

from __future__ import annotations

from typing import Any

from django.db.models import F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.translation import gettext as _

from tukipolku.access.actors import Actor
from tukipolku.audit.choices import EventType
from tukipolku.cases import registry
from tukipolku.cases.models import Episode
from tukipolku.cases.presentation import choice_label
from tukipolku.pathways.choices import CompletionCheck as CheckCode
from tukipolku.plans.choices import ActionStatus, AgreementMethod
from tukipolku.plans.models import Action, Goal, PlanVersion
from tukipolku.plans.selectors import plan_view_for


def _has_goal(episode: Episode) -> bool:
    return Goal.objects.filter(plan__episode=episode).exists()


def _current_agreed(episode: Episode) -> bool:
    plan = getattr(episode, "plan", None)
    if plan is None:
        return False
    return PlanVersion.objects.filter(plan=plan, number=plan.revision, agreed_on__isnull=False).exists()


def _earliest_due() -> Subquery:
    return Subquery(
        Action.objects.filter(plan__episode=OuterRef("pk"), status=ActionStatus.OPEN)
        .order_by("due_on")
        .values("due_on")[:1]
    )


def _earliest_items(episode_ids: list[int]) -> dict[int, registry.NextItem]:
    """The earliest open action of each episode: one row per episode, plain values, one query."""
    rows = (
        Action.objects.filter(plan__episode_id__in=episode_ids, status=ActionStatus.OPEN)
        .annotate(
            episode_id=F("plan__episode_id"),
            rank=Window(RowNumber(), partition_by=[F("plan__episode_id")], order_by=[F("due_on").asc(), F("id").asc()]),
        )
        .filter(rank=1)
        .values("episode_id", "due_on", "title", "owner__first_name", "owner__last_name", "owner__username")
    )
    return {
        r["episode_id"]: registry.NextItem(
            episode_id=r["episode_id"],
            due_on=r["due_on"],
            title=r["title"],
            owner_name=f"{r['owner__first_name']} {r['owner__last_name']}".strip() or r["owner__username"],
        )
        for r in rows
    }


def _section(actor: Actor, episode: Episode) -> dict[str, Any]:
    return {"plan_view": plan_view_for(episode=episode)}


def _describe_updated(p: dict[str, Any]) -> str:
    if p.get("added_action"):
        return _("Version %(revision)s. Action added: %(action)s") % {
            "revision": p.get("revision"),
            "action": p["added_action"],
        }
    return _("Version %(revision)s: %(goals)s goals, %(actions)s actions.") % {
        "revision": p.get("revision"),
        "goals": p.get("goals", 0),
        "actions": p.get("actions", 0),
    }


def register() -> None:
    registry.register_completion_check(
        CheckCode.PLAN,
        registry.CompletionCheck(
            passes=_has_goal,
            failure_message=lambda: _("Write at least one goal in the service plan first."),
            todo=lambda: _("Write a goal in the service plan"),
            url=lambda episode: reverse("plans:edit", args=[episode.pk]),
        ),
    )
    registry.register_completion_check(
        CheckCode.PLAN_AGREED,
        registry.CompletionCheck(
            passes=_current_agreed,
            failure_message=lambda: _("Record the client's agreement to the current plan first."),
            todo=lambda: _("Record the client's agreement on the service plan page"),
            url=lambda episode: reverse("plans:edit", args=[episode.pk]),
            builds_on=(CheckCode.PLAN,),
        ),
    )
    registry.register_next_action_source(
        "plan_actions", registry.NextActionSource(earliest_due=_earliest_due, earliest_items=_earliest_items)
    )
    registry.register_case_section(
        "plan", registry.CaseSection(order=10, template="plans/_case_section.html", context=_section)
    )
    registry.register_event_describer(EventType.PLAN_UPDATED, _describe_updated)
    registry.register_event_describer(
        EventType.PLAN_AGREED,
        lambda p: (
            _("Version %(revision)s, %(method)s.")
            % {"revision": p.get("revision"), "method": choice_label(AgreementMethod, p.get("method"))}
        ),
    )
    registry.register_event_describer(
        EventType.ACTION_STATUS_CHANGED,
        lambda p: f"{p.get('action', '')}: {choice_label(ActionStatus, p.get('status'))}",
    )
