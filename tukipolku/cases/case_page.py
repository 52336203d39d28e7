"""The case page's content, shared by the views that render it (also after a failed form)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from tukipolku.access.policy import can_change_episode, can_record_follow_up, can_see_protected_address, episode_access
from tukipolku.audit.choices import EventType
from tukipolku.audit.selectors import event_list_for_episode
from tukipolku.cases import registry, selectors, services
from tukipolku.cases.forms import ReopenForm, StepCompleteForm, StepReturnForm, StepSkipForm
from tukipolku.cases.models import Episode
from tukipolku.cases.presentation import choice_label, describe_event, done_by_handover_text
from tukipolku.cases.steps import draft_for
from tukipolku.privacy.choices import DataCategory


def case_page_context(request: HttpRequest, episode: Episode, **forms: Any) -> dict[str, Any]:
    """Everything the case page shows. Sections of other modules come from the registry."""
    detail = selectors.episode_detail(actor=request.user, episode=episode)
    access = episode_access(actor=request.user, episode=episode)
    assert access is not None  # the view fetched the episode through the gate
    can_change = can_change_episode(actor=request.user, episode=episode)
    step = episode.current_step
    check = registry.completion_checks.get(step.completion_check) if step else None
    needs = registry.step_needs(step.completion_check, episode) if (step and check and can_change) else []
    check_ok = all(n.done for n in needs) if needs else None
    earlier = [s for s in detail.steps if step is not None and s.order < step.order]
    following = next((s for s in detail.steps if step is not None and s.order > step.order), None)
    sections = []
    for name, section in sorted(registry.case_sections.items(), key=lambda kv: kv[1].order):
        if not access.reads(section.category):
            continue
        sections.append(
            {
                "name": name,
                "template": section.template,
                "context": section.context(request.user, episode),
                "need_box_template": section.need_box_template,
            }
        )
    # The history names every register and consent: partner staff see the sections they may read only.
    events = [] if access.partner else list(event_list_for_episode(episode_id=episode.pk)[:200])
    done_by = {  # step records an escorted handover did, from their events
        e.target_id: done_by_handover_text(e.payload["done_by_handover"])
        for e in events
        if e.verb == EventType.STEP_COMPLETED and (e.payload or {}).get("done_by_handover")
    }
    # A correction of the pathway or the starting step: while the team has not moved along it itself (the
    # events the page shows anyway tell; a long history means it has).
    moved = len(events) >= 200 or any(
        e.verb in services.TEAM_STEP_MOVES and not (e.payload or {}).get("done_by_handover") for e in events
    )
    by_step: dict[int, list[Any]] = {}
    for record in detail.records:
        record.done_by = done_by.get(record.pk, "")  # type: ignore[attr-defined]  # shown beside the output
        by_step.setdefault(record.step_id, []).append(record)
    timeline = [(s, by_step.get(s.pk, [])) for s in detail.steps]
    step_id = step.pk if step else None
    context = {
        "episode": episode,
        "client": episode.client,
        "detail": detail,
        "timeline": timeline,
        "can_change": can_change,
        "may_see_address": can_see_protected_address(actor=request.user, episode=episode),
        "can_record_follow_up": not episode.is_open and can_record_follow_up(actor=request.user, episode=episode),
        "can_correct": can_change and episode.is_open and not access.partner and not moved,
        "today": timezone.localdate(),
        "access": access,
        "shared": access.reads(DataCategory.SHARED_PLAN),
        "access_categories": [(choice_label(DataCategory, c.category), c.basis) for c in access.categories.values()],
        "step": step,
        "step_overdue": episode.current_step_due is not None and episode.current_step_due < timezone.localdate(),
        "is_last_step": step is not None and step.order == len(detail.steps),
        "check": check,
        "check_ok": check_ok,
        "check_failure": check.failure_message() if check is not None and check_ok is False else "",
        "needs": needs,
        "next_step": following,
        "sections": sections,
        "need_box_parts": [s for s in sections if s["need_box_template"]],
        "history": [(e, describe_event(e)) for e in events],
        "complete_form": StepCompleteForm(
            initial={"step_id": step_id, "output": draft_for(request, episode)}, prefix="complete"
        ),
        "skip_form": StepSkipForm(initial={"step_id": step_id}, prefix="skip"),
        "return_form": StepReturnForm(initial={"step_id": step_id}, earlier_steps=earlier, prefix="return"),
        "reopen_form": ReopenForm(),
        "open_panel": "",
    }
    context.update(forms)
    return context
