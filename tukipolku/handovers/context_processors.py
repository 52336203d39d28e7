from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tukipolku.access.policy import can_use_handovers


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Whether the navigation shows "Escorted handovers" (no query: profession and team role only)."""
    user = getattr(request, "user", None)
    return {"nav_handovers": user is not None and can_use_handovers(user)}
