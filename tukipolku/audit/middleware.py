import logging
import uuid
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from tukipolku.audit.services import scope_begin, scope_end
from tukipolku.core.unavailable import database_unavailable_response

logger = logging.getLogger(__name__)


class AccessLogMiddleware:
    """Gives each request an id and writes its access and disclosure rows after the view has run.

    The rows are written in their own transaction, so refused requests (whose view transaction rolls
    back) are logged too. If the log cannot be written, the response is withheld: nobody sees client
    data that was not logged.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        scope, token = scope_begin(request_id=request_id)
        try:
            response = self.get_response(request)
        finally:
            scope_end(token=token)
        try:
            scope.flush()
        except DatabaseError:
            logger.exception("Access log write failed for request %s; response withheld", request_id)
            response = database_unavailable_response(request)
        response["X-Request-ID"] = request_id
        return response
