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

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers
from rest_framework.views import APIView

from tukipolku.access.log import episode_get_for, refuse
from tukipolku.access.readers import AnyReader, SystemReader
from tukipolku.api.auth import reader_of
from tukipolku.api.pagination import CursorPage
from tukipolku.api.problems import PreconditionFailed
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


class CoordinationApi(APIView):
    """The base of these endpoints: the API's authentication, scopes, throttling and problem details
    (DRF settings), the scopes per method (`scopes`: reads `api.read`, changes `api.write`), and
    signing in left to DRF (401), so the site's `LoginRequiredMiddleware` lets them through."""

    scopes: dict[str, tuple[str, ...]] = {"GET": ("api.read",), "HEAD": ("api.read",), "OPTIONS": ("api.read",)}

    @property
    def required_scopes(self) -> tuple[str, ...]:
        """What `api.permissions.HasScope` asks of a token for this request's method."""
        return self.scopes.get(self.request.method or "GET", ("api.write",))

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        return login_not_required(super().as_view(**initkwargs))


class NewestFirst(CursorPage):
    """The API's cursor paging (`?cursor=`, `?page_size=` up to 200) over a list ordered by `ordering`."""

    def __init__(self, ordering: Any = "-pk") -> None:
        self.ordering = ordering


def attempt_api(service: Any, /, *, fields: dict[str, str] | None = None, **kwargs: Any) -> Any:
    """The API's one way to call a service, like `core.forms.attempt`: in a savepoint, so nothing of a
    refused call stays. A domain refusal goes on to the API's problem details (400 naming the field,
    translated; `fields` renames a page's form field to the API's); someone else's change meanwhile
    is the version check failing (412)."""
    try:
        with transaction.atomic():
            return service(**kwargs)
    except ConflictError as exc:
        raise PreconditionFailed from exc
    except ApplicationError as exc:
        if fields and exc.field in fields:
            raise ApplicationError(exc.message, field=fields[exc.field]) from exc
        raise


PAGE_PARAMETERS = [
    OpenApiParameter("cursor", str, required=False, description="The `next` or `previous` link's cursor."),
    OpenApiParameter("page_size", int, required=False, description="Rows per page, at most 200 (default 50)."),
]


def page_of(serializer: type[serializers.Serializer[Any]]) -> serializers.Serializer[Any]:
    """The OpenAPI shape of one cursor page of `serializer` rows (`next`, `previous`, `results`)."""
    return inline_serializer(
        name=f"{serializer.__name__.removesuffix('Out')}Page",
        fields={
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer(many=True),
        },
    )
