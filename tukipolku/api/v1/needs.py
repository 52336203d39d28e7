"""Notifications of need (intake): those the reader sent (`/api/v1/needs/sent/`) and their teams'
queue (`/api/v1/needs/`), each with one notification.

Read like the intake pages: the sender, and only the sender, follows what they sent (the status, the
team's reason, the client's name as they typed it; anyone else 404); active members of the receiving
team read the whole notification (other professionals 404, partner staff and administrators 403).
System clients 403: a notification runs from a person to a team. Every notification listed or read is
logged against its client (`intake.selectors`).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from tukipolku.access.choices import AccessGround
from tukipolku.access.log import refuse
from tukipolku.access.policy import can_send_need
from tukipolku.api.schema import PROBLEM_RESPONSES
from tukipolku.api.v1.coordination import PAGE_PARAMETERS, CoordinationApi, NewestFirst, is_system, page_of
from tukipolku.cases.choices import IdentificationSource
from tukipolku.core.permissions import can_work_with_clients
from tukipolku.intake.choices import NeedStatus
from tukipolku.intake.constants import RESOURCE
from tukipolku.intake.models import NeedNotification
from tukipolku.intake.selectors import (
    need_get_for,
    need_get_for_sender,
    need_rows_log,
    need_sent_queryset_for,
    need_team_queryset_for,
)


class NeedSentOut(serializers.Serializer[NeedNotification]):
    """What the sender follows: the status, the team, the client's name as they typed it."""

    id = serializers.IntegerField()
    team = serializers.IntegerField(source="team_id")
    team_name = serializers.CharField(source="team.name")
    first_names = serializers.CharField()
    last_name = serializers.CharField()
    status = serializers.ChoiceField(choices=NeedStatus.choices)
    sent_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decline_reason = serializers.CharField()


class NeedOut(NeedSentOut):
    """The whole notification, for the receiving team."""

    episode = serializers.IntegerField(source="episode_id", allow_null=True)
    sent_by = serializers.IntegerField(source="sent_by_id")
    sender_organisation = serializers.IntegerField(source="sender_organisation_id", allow_null=True)
    source = serializers.ChoiceField(choices=IdentificationSource.choices)
    phone = serializers.CharField()
    email = serializers.CharField()
    language = serializers.CharField()
    situations = serializers.ListField(child=serializers.CharField())
    risk_factors = serializers.ListField(child=serializers.CharField())
    done_so_far = serializers.CharField()
    need_description = serializers.CharField()
    consent_on = serializers.DateField()
    consent_method = serializers.CharField()
    shared_with = serializers.ListField(child=serializers.CharField())
    decided_by = serializers.IntegerField(source="decided_by_id", allow_null=True)


def _senders(request: Request) -> None:
    """The sender's pages: team professionals and partner staff (403 otherwise, logged)."""
    if is_system(request) or not can_send_need(request.user):
        refuse(request, resource=RESOURCE)


def _team(request: Request) -> None:
    """The receiving team's pages: team professionals (403 otherwise, logged)."""
    if is_system(request) or not can_work_with_clients(request.user):
        refuse(request, resource=RESOURCE)


class NeedSentListApi(CoordinationApi):
    """The notifications the reader sent, newest first."""

    @extend_schema(
        operation_id="needs_sent_list",
        responses={200: page_of(NeedSentOut), **PROBLEM_RESPONSES},
        parameters=PAGE_PARAMETERS,
    )
    def get(self, request: Request) -> Response:
        _senders(request)
        pager = NewestFirst(ordering=("-sent_at", "-pk"))
        page = pager.paginate_queryset(need_sent_queryset_for(actor=request.user), request, view=self) or []
        need_rows_log(actor=request.user, view="api:need_sent_list", needs=page, basis=AccessGround.INTAKE_SENDER)
        return pager.get_paginated_response(NeedSentOut(page, many=True).data)


class NeedSentDetailApi(CoordinationApi):
    @extend_schema(operation_id="needs_sent_read", responses={200: NeedSentOut, **PROBLEM_RESPONSES})
    def get(self, request: Request, need_id: int) -> Response:
        _senders(request)
        need = need_get_for_sender(actor=request.user, need_id=need_id, view="api:need_sent_detail")
        return Response(NeedSentOut(need).data)


class NeedListApi(CoordinationApi):
    """The notifications to the reader's teams, newest first (`?status=waiting` for the queue)."""

    @extend_schema(
        operation_id="needs_list",
        responses={200: page_of(NeedOut), **PROBLEM_RESPONSES},
        parameters=[OpenApiParameter("status", str, enum=NeedStatus.values, required=False), *PAGE_PARAMETERS],
    )
    def get(self, request: Request) -> Response:
        _team(request)
        qs = need_team_queryset_for(actor=request.user)
        wanted = request.query_params.get("status")
        if wanted is not None:
            if wanted not in NeedStatus.values:
                raise ValidationError({"status": [_("Choose one of the statuses listed.")]})
            qs = qs.filter(status=wanted)
        pager = NewestFirst(ordering=("-sent_at", "-pk"))
        page = pager.paginate_queryset(qs, request, view=self) or []
        need_rows_log(actor=request.user, view="api:need_list", needs=page, basis=AccessGround.INTAKE_TEAM)
        return pager.get_paginated_response(NeedOut(page, many=True).data)


class NeedDetailApi(CoordinationApi):
    @extend_schema(operation_id="needs_read", responses={200: NeedOut, **PROBLEM_RESPONSES})
    def get(self, request: Request, need_id: int) -> Response:
        _team(request)
        need = need_get_for(actor=request.user, need_id=need_id, view="api:need_detail")
        return Response(NeedOut(need).data)
