"""What the handover services share: the page address, the event, the row lock and who may be chosen."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from tukipolku.access.actors import Actor, signed_in
from tukipolku.access.policy import HANDOVER_SENDING_PROFESSIONS
from tukipolku.audit.services import event_record
from tukipolku.core.models import Team, TeamMembership, User
from tukipolku.core.permissions import TEAM_PROFESSIONS
from tukipolku.handovers.constants import RECEIVING_NURSE_PROFESSIONS
from tukipolku.handovers.models import Handover


def detail_url(*, handover_id: int) -> str:
    """The handover's page: an id only, no personal data."""
    return reverse("handovers:detail", args=[handover_id])


def handover_event(*, actor: Actor | None, verb: str, handover: Handover, **payload: Any) -> None:
    """Append the handover's domain event (in the caller's transaction)."""
    event_record(
        actor=actor,
        verb=verb,
        client_id=handover.client_id,
        episode_id=handover.episode_id,
        target=handover,
        payload=payload,
    )


def lock(*, handover: Handover) -> Handover:
    """Re-read the handover under a row lock so that concurrent changes serialise."""
    return Handover.objects.select_for_update(of=("self",)).select_related("team").get(pk=handover.pk)


def team_members(*, team_id: int, role: str | None = None) -> list[int]:
    """Ids of the team's active professionals (managers only, with `role`)."""
    qs = TeamMembership.objects.active().filter(
        team_id=team_id, user__is_active=True, user__profession__in=TEAM_PROFESSIONS
    )
    if role is not None:
        qs = qs.filter(role=role)
    return sorted(set(qs.values_list("user_id", flat=True)))


def receiving_nurse_candidates(*, team_id: int) -> QuerySet[User]:
    """Who can be named the receiving nurse: active (public health) nurses of the receiving team."""
    ids = TeamMembership.objects.active().filter(team_id=team_id).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True, profession__in=RECEIVING_NURSE_PROFESSIONS).order_by(
        "last_name", "first_name"
    )


def sending_contact_candidates(*, actor: Actor) -> QuerySet[User]:
    """The sending contact person: occupational or student health staff of the actor's organisation."""
    actor = signed_in(actor)  # a signed-in user from here on
    return User.objects.filter(
        Q(organisation_id=actor.organisation_id), is_active=True, profession__in=HANDOVER_SENDING_PROFESSIONS
    ).order_by("last_name", "first_name")


def receiving_team_candidates() -> QuerySet[Team]:
    """Active teams a handover can be sent to."""
    return Team.objects.filter(is_active=True).select_related("organisation").order_by("name")
