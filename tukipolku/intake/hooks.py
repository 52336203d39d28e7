"""Where intake plugs into the case page (cases never imports intake): the section that shows where
the client came from, and the history lines of the notification events."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tukipolku.access.actors import Actor
from tukipolku.audit.choices import EventType
from tukipolku.cases import registry
from tukipolku.cases.choices import IdentificationSource, SpecialSituation
from tukipolku.cases.models import Episode
from tukipolku.cases.presentation import choice_label
from tukipolku.core.dates import format_date
from tukipolku.intake.selectors import need_list_for_episode


def _section(actor: Actor, episode: Episode) -> dict[str, Any]:
    needs = need_list_for_episode(episode=episode)
    return {
        "needs": [
            {
                "need": n,
                "situations": [choice_label(SpecialSituation, c) for c in n.situations],
            }
            for n in needs
        ]
    }


def _accepted(payload: dict[str, Any]) -> str:
    sent = payload.get("sent_on")
    try:
        sent_text = format_date(sent)
    except ValueError:
        sent_text = ""
    return _("Notification of need from %(source)s, sent %(date)s.") % {
        "source": choice_label(IdentificationSource, payload.get("source")),
        "date": sent_text,
    }


def register() -> None:
    registry.register_case_section(
        "intake",
        registry.CaseSection(
            order=5,
            template="intake/_case_section.html",
            context=_section,
            need_box_template="intake/_need_box.html",
        ),
    )
    registry.register_event_describer(EventType.NEED_ACCEPTED, _accepted)
