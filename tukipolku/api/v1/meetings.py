"""Meetings of a client relationship: `/api/v1/episodes/{episode}/meetings/` and one meeting.

Read like the meeting page (`meetings:detail`): the client's team, emergency access, and partner staff
or a system client whose organisation the client's consent gives the shared plan (404 otherwise).
The minutes and decisions are shown once the meeting is held; the outside participants' e-mail
addresses never (they are kept only to send the invitations). Scheduling (POST) and changing a
scheduled meeting (PATCH, `If-Match` with the meeting's `ETag`) are changes of the relationship:
its team only, through `meetings.services` (the same rules, invitations and events as the pages).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from tukipolku.access.log import refuse_other_object
from tukipolku.api.conventions import etag_for, idempotent, require_if_match
from tukipolku.api.schema import CHANGE_RESPONSES, CREATE_RESPONSES, IDEMPOTENCY_KEY, IF_MATCH, PROBLEM_RESPONSES
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
from tukipolku.core.models import User
from tukipolku.meetings import services
from tukipolku.meetings.choices import MeetingKind, MeetingStatus
from tukipolku.meetings.models import Meeting, Participant
from tukipolku.meetings.selectors import meeting_detail_for, meeting_list_for

RESOURCE = "meeting"
FIELDS = {"date": "starts_at", "starts": "starts_at", "ends": "ends_at", "team_users": "users"}
"""The schedule form's fields named in the services' refusals, as the API calls them."""


# ---------------------------------------------------------------- output


class ParticipantOut(serializers.Serializer[Participant]):
    id = serializers.IntegerField()
    kind = serializers.SerializerMethodField(help_text="user, outside or client")
    user = serializers.IntegerField(source="user_id", allow_null=True)
    name = serializers.SerializerMethodField()
    organisation = serializers.SerializerMethodField()
    invited = serializers.BooleanField()

    def get_kind(self, obj: Participant) -> str:
        return "client" if obj.is_client else ("user" if obj.user_id else "outside")

    def get_name(self, obj: Participant) -> str:
        if obj.is_client:
            return ""
        return obj.user.display_name if obj.user is not None else obj.name

    def get_organisation(self, obj: Participant) -> str:
        if obj.user is not None:
            return obj.user.organisation.name if obj.user.organisation is not None else ""
        return obj.organisation


class DecisionOut(serializers.Serializer[Any]):
    text = serializers.CharField()
    action = serializers.IntegerField(source="action_id", allow_null=True)


class MeetingOut(serializers.Serializer[Meeting]):
    id = serializers.IntegerField()
    episode = serializers.IntegerField(source="episode_id")
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    status = serializers.ChoiceField(choices=MeetingStatus.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)
    location = serializers.CharField()
    video_link = serializers.CharField()
    agenda = serializers.CharField()
    client_participated = serializers.BooleanField()
    minutes = serializers.SerializerMethodField(help_text="Only once the meeting is held.")
    decisions = serializers.SerializerMethodField()
    participants = serializers.SerializerMethodField()
    organiser = serializers.IntegerField(source="organizer_id", allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    sequence = serializers.IntegerField(help_text="Grows by one on every change after scheduling.")
    updated_at = serializers.DateTimeField()

    def get_minutes(self, obj: Meeting) -> str | None:
        return obj.minutes if obj.status == MeetingStatus.HELD else None

    def get_decisions(self, obj: Meeting) -> list[dict[str, Any]]:
        if obj.status != MeetingStatus.HELD:
            return []
        return list(DecisionOut(obj.decisions.all(), many=True).data)

    def get_participants(self, obj: Meeting) -> list[dict[str, Any]]:
        active = [p for p in obj.participants.all() if p.removed_at is None]
        return list(ParticipantOut(active, many=True).data)


def meeting_etag(meeting: Meeting) -> str:
    """The meeting's version: its invitation sequence and the time of its last change."""
    return etag_for(f"meeting {meeting.pk}.{meeting.sequence}.{meeting.updated_at.isoformat()}")


# ---------------------------------------------------------------- input


class OutsideIn(serializers.Serializer[Any]):
    """A participant who is not a user: a name, their organisation, an e-mail address for the invitation."""

    id = serializers.IntegerField(required=False, help_text="An existing outside participant, when changing.")
    name = serializers.CharField(max_length=200)
    organisation = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class MeetingIn(serializers.Serializer[Any]):
    """Schedule a meeting in advance (the schedule page's fields). Times are ISO 8601 with an offset."""

    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    video_link = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    agenda = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    users = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=10**18), required=False, default=list, max_length=100
    )
    outside = OutsideIn(many=True, required=False, default=list, max_length=50)
    client_takes_part = serializers.BooleanField(required=False, default=False)
    invite_client = serializers.BooleanField(required=False, default=False)


class MeetingPatch(serializers.Serializer[Any]):
    """Change a scheduled meeting: every field optional; what is left out keeps its value."""

    kind = serializers.ChoiceField(choices=MeetingKind.choices, required=False)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    video_link = serializers.URLField(max_length=500, required=False, allow_blank=True)
    agenda = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    users = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=10**18), required=False, max_length=100
    )
    outside = OutsideIn(many=True, required=False, max_length=50)
    client_takes_part = serializers.BooleanField(required=False)
    invite_client = serializers.BooleanField(required=False)


def meeting_in_reach(request: HttpRequest, *, episode: Episode, meeting_id: int, view: str) -> Meeting:
    """One meeting of the episode; another client's (or none) is 404, logged against its client."""
    meeting = meeting_detail_for(episode=episode, meeting_id=meeting_id)
    if meeting is None:
        owner = Meeting.objects.filter(pk=meeting_id).values_list("episode__client_id", "episode_id").first()
        refuse_other_object(actor=reader(request), view=view, owner=owner, resource=RESOURCE)
    return meeting


def _meeting_response(meeting: Meeting, *, code: int = status.HTTP_200_OK) -> Response:
    fresh = meeting_list_for(episode=meeting.episode).get(pk=meeting.pk)
    response = Response(MeetingOut(fresh).data, status=code)
    response["ETag"] = meeting_etag(fresh)
    return response


def _users(ids: list[int]) -> list[User]:
    """The users named as participants; an unknown id is refused like one not offered on the page."""
    users = list(User.objects.filter(pk__in=set(ids)))
    if len(users) != len(set(ids)):
        raise ValidationError({"users": [_("Choose participants from the list.")]})
    return users


def _outside(rows: list[dict[str, Any]]) -> list[services.OutsideParticipant]:
    return [
        services.OutsideParticipant(r["name"], r.get("organisation", ""), r.get("email", ""), r.get("id")) for r in rows
    ]


class MeetingListApi(CoordinationApi):
    """The meetings of a client relationship (GET), and scheduling a new one (POST)."""

    @extend_schema(
        operation_id="meetings_list",
        responses={200: page_of(MeetingOut), **PROBLEM_RESPONSES},
        parameters=[OpenApiParameter("status", str, enum=MeetingStatus.values, required=False), *PAGE_PARAMETERS],
    )
    def get(self, request: Request, episode_id: int) -> Response:
        require_reader(request, resource=RESOURCE, partners=True)
        episode = episode_for(request, episode_id=episode_id, view="api:meeting_list")
        qs = meeting_list_for(episode=episode)
        wanted = request.query_params.get("status")
        if wanted is not None:
            if wanted not in MeetingStatus.values:
                raise ValidationError({"status": [_("Choose one of the statuses listed.")]})
            qs = qs.filter(status=wanted)
        pager = NewestFirst(ordering=("-starts_at", "-id"))
        page = pager.paginate_queryset(qs, request, view=self) or []
        return pager.get_paginated_response(MeetingOut(page, many=True).data)

    @extend_schema(
        operation_id="meetings_schedule",
        request=MeetingIn,
        responses={201: MeetingOut, **CREATE_RESPONSES},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request: Request, episode_id: int) -> Response:
        require_writer(request, resource=RESOURCE)
        episode = episode_for(request, episode_id=episode_id, view="api:meeting_list", change=True)
        body = MeetingIn(data=request.data)
        body.is_valid(raise_exception=True)
        return idempotent(request, lambda: self._schedule(request, episode, body.validated_data))

    def _schedule(self, request: Request, episode: Episode, d: dict[str, Any]) -> Response:
        meeting = attempt_api(
            services.meeting_schedule,
            fields=FIELDS,
            actor=request.user,
            episode=episode,
            data=services.MeetingInput(
                kind=d["kind"],
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                location=d["location"],
                video_link=d["video_link"],
                agenda=d["agenda"],
                users=_users(d["users"]),
                outside=_outside(d["outside"]),
                client_takes_part=d["client_takes_part"],
                invite_client=d["invite_client"],
            ),
        )
        response = _meeting_response(meeting, code=status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(f"{meeting.pk}/")
        return response


class MeetingDetailApi(CoordinationApi):
    """One meeting (GET) and a change of a scheduled one (PATCH with `If-Match`: 412 when stale)."""

    @extend_schema(operation_id="meetings_read", responses={200: MeetingOut, **PROBLEM_RESPONSES})
    def get(self, request: Request, episode_id: int, meeting_id: int) -> Response:
        require_reader(request, resource=RESOURCE, partners=True)
        episode = episode_for(request, episode_id=episode_id, view="api:meeting_detail")
        meeting = meeting_in_reach(request, episode=episode, meeting_id=meeting_id, view="api:meeting_detail")
        response = Response(MeetingOut(meeting).data)
        response["ETag"] = meeting_etag(meeting)
        return response

    @extend_schema(
        operation_id="meetings_change",
        request=MeetingPatch,
        responses={200: MeetingOut, **CHANGE_RESPONSES},
        parameters=[IF_MATCH],
    )
    def patch(self, request: Request, episode_id: int, meeting_id: int) -> Response:
        require_writer(request, resource=RESOURCE)
        episode = episode_for(request, episode_id=episode_id, view="api:meeting_detail", change=True)
        meeting = meeting_in_reach(request, episode=episode, meeting_id=meeting_id, view="api:meeting_detail")
        require_if_match(request, current=meeting_etag(meeting))
        body = MeetingPatch(data=request.data)
        body.is_valid(raise_exception=True)
        data = _merged(meeting, body.validated_data)
        changed = attempt_api(
            services.meeting_change,
            fields=FIELDS,
            actor=request.user,
            meeting=meeting,
            expected_sequence=meeting.sequence,
            data=data,
        )
        return _meeting_response(changed)


def _merged(meeting: Meeting, d: dict[str, Any]) -> services.MeetingInput:
    """What the change leaves: the fields sent, the meeting's current values for the rest."""
    active = [p for p in meeting.participants.all() if p.removed_at is None]
    client = next((p for p in active if p.is_client), None)
    current_outside = [
        services.OutsideParticipant(p.name, p.organisation, p.email, p.pk)
        for p in active
        if p.user_id is None and not p.is_client
    ]
    return services.MeetingInput(
        kind=d.get("kind", meeting.kind),
        starts_at=d.get("starts_at", meeting.starts_at),
        ends_at=d.get("ends_at", meeting.ends_at or meeting.starts_at),
        location=d.get("location", meeting.location),
        video_link=d.get("video_link", meeting.video_link),
        agenda=d.get("agenda", meeting.agenda),
        users=_users(d["users"]) if "users" in d else [p.user for p in active if p.user is not None],
        outside=_outside(d["outside"]) if "outside" in d else current_outside,
        client_takes_part=d.get("client_takes_part", client is not None),
        invite_client=d.get("invite_client", client is not None and client.invited),
    )
