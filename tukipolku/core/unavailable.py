"""When the database cannot be reached: 503 with `Retry-After` and a translated page, never a 500.

While PostgreSQL restarts (or fails over), any database call of a request can fail: the session
middleware loading the session, the gate, the view, the access-log write after it. Django turns such
an exception into its 500 handler; `DatabaseUnavailableMiddleware` (first in `MIDDLEWARE`) and
`server_error` (`handler500`) answer 503 instead, with the page `templates/503.html` rendered without
the database. Nothing is half-written: the view's changes and their audit events are one transaction
(`core.middleware.AtomicWritesMiddleware`, ADR 20), rolled back when the connection is lost. (A
change committed just before the session or the access log could be written is whole, but answered
503: the page asks the user to check before saving again.)
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils import translation

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
"""What `Retry-After` tells browsers and proxies: a restart or a fail-over takes seconds."""


def is_database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` says the database cannot be reached now (connection refused, closed, shutting down,
    starting up, terminated by the administrator), as Django's wrappers of the driver's errors say it."""
    return isinstance(exc, OperationalError | InterfaceError)


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 page in the user's language, rendered without the database (no context processors,
    no session, no user: the language comes from the cookie or the browser)."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        content = loader.render_to_string("503.html", {"LANGUAGE_CODE": language})
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """`handler500`: a database that cannot be reached is a 503, anything else Django's plain 500 page."""
    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable_response(request)
    return HttpResponseServerError(loader.get_template("500.html").render())


class DatabaseUnavailableMiddleware:
    """First in `MIDDLEWARE`: a view that loses the database answers 503 (`process_exception`, after its
    transaction has rolled back), and so does an error that reaches this outermost layer. Errors raised
    in the middleware between (the session, the user) reach `server_error`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except (OperationalError, InterfaceError):
            logger.warning("Database unavailable: %s answered 503", request.path)
            return database_unavailable_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        logger.warning("Database unavailable: %s answered 503", request.path)
        return database_unavailable_response(request)
