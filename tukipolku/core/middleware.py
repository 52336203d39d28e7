import time
from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _

LOGIN_AT_KEY = "_login_at"
"""Session key: when the user logged in (Unix seconds), for the absolute session lifetime."""


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that also works for htmx requests (a full-page HX-Redirect, not a swapped fragment)."""
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class AtomicWritesMiddleware:
    """A request that may write (POST, PUT, PATCH, DELETE) is one transaction; a read is none.

    Replaces `ATOMIC_REQUESTS` (ADR 20): a page that only reads runs in autocommit, so no transaction
    (and no connection "idle in transaction") is held while Python renders it. A write request keeps
    what `ATOMIC_REQUESTS` gave it and more: everything it wrote is rolled back when its view raises
    (`process_exception`: this middleware is last, so it hears the exception first) or when it answers
    an error status (4xx, 5xx), so a failed write leaves nothing behind. Services still open their own
    transactions (a job or command calls them without a request); `core.forms.attempt` adds the
    savepoint that shows a refusal next to the field. The access-log rows are written after this
    transaction has ended, in their own (`audit.AccessLogMiddleware`, earlier in `MIDDLEWARE`), so a
    refused or failed write is still logged.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in SAFE_METHODS:
            return self.get_response(request)
        block = transaction.atomic()
        block.__enter__()
        request._write_transaction = block  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        except BaseException as exc:  # not expected: the handler turns exceptions into responses
            self._end(request, rollback=True, exc=exc)
            raise
        self._end(request, rollback=response.status_code >= 400)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """The view raised: roll back now, before the error page is rendered (it may read the database,
        which a failed statement would have left unusable), as `ATOMIC_REQUESTS` did."""
        self._end(request, rollback=True, exc=exception)

    @staticmethod
    def _end(request: HttpRequest, *, rollback: bool, exc: BaseException | None = None) -> None:
        block = getattr(request, "_write_transaction", None)
        if block is None:
            return
        request._write_transaction = None  # type: ignore[attr-defined]
        if rollback:
            transaction.set_rollback(True)
        if exc is None:
            block.__exit__(None, None, None)
        else:
            block.__exit__(type(exc), exc, exc.__traceback__)


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
    """Keeps the idle timeout sliding without writing the session on every request, and ends a
    session at its absolute lifetime however active it is.

    `SESSION_COOKIE_AGE` is the idle timeout. Saving the session on each request (Django's
    `SESSION_SAVE_EVERY_REQUEST`) costs a database write and commit per page; refreshing at most once
    a minute keeps the timeout within a minute of exact. `TUKIPOLKU_SESSION_ABSOLUTE_SECONDS` after
    the login (`LOGIN_AT_KEY`, set by `tukipolku.core.signals`) the user is logged out.
    """

    KEY = "_refreshed_at"
    INTERVAL_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        expired = self._end_if_too_old(request)
        if expired is not None:
            return expired
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - int(session.get(self.KEY, 0)) >= self.INTERVAL_SECONDS:
                session[self.KEY] = now  # marks the session modified: saved with a fresh expiry
        return response

    def _end_if_too_old(self, request: HttpRequest) -> HttpResponse | None:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated:
            return None
        now = int(time.time())
        login_at = session.get(LOGIN_AT_KEY)
        if login_at is None:
            session[LOGIN_AT_KEY] = now  # a session from before the limit existed counts from now
            return None
        if now - int(login_at) < settings.TUKIPOLKU_SESSION_ABSOLUTE_SECONDS:
            return None
        logout(request)
        messages.info(request, _("Your session has ended because it was open for too long. Please log in again."))
        if getattr(request, "htmx", False):
            return _redirect(request, resolve_url(settings.LOGIN_URL))
        return redirect_to_login(request.get_full_path())


class RequireMFAMiddleware:
    """With `TUKIPOLKU_REQUIRE_MFA` on, a logged-in user without an authenticator app (TOTP) can only
    activate one: every other page redirects to the activation page.

    Allowed meanwhile: the activation page and the password check allauth may ask before it, log out,
    the language switch and static files (served before Django in production).
    """

    ALLOWED_URL_NAMES = frozenset(
        {
            "mfa_activate_totp",
            "account_reauthenticate",
            "account_logout",
            "logout",
            "set_language",
            "openid_connect_login",
            "openid_connect_callback",
        }
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        if not settings.TUKIPOLKU_REQUIRE_MFA:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        if (match is not None and match.url_name in self.ALLOWED_URL_NAMES) or request.path_info.startswith(
            settings.STATIC_URL
        ):
            return None
        if Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists():
            return None
        if request.method == "GET" and not getattr(request, "htmx", False):
            messages.info(
                request,
                _("Two-factor authentication is required. Activate an authenticator app to continue."),
            )
        return _redirect(request, reverse("mfa_activate_totp"))
