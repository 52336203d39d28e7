"""The FHIR REST interface under `/fhir/` (docs/fhir.md, "Endpoints").

Authentication and scopes are the API's (`tukipolku.api`): a system client's bearer token with
`fhir.read` (reads, searches) or `fhir.write` (create, update), or a staff session. Every read goes
through `selectors.py` (the access policy and the logs); every write through the plans and meetings
services. Errors are OperationOutcomes (`outcome.py`); a hidden resource answers 404 like a missing one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tukipolku.access.log import episode_get_for
from tukipolku.api.auth import reader_of
from tukipolku.api.choices import Scope
from tukipolku.api.conventions import idempotent
from tukipolku.api.permissions import HasScope, IsReader
from tukipolku.clients.identity import is_valid, normalize
from tukipolku.fhir import selectors, writes
from tukipolku.fhir.capability import capability_statement
from tukipolku.fhir.converters import RESOURCE_ID_PATTERN
from tukipolku.fhir.kinds import KINDS, Kind
from tukipolku.fhir.outcome import FhirError, attempt_fhir, exception_handler, stale
from tukipolku.fhir.renderers import FhirJsonParser, FhirJsonRenderer, PlainJsonRenderer
from tukipolku.fhir.resources.common import PIC_SYSTEM
from tukipolku.fhir.schema import FhirAutoSchema
from tukipolku.fhir.search import count_of, ids_of, offset_of
from tukipolku.meetings.models import Meeting
from tukipolku.meetings.services import meeting_cancel, meeting_change, meeting_schedule
from tukipolku.plans.models import Plan
from tukipolku.plans.services import plan_save

CONTROL = {"_count", "_offset", "_include", "_format", "_id"}
"""Result parameters every type takes; the rest are the type's own search parameters."""
WRITABLE = {"CarePlan", "Appointment"}
FHIR_JSON = "application/fhir+json"
MEDIA = (FHIR_JSON, "application/json")


ERRORS = {
    (code, media): OpenApiResponse(OpenApiTypes.OBJECT, description=f"OperationOutcome ({text})")
    for media in MEDIA
    for code, text in (
        (400, "a bad parameter or body"),
        (401, "no valid token or session"),
        (403, "scope, or a reader who may only read"),
        (404, "missing or hidden, or a type not served"),
        (405, "not supported for the type"),
        (406, "not acceptable"),
        (409, "conflict"),
        (412, "If-Match is not the current version"),
        (415, "unsupported media type"),
        (422, "the rules of the service refuse it"),
        (428, "If-Match is missing"),
        (429, "too many requests"),
    )
}
RESOURCE_TYPE = OpenApiParameter("resource_type", str, OpenApiParameter.PATH, enum=sorted(KINDS))
RESOURCE_ID = OpenApiParameter("resource_id", str, OpenApiParameter.PATH, pattern=rf"^{RESOURCE_ID_PATTERN}$")


def _schema(summary: str, *, success: int = 200, **kwargs: Any) -> Any:
    responses = {
        **{(success, media): OpenApiResponse(OpenApiTypes.OBJECT, description="A FHIR resource") for media in MEDIA},
        **ERRORS,
    }
    return extend_schema(tags=["FHIR"], summary=summary, responses=responses, **kwargs)


class FhirView(APIView):
    """Base of the FHIR views: JSON in and out, OperationOutcome errors, the API's auth and scopes."""

    renderer_classes = [FhirJsonRenderer, PlainJsonRenderer]
    parser_classes = [FhirJsonParser, JSONParser]
    schema = FhirAutoSchema()
    permission_classes = [IsReader, HasScope]
    required_scopes: list[str] = [Scope.FHIR_READ]
    reads_by_post = False

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        # The API authenticates every call itself (token or session): no redirect to the login page.
        return login_not_required(super().as_view(**initkwargs))

    def get_exception_handler(self) -> Any:
        return exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        reads = request.method in SAFE_METHODS or self.reads_by_post
        self.required_scopes = [Scope.FHIR_READ] if reads else [Scope.FHIR_WRITE]
        super().initial(request, *args, **kwargs)

    def base_url(self, request: Request) -> str:
        return request.build_absolute_uri("/fhir").rstrip("/")

    def kind(self, resource_type: str) -> Kind:
        kind = KINDS.get(resource_type)
        if kind is None:
            raise FhirError(
                _("This server does not serve %(type)s resources.") % {"type": resource_type[:40]},
                http_status=404,
                code="not-supported",
            )
        return kind

    def resource_response(self, kind: Kind, obj: Any, *, status: int = 200, request: Request) -> Response:
        resource = kind.build(obj)
        if resource is None:
            raise FhirError(_("The resource was not found."), http_status=404, code="not-found")
        headers = {}
        version = resource.get("meta", {}).get("versionId")
        if version is not None:
            headers["ETag"] = f'W/"{version}"'
        if status == 201:
            headers["Location"] = f"{self.base_url(request)}/{kind.name}/{resource['id']}"
        return Response(resource, status=status, headers=headers)


class MetadataView(FhirView):
    """The CapabilityStatement: public, like every FHIR server's."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @_schema("CapabilityStatement of the FHIR facade")
    def get(self, request: Request) -> Response:
        return Response(capability_statement(self.base_url(request)))


class SearchMixin(FhirView):
    def search(self, request: Request, kind: Kind, params: dict[str, list[str]], *, by_post: bool) -> Response:
        reader = reader_of(request)
        filters = Q()
        for name, values in params.items():
            if name == "_id":
                for value in values:
                    filters &= Q(pk__in=ids_of(value, prefix=kind.prefix))
            elif name == "identifier" and kind.name == "Patient":
                filters &= self.identifier_filter(values, by_post=by_post)
            elif name in kind.params:
                filters &= kind.params[name].filter(values)
        count = count_of(_last(params.get("_count")))
        offset = offset_of(_last(params.get("_offset")))
        view = "fhir:search"
        found = selectors.resource_search_for(
            reader=reader, kind=kind, filters=filters, count=count, offset=offset, view=view
        )
        entries = [e for obj in found.objects if (e := self.entry(kind, obj, "match", request)) is not None]
        entries += self.included(request, kind, [e["resource"] for e in entries], params.get("_include", []))
        bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "link": [], "entry": entries}
        bundle["link"] = self.links(request, kind, params, count=count, offset=offset, more=found.more, by_post=by_post)
        if not entries:
            del bundle["entry"]
        return Response(bundle)

    def identifier_filter(self, values: list[str], *, by_post: bool) -> Q:
        if not by_post:
            raise FhirError(
                _("Search by identity code only with POST /fhir/Patient/_search: never in a URL."),
                code="not-supported",
            )
        codes = []
        for value in values:
            system, _sep, code = value.rpartition("|")
            if system not in ("", PIC_SYSTEM) or not is_valid(code):
                raise FhirError(_("identifier must be %(system)s|<a valid identity code>.") % {"system": PIC_SYSTEM})
            codes.append(normalize(code))
        return Q(identity_code__in=codes)

    def entry(self, kind: Kind, obj: Any, mode: str, request: Request) -> dict[str, Any] | None:
        resource = kind.build(obj)
        if resource is None:
            return None
        return {
            "fullUrl": f"{self.base_url(request)}/{kind.name}/{resource['id']}",
            "resource": resource,
            "search": {"mode": mode},
        }

    def included(
        self, request: Request, kind: Kind, resources: list[dict[str, Any]], includes: list[str]
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        for include in includes:
            source, _sep, name = include.partition(":")
            name = name.split(":", 1)[0]
            if source != kind.name or name not in kind.includes:
                raise FhirError(
                    _("_include %(value)s is not supported.") % {"value": include[:60]}, code="not-supported"
                )
            path, target = kind.includes[name]
            ids = {pk for resource in resources for pk in _references(resource, path, target)}
            target_kind = KINDS[target]
            for obj in selectors.fetch_included(kind_name=target, ids=ids, reader=reader_of(request)):
                entry = self.entry(target_kind, obj, "include", request)
                if entry is not None and entry["fullUrl"] not in seen:
                    seen.add(entry["fullUrl"])
                    out.append(entry)
        return out

    def links(
        self,
        request: Request,
        kind: Kind,
        params: dict[str, list[str]],
        *,
        count: int,
        offset: int,
        more: bool,
        by_post: bool,
    ) -> list[dict[str, str]]:
        base = f"{self.base_url(request)}/{kind.name}"
        if by_post:
            # The body may hold an identity code: a POST search's links never repeat its parameters.
            return [{"relation": "self", "url": f"{base}/_search"}]
        kept = [(k, v) for k, values in params.items() if k not in ("_offset", "_count") for v in values]

        def url(at: int) -> str:
            return f"{base}?{urlencode([*kept, ('_count', str(count)), ('_offset', str(at))])}"

        links = [{"relation": "self", "url": url(offset)}]
        if more:
            links.append({"relation": "next", "url": url(offset + count)})
        if offset > 0:
            links.append({"relation": "previous", "url": url(max(0, offset - count))})
        return links


def _last(values: list[str] | None) -> str | None:
    return values[-1] if values else None


def _references(resource: dict[str, Any], path: str, target: str) -> list[int]:
    nodes: list[Any] = [resource]
    for part in path.split("."):
        nxt: list[Any] = []
        for node in nodes:
            value = node.get(part) if isinstance(node, dict) else None
            nxt += value if isinstance(value, list) else [value] if value is not None else []
        nodes = nxt
    out = []
    for node in nodes:
        pk = writes.referenced_id(node, target)
        if pk is not None:
            out.append(pk)
    return out


class TypeView(SearchMixin):
    """`GET /fhir/<Type>?…` (search) and `POST /fhir/<Type>` (create CarePlan, Appointment)."""

    @_schema(
        "Search resources of a type",
        parameters=[
            RESOURCE_TYPE,
            OpenApiParameter("_id", str),
            OpenApiParameter("patient", str),
            OpenApiParameter("status", str),
            OpenApiParameter("date", str, many=True),
            OpenApiParameter("_include", str, many=True),
            OpenApiParameter("_count", int),
            OpenApiParameter("_offset", int),
        ],
    )
    def get(self, request: Request, resource_type: str) -> Response:
        kind = self.kind(resource_type)
        params = {k: request.query_params.getlist(k) for k in request.query_params}
        return self.search(request, kind, params, by_post=False)

    @_schema(
        "Create a CarePlan or an Appointment",
        success=201,
        request={FHIR_JSON: OpenApiTypes.OBJECT},
        parameters=[RESOURCE_TYPE, OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def post(self, request: Request, resource_type: str) -> Response:
        kind = self.kind(resource_type)
        if kind.name not in WRITABLE:
            raise FhirError(_("This operation is not supported here."), http_status=405, code="not-supported")
        data = writes.invalid_body(request.data, kind.name)
        return idempotent(request, lambda: self.create(request, kind, data))

    def create(self, request: Request, kind: Kind, data: dict[str, Any]) -> Response:
        reader = reader_of(request)
        region = selectors.region_of(reader=reader)
        if kind.name == "CarePlan":
            episode_id = writes.episode_of(data, "supportingInfo")
            episode = episode_get_for(actor=reader, episode_id=episode_id, view="fhir:create", for_change=True)
            plan, _created = Plan.objects.get_or_create(episode=episode)
            if plan.revision > 0:
                raise FhirError(
                    _("This client relationship already has a plan: change it with PUT /fhir/CarePlan/%(id)s.")
                    % {"id": plan.pk},
                    http_status=409,
                    code="duplicate",
                )
            saved = attempt_fhir(
                plan_save,
                actor=request.user,
                episode=episode,
                expected_revision=0,
                **writes.care_plan_input(data, plan=plan, region_id=region),
            )
            return self.resource_response(kind, kind.queryset().get(pk=saved.pk), status=201, request=request)
        episode_id = writes.episode_of(data, "supportingInformation")
        episode = episode_get_for(
            actor=reader, episode_id=episode_id, view="fhir:create", for_change=True, open_only=True
        )
        meeting = attempt_fhir(
            meeting_schedule,
            actor=request.user,
            episode=episode,
            data=writes.meeting_input(data, episode=episode, region_id=region),
        )
        return self.resource_response(kind, kind.queryset().get(pk=meeting.pk), status=201, request=request)


class TypeSearchView(SearchMixin):
    """`POST /fhir/<Type>/_search`: the parameters in a form body – the only way to search by
    identity code (`identifier=urn:oid:1.2.246.21|<code>`)."""

    parser_classes = [FormParser]
    reads_by_post = True

    @_schema(
        "Search by POST (identity codes only here)",
        request={"application/x-www-form-urlencoded": OpenApiTypes.OBJECT},
        parameters=[RESOURCE_TYPE],
    )
    def post(self, request: Request, resource_type: str) -> Response:
        kind = self.kind(resource_type)
        params: dict[str, list[str]] = {k: request.query_params.getlist(k) for k in request.query_params}
        for key in request.data:
            params.setdefault(key, []).extend(request.data.getlist(key))
        return self.search(request, kind, params, by_post=True)


class InstanceView(FhirView):
    """`GET /fhir/<Type>/<id>` (read) and `PUT` (update CarePlan, Appointment; `If-Match` required)."""

    @_schema("Read one resource", parameters=[RESOURCE_TYPE, RESOURCE_ID])
    def get(self, request: Request, resource_type: str, resource_id: str) -> Response:
        kind = self.kind(resource_type)
        obj = selectors.resource_get_for(reader=reader_of(request), kind=kind, raw_id=resource_id, view="fhir:read")
        return self.resource_response(kind, obj, request=request)

    @_schema(
        "Update a CarePlan or an Appointment",
        request={FHIR_JSON: OpenApiTypes.OBJECT},
        parameters=[RESOURCE_TYPE, RESOURCE_ID, OpenApiParameter("If-Match", str, OpenApiParameter.HEADER)],
    )
    def put(self, request: Request, resource_type: str, resource_id: str) -> Response:
        kind = self.kind(resource_type)
        if kind.name not in WRITABLE:
            raise FhirError(_("This operation is not supported here."), http_status=405, code="not-supported")
        data = writes.invalid_body(request.data, kind.name)
        if str(data.get("id", "")) != resource_id:
            raise FhirError(_("The id in the body must be the id in the address."), code="invalid")
        reader = reader_of(request)
        obj = selectors.resource_get_for(reader=reader, kind=kind, raw_id=resource_id, view="fhir:update")
        version = _if_match(request)
        region = selectors.region_of(reader=reader)
        if isinstance(obj, Plan):
            episode = episode_get_for(actor=reader, episode_id=obj.episode_id, view="fhir:update", for_change=True)
            if version != obj.revision:
                raise stale()
            attempt_fhir(
                plan_save,
                actor=request.user,
                episode=episode,
                expected_revision=version,
                **writes.care_plan_input(data, plan=obj, region_id=region),
            )
        elif isinstance(obj, Meeting):
            episode = episode_get_for(
                actor=reader, episode_id=obj.episode_id, view="fhir:update", for_change=True, open_only=True
            )
            if version != obj.sequence:
                raise stale()
            if data.get("status") == "cancelled":
                attempt_fhir(meeting_cancel, actor=request.user, meeting=obj, expected_sequence=version)
            else:
                attempt_fhir(
                    meeting_change,
                    actor=request.user,
                    meeting=obj,
                    expected_sequence=version,
                    data=writes.meeting_input(data, episode=episode, region_id=region),
                )
        return self.resource_response(kind, kind.queryset().get(pk=obj.pk), request=request)


def _if_match(request: Request) -> int:
    raw = request.headers.get("If-Match", "").strip()
    if not raw:
        raise FhirError(
            _('Send the version you changed in If-Match (W/"<versionId>").'), http_status=428, code="required"
        )
    value = raw.removeprefix("W/").strip('"')
    if not value.isdigit() or len(value) > 9:
        raise stale()
    return int(value)
