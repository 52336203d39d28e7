"""Client relationships (episodes) with their team and contact person, the client's consents, and
the service plan with its goals and actions: read, an action's status changed (`If-Match`), and an
action added (`Idempotency-Key`). Each read goes through `access.log` like the pages do."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tukipolku.access.log import episode_get_for, log_listed, refuse_other_object
from tukipolku.access.policy import episode_access, episode_candidate_q
from tukipolku.access.readers import AnyReader, account_of
from tukipolku.api.auth import reader_of
from tukipolku.api.choices import Scope
from tukipolku.api.conventions import ApiViewSet, etag_for, idempotent, require_if_match, with_etag
from tukipolku.api.filters import UtcIsoDateTimeFilter
from tukipolku.api.schema import CHANGE_RESPONSES, CREATE_RESPONSES, IDEMPOTENCY_KEY, IF_MATCH, PROBLEM_RESPONSES
from tukipolku.audit.services import access_denied
from tukipolku.cases.choices import AssignmentKind, EpisodeStatus
from tukipolku.cases.models import Assignment, Episode
from tukipolku.cases.selectors.clients import case_team_candidates
from tukipolku.core.permissions import can_work_with_clients
from tukipolku.plans import services as plan_services
from tukipolku.plans.choices import ActionStatus, GoalDomain, GoalStatus
from tukipolku.plans.models import Action, Goal, Plan
from tukipolku.privacy.choices import DataCategory
from tukipolku.privacy.selectors import consent_list_for_client

ID = r"[0-9]{1,18}"

# ---------------------------------------------------------------- serializers (output)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    profession = serializers.CharField()


class TeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    organisation = serializers.IntegerField()


class StepSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    name = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)


class EpisodeSerializer(serializers.Serializer):
    """A client relationship. Team, step and people only for readers of the shared plan (else null)."""

    id = serializers.IntegerField()
    client = serializers.IntegerField()
    status = serializers.ChoiceField(choices=EpisodeStatus.choices)
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(allow_null=True)
    team = TeamSerializer(allow_null=True)
    current_step = StepSerializer(allow_null=True)
    contact_person = PersonSerializer(allow_null=True)
    own_worker = PersonSerializer(allow_null=True)
    categories = serializers.ListField(child=serializers.CharField(), help_text="Data categories the reader may read.")
    updated_at = serializers.DateTimeField()


class ConsentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    recipient_organisation = serializers.IntegerField(allow_null=True)
    recipient_kind = serializers.CharField()
    categories = serializers.ListField(child=serializers.CharField())
    purpose = serializers.CharField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    in_force = serializers.BooleanField()


class ActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    goal = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    owner = PersonSerializer()
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    source = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)
    etag = serializers.CharField(help_text="Send as If-Match to change the action.")


class GoalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    domain = serializers.ChoiceField(choices=GoalDomain.choices)
    description = serializers.CharField()
    client_wording = serializers.CharField()
    target_on = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=GoalStatus.choices)


class PlanSerializer(serializers.Serializer):
    episode = serializers.IntegerField()
    revision = serializers.IntegerField()
    summary = serializers.CharField()
    next_review_on = serializers.DateField(allow_null=True)
    goals = GoalSerializer(many=True)
    actions = ActionSerializer(many=True)


# ---------------------------------------------------------------- serializers (input)


class ActionStatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices)


class ActionCreateInput(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    owner = serializers.IntegerField(min_value=1, max_value=2**62)
    due_on = serializers.DateField()
    goal = serializers.IntegerField(min_value=1, max_value=2**62, required=False, allow_null=True)


class EpisodeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=EpisodeStatus.choices)
    client = django_filters.NumberFilter(field_name="client_id", min_value=1, max_value=2**62)
    team = django_filters.NumberFilter(field_name="team_id", min_value=1, max_value=2**62)
    updated_after = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gt")

    class Meta:
        model = Episode
        fields: list[str] = []


# ---------------------------------------------------------------- representations


def _person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.display_name, "profession": user.profession}


def _assignments(episodes: list[Episode]) -> dict[tuple[int, str], Any]:
    rows = Assignment.objects.filter(episode__in=episodes, ended_at__isnull=True).select_related("user")
    return {(a.episode_id, a.kind): a.user for a in rows}


def _episode(reader: AnyReader, episode: Episode, people: dict[tuple[int, str], Any]) -> dict[str, Any]:
    access = episode_access(actor=reader, episode=episode)
    categories = sorted(access.categories) if access is not None else []
    shared = DataCategory.SHARED_PLAN in categories
    step = episode.current_step
    return {
        "id": episode.pk,
        "client": episode.client_id,
        "status": episode.status,
        "opened_at": episode.opened_at,
        "closed_at": episode.closed_at,
        "outcome": episode.outcome or None,
        "team": {"id": episode.team_id, "name": episode.team.name, "organisation": episode.team.organisation_id}
        if shared
        else None,
        "current_step": {
            "id": step.pk,
            "order": step.order,
            "name": step.localized("name"),
            "due_on": episode.current_step_due,
        }
        if shared and step is not None
        else None,
        "contact_person": _person(people.get((episode.pk, AssignmentKind.CONTACT_PERSON))) if shared else None,
        "own_worker": _person(people.get((episode.pk, AssignmentKind.OWN_WORKER))) if shared else None,
        "categories": categories,
        "updated_at": episode.updated_at,
    }


def _action(action: Action) -> dict[str, Any]:
    return {
        "id": action.pk,
        "goal": action.goal_id,
        "title": action.title,
        "owner": _person(action.owner),
        "due_on": action.due_on,
        "status": action.status,
        "source": action.source,
        "completed_at": action.completed_at,
        "etag": _action_etag(action),
    }


def _action_etag(action: Action) -> str:
    return etag_for(f"action:{action.pk}:{action.updated_at.isoformat()}:{action.status}")


def _plan(episode: Episode) -> tuple[dict[str, Any], str]:
    plan = Plan.objects.filter(episode=episode).first()
    goals = list(Goal.objects.filter(plan=plan).order_by("pk")) if plan is not None else []
    actions = list(Action.objects.filter(plan=plan).select_related("owner").order_by("due_on", "pk")) if plan else []
    revision = plan.revision if plan is not None else 0
    body = {
        "episode": episode.pk,
        "revision": revision,
        "summary": plan.summary if plan is not None else "",
        "next_review_on": plan.next_review_on if plan is not None else None,
        "goals": [
            {
                "id": g.pk,
                "domain": g.domain,
                "description": g.description,
                "client_wording": g.client_wording,
                "target_on": g.target_on,
                "status": g.status,
            }
            for g in goals
        ],
        "actions": [_action(a) for a in actions],
    }
    return body, etag_for(f"plan:{episode.pk}:{revision}")


SELECT = ("client", "team", "team__organisation", "team__organisation__parent", "current_step")


@extend_schema_view(
    list=extend_schema(
        summary="Client relationships the reader may see", responses={200: EpisodeSerializer, **PROBLEM_RESPONSES}
    ),
    retrieve=extend_schema(summary="One client relationship", responses={200: EpisodeSerializer, **PROBLEM_RESPONSES}),
)
class EpisodeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Client relationships (asiakkuus), with the team and contact person for readers of the shared
    plan; the client's consents; the service plan."""

    serializer_class = EpisodeSerializer
    filterset_class = EpisodeFilter
    required_scopes = (Scope.API_READ,)
    required_scopes_by_action = {
        "action_create": (Scope.API_WRITE,),
        "action_update": (Scope.API_WRITE,),
    }
    queryset = Episode.objects.none()  # the schema's model; the reader's rows come from get_queryset
    lookup_value_regex = ID

    def get_queryset(self) -> QuerySet[Episode]:
        return Episode.objects.filter(episode_candidate_q(reader_of(self.request))).select_related(*SELECT)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reader = reader_of(request)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        episodes = list(page) if page is not None else []
        shown = [e for e in episodes if episode_access(actor=reader, episode=e) is not None]
        refused = [e for e in episodes if e not in shown]
        log_listed(actor=reader, view="api:episode-list", episodes=shown, refused=refused, resource="case")
        people = _assignments(shown)
        return self.get_paginated_response([_episode(reader, e, people) for e in shown])

    def _get(self, request: Request, pk: str, view: str, **kw: Any) -> Episode:
        return episode_get_for(actor=reader_of(request), episode_id=int(pk), view=view, **kw)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reader = reader_of(request)
        episode = self._get(request, kwargs["pk"], "api:episode-detail", require=None)
        body = _episode(reader, episode, _assignments([episode]))
        return with_etag(Response(body), etag_for(f"episode:{episode.pk}:{episode.updated_at.isoformat()}"))

    @extend_schema(
        summary="The client's consents and prohibitions",
        description="For team professionals of the relationship, as on the consents page (others 403 or 404).",
        responses={200: ConsentSerializer(many=True), **PROBLEM_RESPONSES},
    )
    @action(detail=True, methods=["get"], url_path="consents", pagination_class=None, filterset_class=None)
    def consents(self, request: Request, pk: str) -> Response:
        reader = reader_of(request)
        episode = self._get(request, pk, "api:episode-consents")
        access = episode_access(actor=reader, episode=episode)
        if access is None or access.partner or not can_work_with_clients(account_of(reader)):
            access_denied(
                actor=account_of(reader),
                view="api:episode-consents",
                client_id=episode.client_id,
                episode_id=episode.pk,
                reason="role",
                resource="consents",
            )
            raise PermissionDenied
        rows = [
            {
                "id": c.pk,
                "kind": c.kind,
                "recipient_organisation": c.recipient_organisation_id,
                "recipient_kind": c.recipient_kind,
                "categories": list(c.categories),
                "purpose": c.purpose,
                "valid_from": c.valid_from,
                "valid_until": c.valid_until,
                "withdrawn_at": c.withdrawn_at,
                "in_force": c.is_in_force(),
            }
            for c in consent_list_for_client(client_id=episode.client_id)
        ]
        return Response(rows)

    @extend_schema(
        summary="The service plan with its goals and actions", responses={200: PlanSerializer, **PROBLEM_RESPONSES}
    )
    @action(detail=True, methods=["get"], url_path="plan", pagination_class=None, filterset_class=None)
    def plan(self, request: Request, pk: str) -> Response:
        episode = self._get(request, pk, "api:episode-plan", require=DataCategory.SHARED_PLAN)
        body, etag = _plan(episode)
        return with_etag(Response(body), etag)

    @extend_schema(
        summary="Add an action to the plan",
        request=ActionCreateInput,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ActionSerializer, **CREATE_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="plan/actions", pagination_class=None, filterset_class=None)
    def action_create(self, request: Request, pk: str) -> Response:
        episode = self._get(request, pk, "api:episode-action-create", for_change=True, open_only=True)

        def create() -> Response:
            form = ActionCreateInput(data=request.data)
            form.is_valid(raise_exception=True)
            d = form.validated_data
            owner = case_team_candidates(episode=episode).filter(pk=d["owner"]).first()
            if owner is None:
                raise serializers.ValidationError(
                    {"owner": [_("Choose a professional of the organisation's teams as the responsible person.")]}
                )
            goal = None
            if d.get("goal") is not None:
                goal = Goal.objects.filter(pk=d["goal"], plan__episode=episode).first()
                if goal is None:
                    raise serializers.ValidationError({"goal": [_("This goal is not in this client's plan.")]})
            created = plan_services.action_create(
                actor=request.user, episode=episode, title=d["title"], owner=owner, due_on=d["due_on"], goal=goal
            )
            location = f"/api/v1/episodes/{episode.pk}/plan/actions/{created.pk}/"
            response = Response(_action(created), status=status.HTTP_201_CREATED, headers={"Location": location})
            response["ETag"] = _action_etag(created)
            return response

        return idempotent(request, create)

    @extend_schema(
        summary="Change an action's status",
        request=ActionStatusInput,
        parameters=[IF_MATCH, OpenApiParameter("action_id", int, OpenApiParameter.PATH)],
        responses={200: ActionSerializer, **CHANGE_RESPONSES},
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=rf"plan/actions/(?P<action_id>{ID})",
        pagination_class=None,
        filterset_class=None,
    )
    def action_update(self, request: Request, pk: str, action_id: str) -> Response:
        reader = reader_of(request)
        view = "api:episode-action-update"
        episode = self._get(request, pk, view, for_change=True)
        owner = (
            Action.objects.filter(pk=int(action_id)).values_list("plan__episode__client_id", "plan__episode_id").first()
        )
        if owner is None or owner[1] != episode.pk:
            refuse_other_object(actor=reader, view=view, owner=owner, resource="action")
        Plan.objects.select_for_update().filter(episode=episode).first()  # the check and the change, in turn
        current = Action.objects.select_related("owner").get(pk=int(action_id))
        require_if_match(request, current=_action_etag(current))
        form = ActionStatusInput(data=request.data)
        form.is_valid(raise_exception=True)
        changed = plan_services.action_set_status(
            actor=request.user, episode=episode, action_id=current.pk, status=form.validated_data["status"]
        )
        changed.refresh_from_db()
        return with_etag(Response(_action(changed)), _action_etag(changed))
