"""Rate limits of the REST API (a separate module: DRF's settings import it)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from tukipolku.api.auth import system_client_of


class SystemClientThrottle(SimpleRateThrottle):
    """Rate limit per system client (`SystemClient.requests_per_minute`) and per signed-in user
    (`TUKIPOLKU_API_SESSION_RATE`). Counted in the default cache, shared by every web process."""

    scope = "api"

    def __init__(self) -> None:  # the rate is read per request
        self.history: list[float] = []

    def allow_request(self, request: Request, view: Any) -> bool:
        client = system_client_of(request)
        if client is not None:
            self.rate = f"{client.requests_per_minute}/min"
        else:
            self.rate = settings.TUKIPOLKU_API_SESSION_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        client = system_client_of(request)
        if client is not None:
            return f"throttle_api_client_{client.pk}"
        if request.user and request.user.is_authenticated:
            return f"throttle_api_user_{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
