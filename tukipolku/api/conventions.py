"""What every resource of the REST API shares (docs/api.md, "Conventions"): the base viewset,
cursor pagination, throttling per system client, `ETag`/`If-Match` and `Idempotency-Key`.

A resource subclasses `ApiViewSet` (or uses its mixins), names its `required_scopes` and reads
through `tukipolku.access` with `reader_of(request)`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from tukipolku.api.models import IdempotentRequest
from tukipolku.api.pagination import CursorPage
from tukipolku.api.problems import Conflict, PreconditionFailed, PreconditionRequired, Unprocessable

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX = 255
IDEMPOTENCY_HOURS = 24
"""How long the answer to an idempotent create is kept (and the key cannot be reused)."""


# ---------------------------------------------------------------- ETag and If-Match


def etag_for(version: object) -> str:
    """A strong ETag of a version stamp (a revision number, an update time)."""
    return '"' + hashlib.sha256(str(version).encode()).hexdigest()[:20] + '"'


def require_if_match(request: Request, *, current: str) -> None:
    """A change must name the version it was made on: 428 without `If-Match`, 412 when stale."""
    sent = request.headers.get("If-Match")
    if not sent:
        raise PreconditionRequired
    tags = {t.strip().removeprefix("W/") for t in sent.split(",")}
    if "*" not in tags and current not in tags:
        raise PreconditionFailed


def with_etag(response: Response, etag: str) -> Response:
    response["ETag"] = etag
    return response


# ---------------------------------------------------------------- Idempotency-Key


def _fingerprint(request: Request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, default=str)
    except (TypeError, ValueError):
        body = ""
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(stored: IdempotentRequest, fingerprint: str) -> Response:
    if stored.fingerprint != fingerprint:
        raise Unprocessable(_("This Idempotency-Key was used for another request."))
    if stored.status == 0:
        raise Conflict(_("A request with this Idempotency-Key is still being processed."))
    headers = {"Idempotent-Replayed": "true"}
    if stored.location:
        headers["Location"] = stored.location
    return Response(stored.body, status=stored.status, headers=headers)


def idempotent(request: Request, create: Callable[[], Response]) -> Response:
    """Run a create once per `Idempotency-Key` and account: a repeat of the same request answers the
    stored response (`Idempotent-Replayed: true`); the same key with another body is 422; a key
    still being processed by a parallel request is 409. Without the header the create just runs.

    The key is claimed (a row with status 0) in the request's transaction before the create runs: a
    parallel request with the same key waits on the unique index (PostgreSQL) and then replays the
    committed answer, so two requests never both create; a refused or failed create frees the key."""
    key = request.headers.get(IDEMPOTENCY_HEADER, "")
    if not key:
        return create()
    if len(key) > IDEMPOTENCY_KEY_MAX or not key.isprintable():
        raise Unprocessable(_("The Idempotency-Key header must be at most 255 printable characters."))
    account = request.user
    fingerprint = _fingerprint(request)
    since = timezone.now() - timedelta(hours=IDEMPOTENCY_HOURS)
    IdempotentRequest.objects.filter(account=account, key=key, created_at__lt=since).delete()
    try:
        with transaction.atomic():
            claim = IdempotentRequest.objects.create(
                account=account, key=key, endpoint=request.path[:255], fingerprint=fingerprint, status=0
            )
    except IntegrityError:
        stored = IdempotentRequest.objects.filter(account=account, key=key).first()
        if stored is None:
            raise Conflict(_("A request with this Idempotency-Key is still being processed.")) from None
        return _replay(stored, fingerprint)
    response = create()  # an exception rolls the request's transaction back, the claim with it
    if not 200 <= response.status_code < 300:  # a refusal is not remembered: fix and retry
        claim.delete()
        return response
    claim.status = response.status_code
    claim.body = json.loads(JSONRenderer().render(response.data))  # dates and decimals as the client got them
    claim.location = str(response.get("Location", ""))[:255]
    claim.save(update_fields=["status", "body", "location"])
    return response


# ---------------------------------------------------------------- the base viewset


class ApiViewSet(viewsets.GenericViewSet):
    """The base of every REST resource. Signing in is DRF's job here (401 as problem details), so the
    site's `LoginRequiredMiddleware` lets these views through."""

    pagination_class = CursorPage
    required_scopes: tuple[str, ...] = ()

    @classmethod
    def as_view(cls, actions: dict[str, str] | None = None, **initkwargs: Any) -> Any:
        return login_not_required(super().as_view(actions, **initkwargs))
