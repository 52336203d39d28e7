"""What the coordination resources of the REST API share (meetings, referrals, handovers, entries,
notifications of need): the pages' capability checks, the episode fetched through the gate, paging.

The API answers what the page answers (docs/access-policy.md, the `api` rows):

* **Capability first**, like `core.views.ProfessionalView`: team professionals use every endpoint;
  partner staff only those whose page they may read (`partners=True`), and never a change; everyone
  else 403, the refusal logged (`access.log.refuse`).
* **A system client** (OAuth token, `api.auth.reader_of` gives its `SystemReader`) passes the
  capability check of the endpoints under a client relationship and is then answered by the policy's
  system branch like partner staff: it reads what the client's consents open to its organisation for
  its purposes, 404 otherwise. It never changes anything here (403, logged), and the flows that run
  from person to team before a relationship exists (notifications of need, handovers) are not for
  systems at all (403, logged).
* **The episode** comes through `access.log.episode_get_for`, which writes the access-log row (and a
  partner's or system's disclosure row) with the API's own view code (`api:...`, labelled in
  `oversight/labels.py`); another client's object under an allowed episode is 404 and logged against
  its own client (`refuse_other_object`).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.pagination import CursorPagination

from tukipolku.access.log import episode_get_for, refuse
from tukipolku.access.readers import AnyReader, SystemReader
from tukipolku.api.auth import reader_of
from tukipolku.cases.models import Episode
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.core.permissions import can_work_with_clients, is_partner
from tukipolku.privacy.choices import DataCategory


def reader(request: HttpRequest) -> AnyReader:
    """Who reads: the system client's reader for a token, the signed-in user for a session."""
    return reader_of(request)


def is_system(request: HttpRequest) -> bool:
    return isinstance(reader_of(request), SystemReader)


def require_reader(request: HttpRequest, *, resource: str, partners: bool, systems: bool = True) -> AnyReader:
    """The page's capability check (403, logged): team professionals; partner staff where `partners`;
    a system client where `systems` (the policy then decides per client)."""
    who = reader_of(request)
    if isinstance(who, SystemReader):
        if systems:
            return who
    elif can_work_with_clients(request.user) or (partners and is_partner(request.user)):
        return who
    refuse(request, resource=resource)


def require_writer(request: HttpRequest, *, resource: str) -> AnyReader:
    """A change: team professionals only (partner staff and system clients 403, logged); the policy then
    decides whether this professional may change this relationship."""
    who = reader_of(request)
    if not isinstance(who, SystemReader) and can_work_with_clients(request.user):
        return who
    refuse(request, resource=resource)


def episode_for(
    request: HttpRequest,
    *,
    episode_id: int,
    view: str,
    require: str | None = DataCategory.SHARED_PLAN,
    change: bool = False,
) -> Episode:
    """The episode through the gate, its read (or refusal) logged; a change needs an open episode."""
    return episode_get_for(
        actor=reader_of(request),
        episode_id=episode_id,
        view=view,
        require=require,
        for_change=change,
        open_only=change,
    )


class NewestFirst(CursorPagination):
    """Cursor paging (`?cursor=`, `?page_size=` up to 200) over a list ordered by `ordering`."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def __init__(self, ordering: Any = "-pk") -> None:
        self.ordering = ordering


class Conflict(APIException):
    """Someone changed the object after the caller read it (412 with `If-Match`, the service's check)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "stale"


def attempt_api(service: Any, /, **kwargs: Any) -> Any:
    """The API's one way to call a service, like `core.forms.attempt`: in a savepoint, so nothing of a
    refused call stays. A domain refusal becomes a 400 naming the field (translated), a conflict a 412."""
    try:
        with transaction.atomic():
            return service(**kwargs)
    except ConflictError as exc:
        raise Conflict(exc.message) from exc
    except ApplicationError as exc:
        raise ValidationError({exc.field or "non_field_errors": [exc.message]}) from exc
