"""The FHIR Bulk Data Access endpoints (`$export`, its status and its files) and the Group (a team).

Kick-off (`GET /fhir/$export`, `/fhir/Patient/$export`, `/fhir/Group/<id>/$export`) needs `Prefer:
respond-async` and answers 202 with `Content-Location` (the status URL). The status URL answers 202
with `X-Progress` and `Retry-After` while the export waits or runs, 200 with the manifest when done,
410 once its files have expired, 404 after a cancel (DELETE, 202) or for anybody but the requester.
Files are served to the requester only. Errors are OperationOutcomes. Scope `export` for a system
client; a staff session may export what the policy shows them.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from tukipolku.access.policy import active_team_ids, in_region
from tukipolku.access.readers import AnyReader, ClientReader, SystemReader, account_of
from tukipolku.api.auth import reader_of
from tukipolku.api.permissions import HasScope, IsReader
from tukipolku.bulkexport.choices import ExportLevel, ExportStatus
from tukipolku.bulkexport.models import ExportJob
from tukipolku.bulkexport.services import ExportBusy, export_cancel, export_request
from tukipolku.bulkexport.writer import job_directory
from tukipolku.core.dates import instant_utc
from tukipolku.core.exceptions import ApplicationError
from tukipolku.core.models import Team

FHIR_JSON = "application/fhir+json"
NDJSON = "application/fhir+ndjson"
OUTPUT_FORMATS = {NDJSON, "application/ndjson", "ndjson"}
RETRY_AFTER_SECONDS = 5


def _outcome(
    status: int, text: str, code: str = "processing", *, headers: dict[str, str] | None = None
) -> HttpResponse:
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error" if status >= 400 else "information", "code": code, "diagnostics": text}],
    }
    response = JsonResponse(body, status=status, content_type=FHIR_JSON)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class _FhirView(APIView):
    """Token or session, scope `export`; every error as an OperationOutcome."""

    permission_classes = [IsReader, HasScope]
    required_scopes = ["export"]
    # Not in the REST API's OpenAPI document: the Bulk Data protocol is the FHIR specification's own, and
    # without a schema drf-spectacular's deploy check warns that it cannot describe these views.
    schema = None

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        return login_not_required(super().as_view(**initkwargs))

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[Any, str]:
        """These views answer FHIR JSON or NDJSON themselves, whatever `Accept` says (the kick-off
        asks for `application/fhir+json`)."""
        return JSONRenderer(), JSONRenderer.media_type

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, Http404):
            return _outcome(404, _("Not found."), "not-found")
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            return _outcome(401, _("Authentication is needed."), "login", headers={"WWW-Authenticate": "Bearer"})
        if isinstance(exc, exceptions.PermissionDenied | PermissionDenied):
            return _outcome(403, _("The access token does not have the scope this call needs."), "forbidden")
        if isinstance(exc, exceptions.Throttled):
            return _outcome(429, _("Too many requests."), "throttled", headers={"Retry-After": str(exc.wait or 60)})
        if isinstance(exc, exceptions.MethodNotAllowed):
            return _outcome(405, _("This method is not allowed here."), "not-supported")
        return super().handle_exception(exc)


def _visible_team(reader: AnyReader, team_id: int) -> Team:
    """The team as a Group the reader may export: a staff member's own active team; for a system
    client a team of its welfare region (its clients still pass the consent rule one by one)."""
    team = Team.objects.select_related("organisation").filter(pk=team_id).first()
    if team is None:
        raise Http404
    if isinstance(reader, SystemReader):
        if not reader.account.is_active or not in_region(actor=reader.account, team_id=team.pk):
            raise Http404
    elif isinstance(reader, ClientReader) or team.pk not in active_team_ids(reader):
        raise Http404
    return team


def _parse(request: Request, level: str) -> tuple[list[str] | None, datetime.datetime | None]:
    """`_type`, `_since` and `_outputFormat` of a kick-off (ApplicationError on a bad value)."""
    fmt = request.query_params.get("_outputFormat")
    if fmt and fmt not in OUTPUT_FORMATS:
        raise ApplicationError(_("Only NDJSON output (application/fhir+ndjson) is supported."))
    types = None
    raw_types = request.query_params.getlist("_type")
    if raw_types:
        types = [t.strip() for value in raw_types for t in value.split(",") if t.strip()]
    since = None
    raw_since = request.query_params.get("_since")
    if raw_since:
        try:
            since = parse_datetime(raw_since)
        except ValueError:
            since = None
        if since is not None and since.tzinfo is not None:
            since = instant_utc(since)
        if since is None or since.tzinfo is None:
            raise ApplicationError(_("_since must be a FHIR instant with a time zone, e.g. 2026-01-01T00:00:00Z."))
    for name in ("_elementsFilter", "_typeFilter", "patient", "includeAssociatedData", "_elements"):
        if name in request.query_params:
            raise ApplicationError(_("The parameter %(name)s is not supported.") % {"name": name})
    return types, since


class ExportKickoffView(_FhirView):
    """`$export` at the system, Patient or Group level."""

    level = ExportLevel.SYSTEM

    def get(self, request: Request, team_id: int | None = None) -> HttpResponse:
        reader = reader_of(request)
        team = _visible_team(reader, team_id) if self.level == ExportLevel.GROUP and team_id is not None else None
        if "respond-async" not in request.headers.get("Prefer", ""):
            return _outcome(
                400, _("Send the header Prefer: respond-async: the export runs in the background."), "required"
            )
        try:
            types, since = _parse(request, self.level)
            job = export_request(
                reader=reader,
                level=self.level,
                team=team,
                types=types,
                since=since,
                request_url=request.build_absolute_uri(),
            )
        except ExportBusy as exc:
            return _outcome(429, exc.message, "throttled", headers={"Retry-After": "60"})
        except ApplicationError as exc:
            return _outcome(400, exc.message, "invalid")
        response = HttpResponse(status=202)
        response["Content-Location"] = request.build_absolute_uri(reverse("bulkexport:status", args=[job.pk]))
        return response


def _own_job(request: Request, job_id: uuid.UUID) -> ExportJob:
    """The requester's own job; anybody else's (or none) is 404."""
    account = account_of(reader_of(request))
    job = ExportJob.objects.filter(pk=job_id, account_id=getattr(account, "pk", None)).first()
    if job is None or job.status == ExportStatus.CANCELLED:
        raise Http404
    return job


class ExportStatusView(_FhirView):
    def get(self, request: Request, job_id: uuid.UUID) -> HttpResponse:
        job = _own_job(request, job_id)
        if job.status in (ExportStatus.ACCEPTED, ExportStatus.RUNNING):
            response = HttpResponse(status=202)
            response["X-Progress"] = (
                _("waiting")
                if job.status == ExportStatus.ACCEPTED
                else f"{job.percent}% ({job.episodes_checked}/{job.episodes_total})"
            )
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        if job.status == ExportStatus.EXPIRED:
            return _outcome(410, _("The files of this export have expired. Ask for a new export."), "expired")
        if job.status == ExportStatus.FAILED:
            return _outcome(500, _("The export failed. Ask for a new export."), "exception")
        manifest = {
            "transactionTime": job.transaction_time.isoformat() if job.transaction_time else None,
            "request": job.request_url,
            "requiresAccessToken": True,
            "output": [
                {
                    "type": f.resource_type,
                    "url": request.build_absolute_uri(reverse("bulkexport:file", args=[job.pk, f.resource_type])),
                    "count": f.count,
                }
                for f in job.files.all()
            ],
            "error": [],
        }
        response = JsonResponse(manifest, status=200)
        if job.expires_at:
            response["Expires"] = http_date(job.expires_at.timestamp())
        return response

    def delete(self, request: Request, job_id: uuid.UUID) -> HttpResponse:
        job = _own_job(request, job_id)
        export_cancel(job=job)
        return HttpResponse(status=202)


class ExportFileView(_FhirView):
    def get(self, request: Request, job_id: uuid.UUID, resource_type: str) -> Any:
        name = f"{resource_type}.ndjson"
        job = _own_job(request, job_id)
        if job.status != ExportStatus.COMPLETED:
            raise Http404
        file = job.files.filter(name=name).first()
        if file is None:
            raise Http404
        path = job_directory(job.pk) / file.name
        if not path.is_file():
            raise Http404
        return FileResponse(path.open("rb"), content_type=NDJSON)


class GroupReadView(_FhirView):
    """A team as a FHIR Group (its clients are the members of a Group-level `$export`). Members are
    not listed: who they are depends on each client's consent, and the export decides that."""

    required_scopes = ["export"]

    def get(self, request: Request, team_id: int) -> HttpResponse:
        team = _visible_team(reader_of(request), team_id)
        body = {
            "resourceType": "Group",
            "id": str(team.pk),
            "meta": {"lastUpdated": team.updated_at.isoformat()},
            "type": "person",
            "actual": True,
            "active": team.is_active,
            "name": team.name,
            "managingEntity": {"reference": f"Organization/{team.organisation_id}"},
        }
        return JsonResponse(body, content_type=FHIR_JSON)
