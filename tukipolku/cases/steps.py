"""Finishing the current step on the page that records what it needs ("save and mark the step done").

A page of another module that records what the current step's completion check asks for (the service
plan's goal, the client's agreement, a held meeting) offers a second button that saves and marks the
step done in the same press. From there the user always went back to the case page to type what the
step produced and press its button: three actions without a decision in them. The step is marked done
through `services.episode_step_complete` as always (its check, the expected step against a concurrent
move, the event); the output says what was recorded. When the check or a concurrent move refuses,
what was saved stays saved and the page says why the step is not yet done.

The output typed for a step whose check refused is kept for the rest of the session (`keep_draft`):
the user leaves to do what the step still needs and finds it typed when they come back.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tukipolku.access.actors import Actor
from tukipolku.access.policy import can_change_episode
from tukipolku.cases import services
from tukipolku.cases.models import Episode
from tukipolku.core.exceptions import ApplicationError
from tukipolku.pathways.models import PathwayStep


def step_label(episode: Episode) -> str:
    """ "4. Agreeing the assessment": the current step as the messages name it."""
    step = episode.current_step
    return f"{step.order}. {step.localized('name')}" if step is not None else ""


DRAFTS_SESSION_KEY = "step_drafts"
DRAFTS_KEPT = 20


def keep_draft(request: HttpRequest, *, episode: Episode, step_id: int, output: str) -> None:
    """Remember what was typed for step `step_id` when the step refused it (its check failed)."""
    drafts = {k: v for k, v in request.session.get(DRAFTS_SESSION_KEY, {}).items() if k != str(episode.pk)}
    drafts[str(episode.pk)] = {"step": step_id, "output": output}
    request.session[DRAFTS_SESSION_KEY] = dict(list(drafts.items())[-DRAFTS_KEPT:])


def draft_for(request: HttpRequest, episode: Episode) -> str:
    """The output kept for the episode's current step, or ""."""
    draft = request.session.get(DRAFTS_SESSION_KEY, {}).get(str(episode.pk))
    return str(draft["output"]) if draft and draft.get("step") == episode.current_step_id else ""


def forget_draft(request: HttpRequest, episode: Episode) -> None:
    drafts = request.session.get(DRAFTS_SESSION_KEY, {})
    if str(episode.pk) in drafts:
        request.session[DRAFTS_SESSION_KEY] = {k: v for k, v in drafts.items() if k != str(episode.pk)}


def step_to_finish(*, actor: Actor, episode: Episode, checks: Iterable[str]) -> PathwayStep | None:
    """The current step when its completion check is one of `checks`, the actor may change the episode
    and another step follows (the last one is finished by closing the relationship); else None."""
    step = episode.current_step
    if step is None or step.completion_check not in set(checks) or not can_change_episode(actor=actor, episode=episode):
        return None
    if not PathwayStep.objects.filter(version_id=step.version_id, order__gt=step.order).exists():
        return None
    return step


def finish_step(request: HttpRequest, *, episode: Episode, step_id: int, output: str) -> bool:
    """Mark step `step_id` done with `output` and say so. False, with the reason as a message, when
    the step's check refuses or the episode has moved to another step meanwhile."""
    try:
        with transaction.atomic():
            moved = services.episode_step_complete(
                actor=request.user, episode=episode, expected_step_id=step_id, output=output
            )
    except ApplicationError as exc:
        messages.warning(request, _("Saved, but the step is not marked done: %(reason)s") % {"reason": exc.message})
        return False
    forget_draft(request, episode)
    messages.success(request, _("Step marked done. Now: %(step)s.") % {"step": step_label(moved)})
    return True
