"""Entries (case notes) of a client relationship: `/api/v1/episodes/{episode}/entries/`.

Read like the case page's entries: the registers the reader may read (`access.policy.readable_registers`:
the own register by profession, the shared one, the other register on the client's consent), each
entry with its register; a register read on consent or a legal basis gets its own access-log row
(`entries.selectors.entry_registers_log`). Writing (POST) is the team's, into a register the writer's
profession writes (`entries.services.entry_write`), with an `Idempotency-Key`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from tukipolku.access.policy import readable_registers
from tukipolku.api.conventions import idempotent
from tukipolku.api.schema import CREATE_RESPONSES, IDEMPOTENCY_KEY, PROBLEM_RESPONSES
from tukipolku.api.v1.coordination import (
    PAGE_PARAMETERS,
    CoordinationApi,
    NewestFirst,
    attempt_api,
    episode_for,
    page_of,
    reader,
    require_reader,
    require_writer,
)
from tukipolku.cases.models import Episode
from tukipolku.entries import services
from tukipolku.entries.choices import Register
from tukipolku.entries.models import Entry
from tukipolku.entries.selectors import entry_queryset_for, entry_registers_log

RESOURCE = "entry"
VIEW = "api:entry_list"


class EntryOut(serializers.Serializer[Entry]):
    id = serializers.IntegerField()
    episode = serializers.IntegerField(source="episode_id")
    register = serializers.ChoiceField(choices=Register.choices)
    text = serializers.CharField()
    ehr_reference = serializers.CharField(help_text="Where the full record is in the patient record system.")
    author = serializers.IntegerField(source="author_id")
    author_name = serializers.CharField(source="author.display_name")
    written_at = serializers.DateTimeField()


class EntryIn(serializers.Serializer[Any]):
    register = serializers.ChoiceField(choices=Register.choices)
    text = serializers.CharField(max_length=20_000)
    ehr_reference = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class EntryListApi(CoordinationApi):
    """The entries the reader may read (GET, `?register=` narrows) and writing one (POST)."""

    @extend_schema(
        operation_id="entries_list",
        responses={200: page_of(EntryOut), **PROBLEM_RESPONSES},
        parameters=[OpenApiParameter("register", str, enum=Register.values, required=False), *PAGE_PARAMETERS],
    )
    def get(self, request: Request, episode_id: int) -> Response:
        require_reader(request, resource=RESOURCE, partners=True)
        who = reader(request)
        # The case page shows what the reader may read of every category: the episode is read as a whole.
        episode = episode_for(request, episode_id=episode_id, view=VIEW, require=None)
        registers = list(readable_registers(actor=who, episode=episode))
        wanted = request.query_params.get("register")
        if wanted is not None:
            if wanted not in Register.values:
                raise ValidationError({"register": [_("Choose the register.")]})
            registers = [r for r in registers if r == wanted]
        pager = NewestFirst(ordering=("-written_at", "-id"))
        page = pager.paginate_queryset(entry_queryset_for(episode=episode, registers=registers), request, view=self)
        page = page or []
        entry_registers_log(actor=who, episode=episode, view=VIEW, registers={e.register for e in page})
        return pager.get_paginated_response(EntryOut(page, many=True).data)

    @extend_schema(
        operation_id="entries_write",
        request=EntryIn,
        responses={201: EntryOut, **CREATE_RESPONSES},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request: Request, episode_id: int) -> Response:
        require_writer(request, resource=RESOURCE)
        episode = episode_for(request, episode_id=episode_id, view=VIEW, change=True)
        body = EntryIn(data=request.data)
        body.is_valid(raise_exception=True)
        return idempotent(request, lambda: self._write(request, episode, body.validated_data))

    def _write(self, request: Request, episode: Episode, d: dict[str, Any]) -> Response:
        entry = attempt_api(
            services.entry_write,
            actor=request.user,
            episode=episode,
            register=d["register"],
            text=d["text"],
            ehr_reference=d["ehr_reference"],
        )
        return Response(EntryOut(entry).data, status=status.HTTP_201_CREATED)
