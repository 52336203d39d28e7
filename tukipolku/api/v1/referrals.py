"""Referrals: those a team sent from a client relationship (`/api/v1/episodes/{episode}/referrals/`) and
those sent to the reader's organisation (`/api/v1/referrals/received/`).

* **Sent** are read like the team's referral page (`referrals:detail`): team professionals through the
  gate (404 when the relationship is out of reach); partner staff and system clients 403 (they read
  what was sent to them, below). Another client's referral id is 404, logged against its client.
* **Received** are read like "Referrals to your organisation": partner staff of the recipient
  organisation, and its system client (the referrals not addressed to a named person; the consent
  counts only for a purpose the system was granted); everyone else 403. The client's name, the
  reason and what was sent only while the client's consent still covers a sent category, each read
  disclosed (`referrals.selectors`).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from tukipolku.access.log import refuse
from tukipolku.api.schema import PROBLEM_RESPONSES
from tukipolku.api.v1.coordination import (
    PAGE_PARAMETERS,
    CoordinationApi,
    NewestFirst,
    episode_for,
    is_system,
    page_of,
    reader,
    require_reader,
)
from tukipolku.core.permissions import is_partner
from tukipolku.privacy.choices import DataCategory
from tukipolku.referrals.choices import ReferralKind, ReferralStatus
from tukipolku.referrals.models import Referral, ReferralStatusChange
from tukipolku.referrals.selectors import (
    ReceivedReferral,
    received_get_for,
    received_list_for,
    referral_get_for_episode,
    status_history,
)

RESOURCE = "referral"


class StatusChangeOut(serializers.Serializer[ReferralStatusChange]):
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    changed_at = serializers.DateTimeField()
    changed_by = serializers.IntegerField(source="changed_by_id")
    on_behalf = serializers.BooleanField()
    note = serializers.CharField()


class RecipientOut(serializers.Serializer[Referral]):
    organisation = serializers.IntegerField(source="recipient_organisation_id", allow_null=True)
    organisation_name = serializers.SerializerMethodField()
    user = serializers.IntegerField(source="recipient_user_id", allow_null=True)
    name = serializers.CharField(source="recipient_label")

    def get_organisation_name(self, obj: Referral) -> str:
        org = obj.recipient_organisation
        return org.name if org is not None else ""


class ReferralOut(serializers.Serializer[Referral]):
    id = serializers.IntegerField()
    episode = serializers.IntegerField(source="episode_id")
    kind = serializers.ChoiceField(choices=ReferralKind.choices)
    recipient = RecipientOut(source="*")
    reason = serializers.CharField()
    categories = serializers.ListField(child=serializers.ChoiceField(choices=DataCategory.choices))
    due_on = serializers.DateField()
    note = serializers.CharField()
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    status_changed_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField()
    sent_by = serializers.IntegerField(source="sent_by_id")
    overdue = serializers.SerializerMethodField()

    def get_overdue(self, obj: Referral) -> bool:
        return obj.is_overdue()


class ReferralDetailOut(ReferralOut):
    history = serializers.SerializerMethodField()

    def get_history(self, obj: Referral) -> list[dict[str, Any]]:
        return list(StatusChangeOut(status_history(referral=obj), many=True).data)


class ReceivedOut(serializers.Serializer[ReceivedReferral]):
    """A referral as its recipient sees it: the content only while the consent covers something sent."""

    id = serializers.IntegerField(source="referral.pk")
    kind = serializers.ChoiceField(source="referral.kind", choices=ReferralKind.choices)
    status = serializers.ChoiceField(source="referral.status", choices=ReferralStatus.choices)
    due_on = serializers.DateField(source="referral.due_on")
    sent_at = serializers.DateTimeField(source="referral.sent_at")
    content_shown = serializers.BooleanField()
    episode = serializers.SerializerMethodField()
    client_name = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()
    categories = serializers.ListField(source="shown", child=serializers.CharField())
    withheld_categories = serializers.ListField(
        source="withdrawn", child=serializers.CharField(), help_text="Sent, but the consent no longer covers them."
    )

    def _shown(self, obj: ReceivedReferral, value: Any) -> Any:
        return value if obj.content_shown else None

    def get_episode(self, obj: ReceivedReferral) -> int | None:
        return self._shown(obj, obj.referral.episode_id)

    def get_client_name(self, obj: ReceivedReferral) -> str | None:
        return self._shown(obj, obj.referral.episode.client.full_name)

    def get_reason(self, obj: ReceivedReferral) -> str | None:
        return self._shown(obj, obj.referral.reason)

    def get_note(self, obj: ReceivedReferral) -> str | None:
        return self._shown(obj, obj.referral.note)


def _team_only(request: Request) -> None:
    """The team's referral pages: team professionals (partner staff and systems 403, logged)."""
    require_reader(request, resource=RESOURCE, partners=False, systems=False)


class ReferralListApi(CoordinationApi):
    """The referrals sent from a client relationship, newest first (`?status=` narrows)."""

    @extend_schema(
        operation_id="referrals_list",
        responses={200: page_of(ReferralOut), **PROBLEM_RESPONSES},
        parameters=[OpenApiParameter("status", str, enum=ReferralStatus.values, required=False), *PAGE_PARAMETERS],
    )
    def get(self, request: Request, episode_id: int) -> Response:
        _team_only(request)
        episode = episode_for(request, episode_id=episode_id, view="api:referral_list")
        qs = Referral.objects.filter(episode=episode).select_related(
            "recipient_organisation", "recipient_user", "sent_by"
        )
        wanted = request.query_params.get("status")
        if wanted is not None:
            if wanted not in ReferralStatus.values:
                raise ValidationError({"status": [_("Choose one of the statuses listed.")]})
            qs = qs.filter(status=wanted)
        pager = NewestFirst(ordering=("-sent_at", "-id"))
        page = pager.paginate_queryset(qs, request, view=self) or []
        return pager.get_paginated_response(ReferralOut(page, many=True).data)


class ReferralDetailApi(CoordinationApi):
    @extend_schema(operation_id="referrals_read", responses={200: ReferralDetailOut, **PROBLEM_RESPONSES})
    def get(self, request: Request, episode_id: int, referral_id: int) -> Response:
        _team_only(request)
        view = "api:referral_detail"
        episode = episode_for(request, episode_id=episode_id, view=view)
        referral = referral_get_for_episode(actor=request.user, episode=episode, referral_id=referral_id, view=view)
        return Response(ReferralDetailOut(referral).data)


def _recipient_only(request: Request) -> None:
    """The page "Referrals to your organisation": partner staff and system clients (everyone else 403,
    logged); which referrals each receives is `access.policy.referral_received_q`."""
    if not is_system(request) and not is_partner(request.user):
        refuse(request, resource=RESOURCE)


class ReceivedListApi(CoordinationApi):
    """Referrals sent to the reader's organisation: the open ones by due date (`?all=1`: also finished)."""

    @extend_schema(
        operation_id="referrals_received_list",
        responses={200: page_of(ReceivedOut), **PROBLEM_RESPONSES},
        parameters=[OpenApiParameter("all", str, enum=["1"], required=False)],
    )
    def get(self, request: Request) -> Response:
        _recipient_only(request)
        items = received_list_for(
            actor=reader(request), include_closed=request.query_params.get("all") == "1", view="api:referral_received"
        )
        return Response({"next": None, "previous": None, "results": ReceivedOut(items, many=True).data})


class ReceivedDetailApi(CoordinationApi):
    @extend_schema(operation_id="referrals_received_read", responses={200: ReceivedOut, **PROBLEM_RESPONSES})
    def get(self, request: Request, referral_id: int) -> Response:
        _recipient_only(request)
        item = received_get_for(actor=reader(request), referral_id=referral_id, view="api:referral_received_detail")
        return Response(ReceivedOut(item).data)
