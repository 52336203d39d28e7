"""How escorted handovers plug into the case page, its history and the sweep (registered in `ready()`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tukipolku.access.actors import Actor
from tukipolku.audit.choices import EventType
from tukipolku.cases import registry
from tukipolku.cases.models import Episode
from tukipolku.cases.presentation import choice_label
from tukipolku.core.dates import format_date
from tukipolku.handovers.choices import HandoverReason
from tukipolku.handovers.selectors import handover_for_episode
from tukipolku.handovers.services import handovers_escalate
from tukipolku.sweep.registry import register_sweep_step


def _section(actor: Actor, episode: Episode) -> dict[str, Any]:
    return {"handovers": handover_for_episode(episode_id=episode.pk)}


def _opened(p: dict[str, Any]) -> str:
    return _("From %(organisation)s to %(team)s: %(reason)s") % {
        "organisation": p.get("organisation", ""),
        "team": p.get("team", ""),
        "reason": choice_label(HandoverReason, p.get("reason")),
    }


_PARTS = {"preparation": lambda: _("Preparatory meeting"), "transfer": lambda: _("Transfer meeting")}


def _updated(p: dict[str, Any]) -> str:
    part = _PARTS.get(str(p.get("part")))
    return str(part()) if part else ""


def _accepted(p: dict[str, Any]) -> str:
    text = _("From %(organisation)s (%(sender)s), opened on %(opened)s. Receiving nurse: %(nurse)s.") % {
        "organisation": p.get("organisation", ""),
        "sender": p.get("sender", ""),
        "opened": format_date(p.get("opened_on")),
        "nurse": p.get("receiving_nurse", ""),
    }
    if p.get("escalated"):
        text += " " + _("It had been escalated to the team manager.")
    return text


def _escalated(p: dict[str, Any]) -> str:
    return _("Not accepted in %(days)s days.") % {"days": p.get("days", "")}


def register() -> None:
    registry.register_case_section(
        "handovers", registry.CaseSection(order=5, template="handovers/_case_section.html", context=_section)
    )
    registry.register_event_describer(EventType.HANDOVER_OPENED, _opened)
    registry.register_event_describer(EventType.HANDOVER_UPDATED, _updated)
    registry.register_event_describer(EventType.HANDOVER_ACCEPTED, _accepted)
    registry.register_event_describer(EventType.HANDOVER_ESCALATED, _escalated)
    register_sweep_step("handovers", lambda today: handovers_escalate(today=today))
