"""RFC 9457 problem details for every error the REST API answers (`application/problem+json`).

`exception_handler` is DRF's `EXCEPTION_HANDLER`: it turns DRF's exceptions, Django's 404 and 403
and the domain's `ApplicationError`/`ConflictError` into one body shape with a translated `title`
and `detail`. A 404 says nothing about whether the object exists or is out of reach (the refusal is
in the access log, never in the body)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tukipolku.core.exceptions import ApplicationError, ConflictError

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://tukipolku.example/problems/"
"""Problem types are identified by a URI; ours are names under this base (docs/api.md lists them)."""


class PreconditionFailed(exceptions.APIException):
    """`If-Match` names a version that is no longer current (412)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"

    def __init__(self) -> None:
        super().__init__(_("Somebody else changed this after you read it. Read it again and retry."))


class PreconditionRequired(exceptions.APIException):
    """A change without `If-Match` (428): the API does not overwrite blindly."""

    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_code = "precondition_required"

    def __init__(self) -> None:
        super().__init__(_("Send the If-Match header with the ETag of the version you read."))


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"


def _titles() -> dict[int, str]:
    return {
        400: _("The request is not valid"),
        401: _("Authentication is needed"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        409: _("Conflict"),
        412: _("The version is no longer current"),
        415: _("Unsupported media type"),
        422: _("The request cannot be processed"),
        428: _("A version is needed"),
        429: _("Too many requests"),
    }


def problem(
    *, status_code: int, detail: str, code: str, errors: Any = None, headers: dict[str, str] | None = None
) -> Response:
    """A problem-details response."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + code.replace("_", "-"),
        "title": _titles().get(status_code, _("Error")),
        "status": status_code,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)
    return response


@csrf_exempt  # it changes nothing; an unknown address answers 404 for every method
def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """An address under /api/v1/ that names no resource: 404 as problem details, not the HTML page."""
    body = {
        "type": TYPE_BASE + "not-found",
        "title": _titles()[404],
        "status": 404,
        "detail": _("Not found, or not available to you."),
    }
    return JsonResponse(body, status=404, content_type=PROBLEM_CONTENT_TYPE)


def _detail_text(detail: Any) -> str:
    if isinstance(detail, list) and detail:
        return str(detail[0])
    if isinstance(detail, dict):
        return _("Check the fields listed in errors.")
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, answering problem details."""
    if isinstance(exc, ConflictError):
        exc = Conflict(exc.message)
    elif isinstance(exc, ApplicationError):
        exc = exceptions.ValidationError({exc.field: [exc.message]} if exc.field else [exc.message])
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found, or not available to you."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("You may not do this."))
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    code = exc.get_codes() if isinstance(exc, exceptions.ValidationError) else exc.default_code
    headers = {k: v for k, v in response.headers.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        errors = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        return problem(
            status_code=response.status_code,
            detail=_detail_text(detail) if not isinstance(detail, dict) else _("Check the fields listed in errors."),
            code="invalid",
            errors=errors,
            headers=headers,
        )
    return problem(
        status_code=response.status_code,
        detail=_detail_text(exc.detail),
        code=str(code) if isinstance(code, str) else "error",
        headers=headers,
    )
