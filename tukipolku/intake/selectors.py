"""Reads of notifications of need. A notification is client data: every function here decides who may
see it, records an access-log row for every client it returns and a `denied` row for every refusal.

* the sender (only the sender, not their colleagues): status, the team's reason and the client's name;
* active members of the receiving team: the whole notification, while it waits and after;
* everyone else: 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from tukipolku.access.actors import Actor, signed_in
from tukipolku.access.choices import AccessGround
from tukipolku.access.log import log_rows, refuse_row
from tukipolku.access.policy import active_team_ids, can_decide_need, can_send_need, need_is_sender
from tukipolku.audit.choices import AccessAction
from tukipolku.audit.services import access_record
from tukipolku.cases.choices import EpisodeStatus, IdentificationSource
from tukipolku.cases.models import Episode
from tukipolku.clients import identity
from tukipolku.clients.models import Client
from tukipolku.core.choices import OrganisationKind
from tukipolku.core.models import Organisation, Team
from tukipolku.core.permissions import SOCIAL_PROFESSIONS
from tukipolku.intake.choices import NeedStatus
from tukipolku.intake.constants import DECIDED_SHOWN, RESOURCE
from tukipolku.intake.models import NeedNotification

WAITING_SHOWN = 100
"""At most this many waiting notifications on the queue page (the oldest first); the count shows all."""

SOURCE_BY_KIND: dict[str, str] = {
    OrganisationKind.EMPLOYMENT_SERVICES: IdentificationSource.EMPLOYMENT_SERVICES,
    OrganisationKind.KELA: IdentificationSource.KELA,
    OrganisationKind.OCCUPATIONAL_HEALTH: IdentificationSource.OCCUPATIONAL_HEALTH,
    OrganisationKind.STUDENT_HEALTH: IdentificationSource.STUDENT_HEALTH,
    OrganisationKind.EDUCATION: IdentificationSource.STUDENT_HEALTH,
}
"""Where the need was noticed, by the kind of the sender's organisation. A sote-centre or welfare
region sender is social services (social workers and instructors) or a sote appointment."""


# ---------------------------------------------------------------- sending


def sender_source(*, actor: Actor) -> str:
    """The identification source a notification from this actor carries."""
    actor = signed_in(actor)  # a signed-in user from here on
    organisation = getattr(actor, "organisation", None)
    kind = organisation.kind if organisation is not None else ""
    if kind in SOURCE_BY_KIND:
        return SOURCE_BY_KIND[kind]
    if kind in (OrganisationKind.SOTE_CENTRE, OrganisationKind.WELFARE_REGION):
        if actor.profession in SOCIAL_PROFESSIONS:
            return IdentificationSource.SOCIAL_SERVICES
        return IdentificationSource.SOTE_APPOINTMENT
    return IdentificationSource.OTHER


def _region_id(organisation: Organisation | None) -> int | None:
    """The top of an organisation's parent chain (a sote-centre's welfare region)."""
    seen: set[int] = set()
    while organisation is not None and organisation.parent_id is not None and organisation.pk not in seen:
        seen.add(organisation.pk)
        organisation = organisation.parent
    return organisation.pk if organisation is not None else None


def team_choices_for_sender(*, actor: Actor) -> QuerySet[Team]:
    """Active teams a notification may go to: those of the sender's own welfare region first."""
    region = _region_id(getattr(actor, "organisation", None))
    own = (
        Q(organisation_id=region) | Q(organisation__parent_id=region) | Q(organisation__parent__parent_id=region)
        if region is not None
        else Q(pk__in=[])
    )
    return (
        Team.objects.filter(is_active=True)
        .select_related("organisation")
        .annotate(own=Case(When(own, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("own", "name", "pk")
    )


def need_client_lookup(*, actor: Actor, identity_code: str, view: str = "intake:send") -> Client | None:
    """The client register's row for an identity code, found while sending a notification (logged:
    the register was searched on the sender's behalf; nothing of it is shown to the sender)."""
    if not can_send_need(actor):
        return None
    code = identity.normalize(identity_code)
    client = Client.objects.filter(identity_code=code).first() if identity.is_valid(code) else None
    if client is not None:
        access_record(
            actor=actor,
            view=view,
            rows=[(client.pk, None)],
            action=AccessAction.SEARCH,
            basis=AccessGround.INTAKE_SENDER,
            resource=RESOURCE,
        )
    return client


# ---------------------------------------------------------------- the sender


def need_sent_list_for(*, actor: Actor, page_number: Any = 1) -> Page[NeedNotification]:
    """What the actor has sent, newest first: status, team, the client's name and a decline reason."""
    actor = signed_in(actor)  # a signed-in user from here on
    qs = (
        NeedNotification.objects.filter(sent_by=actor)
        .select_related("team")
        .only(
            "client_id",
            "episode_id",
            "team__name",
            "first_names",
            "last_name",
            "status",
            "sent_at",
            "decided_at",
            "decline_reason",
        )
        .order_by("-sent_at", "-pk")
    )
    if not can_send_need(actor):
        qs = qs.none()
    page = Paginator(qs, settings.TUKIPOLKU_CASELOAD_PAGE_SIZE).get_page(page_number)
    log_rows(
        actor=actor,
        view="intake:sent",
        items=list(page.object_list),
        basis=AccessGround.INTAKE_SENDER,
        action=AccessAction.LIST,
        resource=RESOURCE,
    )
    return page


def need_get_for_sender(*, actor: Actor, need_id: int, view: str = "intake:sent_detail") -> NeedNotification:
    """One notification the actor sent, for its status page; anyone else gets 404 (logged)."""
    need = (
        NeedNotification.objects.select_related("team", "team__organisation", "decided_by")
        .only(
            "client_id",
            "episode_id",
            "sent_by_id",
            "team__name",
            "team__organisation__name",
            "decided_by__first_name",
            "decided_by__last_name",
            "decided_by__username",
            "first_names",
            "last_name",
            "status",
            "sent_at",
            "decided_at",
            "decline_reason",
            "consent_on",
        )
        .filter(pk=need_id)
        .first()
    )
    if need is None or not need_is_sender(actor=actor, sent_by_id=need.sent_by_id):
        refuse_row(actor=actor, view=view, item=need, reason="not_sender", resource=RESOURCE)
    log_rows(
        actor=actor,
        view=view,
        items=[need],
        basis=AccessGround.INTAKE_SENDER,
        action=AccessAction.VIEW,
        resource=RESOURCE,
    )
    return need


# ---------------------------------------------------------------- the receiving team


@dataclass
class NeedQueue:
    waiting: list[NeedNotification]
    waiting_total: int
    decided: list[NeedNotification]
    has_teams: bool


def need_queue_for(*, actor: Actor) -> NeedQueue:
    """The intake queue of the actor's active teams: waiting notifications (the oldest first, with
    their age) and the most recently decided ones. Every client listed is logged."""
    teams = active_team_ids(actor)
    if not teams:
        return NeedQueue(waiting=[], waiting_total=0, decided=[], has_teams=False)
    base = NeedNotification.objects.filter(team_id__in=teams).select_related("team", "sender_organisation", "sent_by")
    waiting_qs = base.filter(status=NeedStatus.WAITING)
    waiting = list(waiting_qs.order_by("sent_at", "pk")[:WAITING_SHOWN])
    total = len(waiting) if len(waiting) < WAITING_SHOWN else waiting_qs.count()
    decided = list(
        base.exclude(status=NeedStatus.WAITING)
        .select_related("decided_by")
        .order_by("-decided_at", "-pk")[:DECIDED_SHOWN]
    )
    log_rows(
        actor=actor,
        view="intake:queue",
        items=[*waiting, *decided],
        basis=AccessGround.INTAKE_TEAM,
        action=AccessAction.LIST,
        resource=RESOURCE,
    )
    return NeedQueue(waiting=waiting, waiting_total=total, decided=decided, has_teams=True)


def need_waiting_count_for(*, actor: Actor) -> int:
    """How many notifications wait in the actor's teams (a count: no client is read)."""
    teams = active_team_ids(actor)
    if not teams:
        return 0
    return NeedNotification.objects.filter(team_id__in=teams, status=NeedStatus.WAITING).count()


def need_get_for(
    *, actor: Actor, need_id: int, view: str = "intake:detail", for_update: bool = False
) -> NeedNotification:
    """The whole notification for an active member of the receiving team; anyone else gets 404, and
    the refusal is logged. `for_update` locks the row (a decision)."""
    qs = NeedNotification.objects.select_related(
        "team", "team__organisation", "sent_by", "sender_organisation", "decided_by", "client"
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    need = qs.filter(pk=need_id).first()
    if need is None or not can_decide_need(actor=actor, team_id=need.team_id):
        refuse_row(actor=actor, view=view, item=need, reason="no_team", resource=RESOURCE)
    log_rows(
        actor=actor,
        view=view,
        items=[need],
        basis=AccessGround.INTAKE_TEAM,
        action=AccessAction.VIEW,
        resource=RESOURCE,
    )
    return need


def need_open_episode(*, need: NeedNotification) -> Episode | None:
    """The client's open relationship with the receiving team, if there is one (the notification's
    client, already logged by the caller)."""
    return (
        Episode.objects.filter(client_id=need.client_id, team_id=need.team_id, status=EpisodeStatus.OPEN)
        .only("pk", "client_id", "team_id")
        .first()
    )


def need_list_for_episode(*, episode: Episode) -> list[NeedNotification]:
    """The notifications an episode was opened from (or linked to), for the case page, which has
    fetched the episode through the gate and logged its client."""
    return list(
        NeedNotification.objects.filter(episode=episode)
        .select_related("sent_by", "sender_organisation", "decided_by")
        .order_by("sent_at", "pk")
    )


def need_sent_queryset_for(*, actor: Actor) -> QuerySet[NeedNotification]:
    """What the actor has sent, for a paged list that logs the rows it shows (`need_rows_log`)."""
    actor = signed_in(actor)  # a signed-in user from here on
    if not can_send_need(actor):
        return NeedNotification.objects.none()
    return NeedNotification.objects.filter(sent_by=actor).select_related("team")


def need_team_queryset_for(*, actor: Actor) -> QuerySet[NeedNotification]:
    """Every notification to the actor's active teams (waiting and decided), for a paged list."""
    return NeedNotification.objects.filter(team_id__in=active_team_ids(actor)).select_related(
        "team", "sender_organisation", "sent_by", "decided_by"
    )


def need_rows_log(*, actor: Actor, view: str, needs: list[NeedNotification], basis: str) -> None:
    """One access-log row per notification a list shows (`basis`: the sender's or the team's)."""
    log_rows(actor=actor, view=view, items=needs, basis=basis, action=AccessAction.LIST, resource=RESOURCE)
