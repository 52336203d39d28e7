import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class NoStoreMiddleware:
    """Pages of logged-in users hold client data: browsers and proxies must not cache them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response.setdefault("Cache-Control", "no-store")
        return response


class SessionRefreshMiddleware:
    """Keeps the idle timeout sliding without writing the session on every request.

    `SESSION_COOKIE_AGE` is the idle timeout. Saving the session on each request (Django's
    `SESSION_SAVE_EVERY_REQUEST`) costs a database write and commit per page; refreshing at most once
    a minute keeps the timeout within a minute of exact.
    """

    KEY = "_refreshed_at"
    INTERVAL_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - int(session.get(self.KEY, 0)) >= self.INTERVAL_SECONDS:
                session[self.KEY] = now  # marks the session modified: saved with a fresh expiry
        return response
