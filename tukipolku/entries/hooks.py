from __future__ import annotations

from typing import Any

from tukipolku.audit.choices import EventType
from tukipolku.cases import registry
from tukipolku.cases.models import Episode
from tukipolku.cases.presentation import choice_label
from tukipolku.entries.choices import Register
from tukipolku.entries.forms import EntryForm
from tukipolku.entries.selectors import entry_list_for
from tukipolku.entries.services import default_register_for


def _section(actor: Any, episode: Episode) -> dict[str, Any]:
    return {
        "entries": list(entry_list_for(episode=episode)),
        "entry_form": EntryForm(initial={"register": default_register_for(actor)}),
    }


registry.register_case_section(
    "entries", registry.CaseSection(order=30, template="entries/_case_section.html", context=_section)
)
registry.register_event_describer(EventType.ENTRY_WRITTEN, lambda p: choice_label(Register, p.get("register")))
