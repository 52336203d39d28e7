from typing import Any

from django.conf import settings
from django.http import HttpRequest

from tukipolku.core.permissions import can_administer, can_work_with_clients


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "nav_can_work": can_work_with_clients(user),
        "nav_can_admin": can_administer(user),
        "show_demo_hint": settings.DEBUG,
    }
