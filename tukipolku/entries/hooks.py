"""How entries plug into the case page (the register entries section) and its history lines."""

from __future__ import annotations

from typing import Any

from tukipolku.access.actors import Actor
from tukipolku.access.choices import AccessGround
from tukipolku.access.policy import writable_registers
from tukipolku.audit.choices import EventType
from tukipolku.cases import registry
from tukipolku.cases.models import Episode
from tukipolku.cases.presentation import choice_label
from tukipolku.entries.choices import Register
from tukipolku.entries.forms import EntryForm
from tukipolku.entries.selectors import entry_list_for
from tukipolku.entries.services import default_register_for


def _section(actor: Actor, episode: Episode) -> dict[str, Any]:
    listing = entry_list_for(actor=actor, episode=episode, view="cases:detail")
    return {
        "entries": listing.entries,
        "notices": [
            (choice_label(Register, r), g.basis)
            for r, g in listing.grounds.items()
            if g.basis in (AccessGround.CONSENT, AccessGround.LEGAL_BASIS)
        ],
        "hidden": [choice_label(Register, r) for r in listing.hidden],
        "entry_form": EntryForm(
            initial={"register": default_register_for(user=actor)},
            registers=writable_registers(actor=actor, episode=episode),
        ),
    }


def register() -> None:
    registry.register_case_section(
        "entries",
        registry.CaseSection(order=30, template="entries/_case_section.html", context=_section, category=None),
    )
    registry.register_event_describer(EventType.ENTRY_WRITTEN, lambda p: choice_label(Register, p.get("register")))
