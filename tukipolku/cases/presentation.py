"""Turns domain events into sentences in the reader's language for the case page history."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent
from tukipolku.cases import registry
from tukipolku.cases.choices import FollowUpSituation, FollowUpStatus, IdentificationSource, Outcome
from tukipolku.clients.models import client_field_label
from tukipolku.core.dates import format_date


def name_in_language(value: Any) -> str:
    if isinstance(value, dict):
        lang = (get_language() or "fi")[:2]
        return str(value.get(lang) or value.get("fi") or "")
    return str(value or "")


def _step(payload: dict[str, Any], key: str = "step") -> str:
    step = payload.get(key) or {}
    return f"{step.get('order', '')}. {name_in_language(step.get('name'))}" if step else ""


def choice_label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def describe_event(event: AuditEvent) -> str:
    """One line of detail for a history row; the event type's label is shown beside it."""
    p = event.payload or {}
    verb = event.verb
    if verb == EventType.EPISODE_OPENED:
        return _("%(pathway)s, version %(version)s. Noticed in: %(source)s.") % {
            "pathway": name_in_language(p.get("pathway")),
            "version": p.get("version", ""),
            "source": choice_label(IdentificationSource, p.get("source")),
        }
    if verb == EventType.STEP_COMPLETED:
        text = _("%(step)s → %(next)s. Produced: %(output)s") % {
            "step": _step(p),
            "next": _step(p, "next_step"),
            "output": p.get("output", ""),
        }
        return f"{text} {done_by_handover_text(p['done_by_handover'])}" if p.get("done_by_handover") else text
    if verb in (EventType.STEP_SKIPPED, EventType.STEP_RETURNED):
        return _("%(step)s → %(next)s. Reason: %(reason)s") % {
            "step": _step(p),
            "next": _step(p, "next_step"),
            "reason": p.get("reason", ""),
        }
    if verb in (EventType.TEAM_MEMBER_ADDED, EventType.TEAM_MEMBER_REMOVED):
        return " – ".join(x for x in [p.get("member", ""), p.get("role", "")] if x)
    if verb in (EventType.CONTACT_PERSON_NAMED, EventType.OWN_WORKER_NAMED):
        if p.get("previous"):
            return _("%(person)s (previously %(previous)s)") % {"person": p.get("person"), "previous": p["previous"]}
        return str(p.get("person", ""))
    if verb == EventType.EPISODE_CLOSED:
        detail = f" – {p['detail']}" if p.get("detail") else ""
        return f"{choice_label(Outcome, p.get('outcome'))}{detail}"
    if verb == EventType.EPISODE_REOPENED:
        return _("At step %(step)s. Reason: %(reason)s") % {"step": _step(p), "reason": p.get("reason", "")}
    if verb == EventType.FOLLOW_UP_RECORDED:
        return _describe_follow_up(p)
    if verb == EventType.PATHWAY_CORRECTED:
        return _("%(old)s → %(new)s. Reason: %(reason)s") % {
            "old": _pathway_step(p.get("old") or {}),
            "new": _pathway_step(p.get("new") or {}),
            "reason": p.get("reason", ""),
        }
    if verb == EventType.CLIENT_DETAILS_CHANGED:
        return ", ".join(client_field_label(name) for name in p.get("fields", []))
    describer = registry.event_describers.get(verb)
    return describer(p) if describer is not None else ""


def _pathway_step(part: dict[str, Any]) -> str:
    """ "Pathway name, step 6. Contact made" from a correction event's old or new side."""
    name = name_in_language(part.get("pathway"))
    return f"{name}, {_step(part)}" if part.get("step") else name


def done_by_handover_text(done: dict[str, Any]) -> str:
    """ "Done by the handover from <organisation> on <date>" for a step the sending side did."""
    return _("Done by the escorted handover from %(organisation)s on %(date)s.") % {
        "organisation": done.get("organisation", ""),
        "date": format_date(done.get("on")),
    }


def _describe_follow_up(p: dict[str, Any]) -> str:
    if p.get("status") == FollowUpStatus.CANCELLED:
        return _("Follow-up due %(due)s cancelled. Reason: %(reason)s") % {
            "due": format_date(p.get("due_on")),
            "reason": p.get("reason", ""),
        }
    text = _("Follow-up due %(due)s: %(situation)s (checked %(on)s)") % {
        "due": format_date(p.get("due_on")),
        "situation": choice_label(FollowUpSituation, p.get("situation")),
        "on": format_date(p.get("situation_on")),
    }
    return f"{text} – {p['note']}" if p.get("note") else text
