"""Escorted handovers: `/api/v1/handovers/` and one handover.

Read like the handover pages (`handovers:list`, `handovers:detail`): occupational and student health
staff see the handovers they opened or are the sending contact of, the receiving team's active members
those to their teams; other professionals get 404 for one handover, other partner staff,
administrators and system clients 403 (a handover runs from person to team before the person has a
relationship). Every handover listed or read is logged against its person (`handovers.selectors`).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from tukipolku.access.log import refuse
from tukipolku.access.policy import can_use_handovers
from tukipolku.api.schema import PROBLEM_RESPONSES
from tukipolku.api.v1.coordination import PAGE_PARAMETERS, CoordinationApi, NewestFirst, is_system, page_of
from tukipolku.handovers.choices import HandoverReason, HandoverStatus
from tukipolku.handovers.models import Handover
from tukipolku.handovers.selectors import handover_get_for, handover_queryset_for, handover_rows_log

RESOURCE = "handover"


class HandoverOut(serializers.Serializer[Handover]):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=HandoverStatus.choices)
    team = serializers.IntegerField(source="team_id")
    team_name = serializers.CharField(source="team.name")
    first_names = serializers.CharField(help_text="As the sending side wrote them.")
    last_name = serializers.CharField()
    reason = serializers.ChoiceField(choices=HandoverReason.choices)
    background = serializers.CharField()
    opened_at = serializers.DateTimeField()
    opened_by = serializers.IntegerField(source="opened_by_id")
    sending_contact = serializers.IntegerField(source="sending_contact_id", allow_null=True)
    consent_on = serializers.DateField()
    transfer_at = serializers.DateTimeField(allow_null=True)
    transfer_place = serializers.CharField()
    receiving_nurse = serializers.IntegerField(source="receiving_nurse_id", allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    episode = serializers.IntegerField(source="episode_id", allow_null=True)
    revision = serializers.IntegerField()


def _handover_users(request: Request) -> None:
    if is_system(request) or not can_use_handovers(request.user):
        refuse(request, resource=RESOURCE)


class HandoverListApi(CoordinationApi):
    """The handovers the reader takes part in, on either side, newest first."""

    @extend_schema(
        operation_id="handovers_list",
        responses={200: page_of(HandoverOut), **PROBLEM_RESPONSES},
        parameters=PAGE_PARAMETERS,
    )
    def get(self, request: Request) -> Response:
        _handover_users(request)
        pager = NewestFirst(ordering=("-opened_at", "-pk"))
        page = pager.paginate_queryset(handover_queryset_for(actor=request.user), request, view=self) or []
        handover_rows_log(actor=request.user, view="api:handover_list", handovers=page)
        return pager.get_paginated_response(HandoverOut(page, many=True).data)


class HandoverDetailApi(CoordinationApi):
    @extend_schema(operation_id="handovers_read", responses={200: HandoverOut, **PROBLEM_RESPONSES})
    def get(self, request: Request, handover_id: int) -> Response:
        _handover_users(request)
        handover = handover_get_for(actor=request.user, handover_id=handover_id, view="api:handover_detail")
        return Response(HandoverOut(handover).data)
