from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tukipolku.core.permissions import can_work_with_clients
from tukipolku.intake.selectors import need_waiting_count_for


def intake_queue(request: HttpRequest) -> dict[str, Any]:
    """How many notifications of need wait in the user's teams, for the navigation. A callable that
    remembers its answer: the count runs only when a page draws the menu, once."""
    user = getattr(request, "user", None)
    if user is None or not can_work_with_clients(user):
        return {}
    found: list[int] = []

    def waiting() -> int:
        if not found:
            found.append(need_waiting_count_for(actor=user))
        return found[0]

    return {"nav_intake_waiting": waiting}
