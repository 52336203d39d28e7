"""FHIR errors as OperationOutcome (the contract of issue 13: REST answers problem details, FHIR
answers OperationOutcome), translated, never with a trace of a hidden client.

`FhirError` is raised by the views and selectors with an HTTP status, an issue type and a message;
`exception_handler` turns it, and DRF's and Django's own exceptions (404, 403, 401, 405, 406, 415,
throttling, parse errors) into an OperationOutcome response.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from tukipolku.core.exceptions import ApplicationError, ConflictError


class FhirError(Exception):
    """An error the FHIR interface answers with an OperationOutcome."""

    def __init__(self, message: str, *, http_status: int = 400, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.code = code


def operation_outcome(message: str, *, code: str, severity: str = "error") -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": message, "details": {"text": message}}],
    }


def outcome_response(message: str, *, http_status: int, code: str, headers: dict[str, str] | None = None) -> Response:
    return Response(operation_outcome(message, code=code), status=http_status, headers=headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error of a FHIR view as an OperationOutcome."""
    if isinstance(exc, FhirError):
        return outcome_response(exc.message, http_status=exc.http_status, code=exc.code)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return outcome_response(_("The resource was not found."), http_status=404, code="not-found")
    if isinstance(exc, ConflictError):
        return outcome_response(str(exc.message), http_status=409, code="conflict")
    if isinstance(exc, ApplicationError):
        return outcome_response(str(exc.message), http_status=422, code="business-rule")
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return outcome_response(
            _("Sign in or send a valid access token."),
            http_status=status.HTTP_401_UNAUTHORIZED,
            code="login",
            headers={"WWW-Authenticate": 'Bearer realm="fhir"'},
        )
    if isinstance(exc, PermissionDenied | exceptions.PermissionDenied):
        return outcome_response(_("You may not do this."), http_status=403, code="forbidden")
    if isinstance(exc, exceptions.MethodNotAllowed):
        return outcome_response(_("This operation is not supported here."), http_status=405, code="not-supported")
    if isinstance(exc, exceptions.NotAcceptable | exceptions.UnsupportedMediaType):
        return outcome_response(
            _("Send and accept application/fhir+json."), http_status=exc.status_code, code="not-supported"
        )
    if isinstance(exc, exceptions.Throttled):
        headers = {"Retry-After": str(int(exc.wait))} if exc.wait is not None else None
        return outcome_response(
            _("Too many requests: try again later."), http_status=429, code="throttled", headers=headers
        )
    if isinstance(exc, exceptions.ParseError):
        return outcome_response(_("The request body is not valid JSON."), http_status=400, code="structure")
    if isinstance(exc, exceptions.APIException):
        return outcome_response(str(exc.detail), http_status=exc.status_code, code="processing")
    return None


def stale() -> FhirError:
    """412: the version in If-Match (or the service's own lock) is not the current one."""
    return FhirError(
        _("The resource changed after you read it: read it again and apply your change to the current version."),
        http_status=412,
        code="conflict",
    )


def attempt_fhir(service: Any, /, **kwargs: Any) -> Any:
    """The FHIR views' one way to call a service, like `core.forms.attempt`: in a savepoint, so nothing
    of a refused call stays; someone else's change meanwhile is 412, any other refusal of the service
    goes on to `exception_handler` (422 with its translated message)."""
    try:
        with transaction.atomic():
            return service(**kwargs)
    except ConflictError:
        raise stale() from None
