from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tukipolku.handovers.permissions import can_use_handovers


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Whether the navigation shows "Escorted handovers" (no query: profession and team role only)."""
    return {"nav_handovers": can_use_handovers(getattr(request, "user", None))}
