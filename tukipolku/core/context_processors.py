from typing import Any

from django.conf import settings
from django.http import HttpRequest

from tukipolku.core.permissions import can_administer, can_review_access, can_work_with_clients, is_partner


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    can_work = can_work_with_clients(user)
    return {
        "nav_can_work": can_work,
        "nav_can_admin": can_administer(user),
        "nav_is_partner": is_partner(user),
        # The data protection officer's pages. A callable, so the permission query runs only when a
        # page draws the menu, and never for team professionals and partners (their home is elsewhere).
        "nav_can_review": lambda: not can_work and not is_partner(user) and can_review_access(user),
        "show_demo_hint": settings.DEBUG,
    }
