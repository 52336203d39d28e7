"""Clients: the list and the details of the clients the reader may see (through their client
relationships), and the search by identity code (a POST: the code never goes in a URL).

What of a client each reader gets mirrors the case page: team professionals the contact details
(the address only where `can_see_protected_address` allows); partner staff and system clients the
name, birth date and language, no contact details; system clients also the identity code (they
match records by it) and the address-protection flag (FHIR's TURVAKIELTO label)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tukipolku.access.choices import AccessGround
from tukipolku.access.log import log_listed
from tukipolku.access.policy import (
    can_search_clients,
    can_see_protected_address,
    episode_access,
    episode_candidate_q,
)
from tukipolku.access.readers import AnyReader, ClientReader, SystemReader, account_of
from tukipolku.api.auth import reader_of
from tukipolku.api.choices import Scope
from tukipolku.api.conventions import ApiViewSet, etag_for, with_etag
from tukipolku.api.filters import UtcIsoDateTimeFilter
from tukipolku.api.schema import PROBLEM_RESPONSES
from tukipolku.audit.choices import AccessAction
from tukipolku.audit.services import access_denied, access_record
from tukipolku.cases.models import Episode
from tukipolku.clients import identity
from tukipolku.clients.choices import ClientLanguage
from tukipolku.clients.models import Client

VIEW_LIST = "api:client-list"
VIEW_DETAIL = "api:client-detail"
VIEW_SEARCH = "api:client-search"


class ClientSerializer(serializers.Serializer):
    """A client as the reader may see them. Fields the reader may not see are null."""

    id = serializers.IntegerField()
    first_names = serializers.CharField()
    last_name = serializers.CharField()
    birth_date = serializers.DateField()
    language = serializers.ChoiceField(choices=ClientLanguage.choices)
    identity_code = serializers.CharField(allow_null=True, help_text="Full for system clients, masked for staff.")
    address_protected = serializers.BooleanField(allow_null=True)
    phone = serializers.CharField(allow_null=True)
    email = serializers.CharField(allow_null=True)
    street_address = serializers.CharField(allow_null=True)
    postal_code = serializers.CharField(allow_null=True)
    post_office = serializers.CharField(allow_null=True)
    municipality = serializers.CharField(allow_null=True)
    episodes = serializers.ListField(child=serializers.IntegerField(), help_text="Relationships the reader may see.")
    in_reach = serializers.BooleanField(help_text="False: found by identity code only, to open a relationship.")
    updated_at = serializers.DateTimeField()


class ClientSearchSerializer(serializers.Serializer):
    identity_code = serializers.CharField(max_length=20, trim_whitespace=True)

    def validate_identity_code(self, value: str) -> str:
        trouble = identity.problem(value)
        if trouble is not None:
            raise serializers.ValidationError(trouble)
        return identity.normalize(value)


class ClientSearchResultSerializer(serializers.Serializer):
    results = ClientSerializer(many=True)


class ClientFilter(django_filters.FilterSet):
    updated_after = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gt")

    class Meta:
        model = Client
        fields: list[str] = []


def _represent(reader: AnyReader, client: Client, episodes: list[Episode], *, in_reach: bool = True) -> dict[str, Any]:
    system = isinstance(reader, SystemReader)
    accesses = [a for a in (episode_access(actor=reader, episode=e) for e in episodes) if a is not None]
    contact = bool(accesses) and not system and any(not a.partner for a in accesses)
    address = contact and any(can_see_protected_address(actor=reader, episode=e) for e in episodes)  # type: ignore[arg-type]
    if system:
        code: str | None = client.identity_code
    elif contact or not in_reach:
        code = client.masked_identity_code
    else:
        code = None
    return {
        "id": client.pk,
        "first_names": client.first_names,
        "last_name": client.last_name,
        "birth_date": client.birth_date,
        "language": client.language,
        "identity_code": code,
        "address_protected": client.address_protected if (contact or system) else None,
        "phone": client.phone if contact else None,
        "email": client.email if contact else None,
        "street_address": client.street_address if address else None,
        "postal_code": client.postal_code if address else None,
        "post_office": client.post_office if address else None,
        "municipality": client.municipality if address else None,
        "episodes": [e.pk for e in episodes],
        "in_reach": in_reach,
        "updated_at": client.updated_at,
    }


def _episodes_of(reader: AnyReader, client_ids: list[int]) -> tuple[dict[int, list[Episode]], list[Episode]]:
    """The clients' relationships the reader may see, by client id, and the candidates refused."""
    visible: dict[int, list[Episode]] = {}
    refused: list[Episode] = []
    rows = (
        Episode.objects.filter(episode_candidate_q(reader), client_id__in=client_ids)
        .select_related("client", "team", "team__organisation", "team__organisation__parent")
        .order_by("pk")
    )
    for episode in rows:
        if episode_access(actor=reader, episode=episode) is None:
            refused.append(episode)
        else:
            visible.setdefault(episode.client_id, []).append(episode)
    return visible, refused


@extend_schema_view(
    list=extend_schema(summary="Clients the reader may see", responses={200: ClientSerializer, **PROBLEM_RESPONSES}),
    retrieve=extend_schema(summary="One client", responses={200: ClientSerializer, **PROBLEM_RESPONSES}),
)
class ClientViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Clients with at least one client relationship the reader may see. Every client a response
    names is in the access log (and, for partner staff and system clients, the disclosure log)."""

    serializer_class = ClientSerializer
    filterset_class = ClientFilter
    required_scopes = (Scope.API_READ,)
    queryset = Client.objects.none()  # the schema's model; the reader's rows come from get_queryset
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self) -> QuerySet[Client]:
        candidates = Episode.objects.filter(episode_candidate_q(reader_of(self.request)), client=OuterRef("pk"))
        return Client.objects.filter(Exists(candidates))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reader = reader_of(request)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        clients = list(page) if page is not None else []
        episodes, refused = _episodes_of(reader, [c.pk for c in clients])
        shown = [e for c in clients for e in episodes.get(c.pk, [])]
        log_listed(actor=reader, view=VIEW_LIST, episodes=shown, refused=refused, resource="client")
        # A page may hold fewer rows than its size: a candidate the policy refuses is left out.
        data = [_represent(reader, c, episodes[c.pk]) for c in clients if c.pk in episodes]
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reader = reader_of(request)
        pk = int(kwargs["pk"])
        client = Client.objects.filter(pk=pk).first()
        found, refused = _episodes_of(reader, [pk]) if client is not None else ({}, [])
        episodes = found.get(pk, [])
        if client is None or not episodes:
            access_denied(
                actor=account_of(reader),
                view=VIEW_DETAIL,
                client_id=client.pk if client is not None else None,
                reason="not_found" if client is None else "no_relationship",
                resource="client",
            )
            log_listed(actor=reader, view=VIEW_DETAIL, episodes=[], refused=refused, action=AccessAction.VIEW)
            raise Http404
        log_listed(actor=reader, view=VIEW_DETAIL, episodes=episodes, action=AccessAction.VIEW, resource="client")
        body = _represent(reader, client, episodes)
        return with_etag(Response(body), etag_for(client.updated_at.isoformat()))

    @extend_schema(
        summary="Find a client by identity code",
        description="The identity code goes in the body, never in a URL. Team professionals find any "
        "client by exact code (name and birth date only when out of reach, to open a relationship); "
        "partner staff and system clients find only clients they may see.",
        request=ClientSearchSerializer,
        responses={200: ClientSearchResultSerializer, **PROBLEM_RESPONSES},
    )
    @action(detail=False, methods=["post"], url_path="search")
    def search(self, request: Request) -> Response:
        reader = reader_of(request)
        form = ClientSearchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        code = form.validated_data["identity_code"]
        client = Client.objects.filter(identity_code=code).first()
        if client is None:
            return Response({"results": []})
        found, refused = _episodes_of(reader, [client.pk])
        episodes = found.get(client.pk, [])
        log_listed(actor=reader, view=VIEW_SEARCH, episodes=episodes, refused=refused, action=AccessAction.SEARCH)
        if episodes:
            return Response({"results": [_represent(reader, client, episodes)]})
        if not isinstance(reader, SystemReader | ClientReader) and can_search_clients(reader):
            # Like the intake page: a professional finds anyone by exact code, to open a relationship.
            access_record(
                actor=account_of(reader),
                view=VIEW_SEARCH,
                rows=[(client.pk, None)],
                action=AccessAction.SEARCH,
                basis=AccessGround.IDENTITY_CODE,
            )
            return Response({"results": [_represent(reader, client, [], in_reach=False)]})
        access_denied(
            actor=account_of(reader), view=VIEW_SEARCH, client_id=client.pk, reason="no_relationship", resource="client"
        )
        return Response({"results": []})
