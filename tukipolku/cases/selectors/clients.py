"""Finding clients (by name in reach, by exact identity code anywhere) and the client reads before a
relationship is opened: for a new relationship, for emergency access. Every hit is logged."""

from dataclasses import dataclass

from django.db.models import (
    Prefetch,
    Q,
    QuerySet,
)
from django.http import Http404

from tukipolku.access.actors import Actor
from tukipolku.access.choices import AccessGround
from tukipolku.access.policy import (
    can_open_emergency_access,
    can_search_clients,
    client_visible_q,
    episode_visible_q,
    visible_episodes,
)
from tukipolku.audit.choices import AccessAction
from tukipolku.audit.services import access_denied, access_record
from tukipolku.cases.models import Episode
from tukipolku.clients import identity
from tukipolku.clients.models import Client
from tukipolku.core.models import TeamMembership, User
from tukipolku.core.permissions import PARTNER_PROFESSIONS, TEAM_PROFESSIONS

# ---------------------------------------------------------------- finding clients


@dataclass
class ClientHit:
    client: Client
    episodes: list[Episode]
    visible: bool


def client_find_for(*, actor: Actor, query: str) -> tuple[list[ClientHit], str | None]:
    """Find clients by identity code (exact, any client) or by name (only clients in reach).

    Returns the hits and the normalised identity code when the query was one. An exact identity-code
    match is shown even outside the actor's teams (name and birth date only) so that a new
    relationship can be opened; every hit is written to the access log. Actors who may not search
    clients (administrators, partner staff) find nobody.
    """
    if not can_search_clients(actor):
        return [], None
    query = query.strip()
    if identity.looks_like_identity_code(query):
        code = identity.normalize(query)
        client = Client.objects.filter(identity_code=code).first() if identity.is_valid(code) else None
        if client is None:
            return [], code
        episodes = list(
            Episode.objects.filter(episode_visible_q(actor), client=client).select_related("team", "current_step")
        )
        visible = bool(episodes)
        access_record(
            actor=actor,
            view="cases:intake",
            rows=[(client.pk, None)],
            action=AccessAction.SEARCH,
            basis=AccessGround.TEAM if visible else AccessGround.IDENTITY_CODE,
        )
        return [ClientHit(client=client, episodes=episodes, visible=visible)], code
    terms = query.split()[:3]
    if not terms or len(query) < 2:
        return [], None
    qs = Client.objects.filter(client_visible_q(actor))
    for term in terms:
        qs = qs.filter(Q(last_name__icontains=term) | Q(first_names__icontains=term))
    clients = list(
        qs.order_by("last_name", "first_names").prefetch_related(
            Prefetch(
                "episodes",
                queryset=Episode.objects.filter(episode_visible_q(actor)).select_related("team", "current_step"),
                to_attr="visible_episodes",
            )
        )[:20]
    )
    access_record(
        actor=actor,
        view="cases:intake",
        rows=[(c.pk, None) for c in clients],
        action=AccessAction.SEARCH,
        basis=AccessGround.TEAM,
    )
    return [ClientHit(client=c, episodes=c.visible_episodes, visible=True) for c in clients], None


def client_log_duplicate_for(*, actor: Actor, client: Client) -> None:
    """Log that an existing client was shown to the actor because they typed the same identity code for
    a new client (the duplicate is offered instead). Same bases as a search by identity code."""
    visible = Client.objects.filter(client_visible_q(actor), pk=client.pk).exists()
    access_record(
        actor=actor,
        view="cases:intake_new",
        rows=[(client.pk, None)],
        action=AccessAction.SEARCH,
        basis=AccessGround.TEAM if visible else AccessGround.IDENTITY_CODE,
    )


def client_get_for_opening(*, actor: Actor, client_id: int, looked_up_ids: set[int]) -> Client:
    """A client for whom the actor may open a relationship: in reach, or found by exact identity code
    in this session. Anything else is 404."""
    client = Client.objects.filter(pk=client_id).first() if can_search_clients(actor) else None
    if client is not None and client.pk in looked_up_ids:
        basis = AccessGround.IDENTITY_CODE
    elif client is not None and Client.objects.filter(client_visible_q(actor), pk=client.pk).exists():
        basis = AccessGround.TEAM
    else:
        access_denied(
            actor=actor,
            view="cases:episode_open",
            client_id=client.pk if client is not None else None,
            reason="not_found" if client is None else "no_relationship",
            resource="client",
        )
        raise Http404
    access_record(
        actor=actor, view="cases:episode_open", rows=[(client.pk, None)], action=AccessAction.VIEW, basis=basis
    )
    return client


def case_team_candidates(*, episode: Episode, include_partners: bool = True) -> QuerySet[User]:
    """Who may join this client's team or a meeting: active members of the organisation's teams, and
    partner staff (who then see only what the client's consents allow for their organisation)."""
    user_ids = (
        TeamMembership.objects.active().filter(team__organisation_id=episode.team.organisation_id).values("user_id")
    )
    team = Q(pk__in=user_ids, profession__in=TEAM_PROFESSIONS)
    partners = Q(profession__in=PARTNER_PROFESSIONS, organisation__isnull=False) if include_partners else Q(pk__in=[])
    return (
        User.objects.filter(team | partners, is_active=True)
        .select_related("organisation")
        .order_by("last_name", "first_name")
    )


def client_get_for_emergency(*, actor: Actor, client_id: int, looked_up_ids: set[int]) -> Client:
    """A client found by exact identity code in this session, for break-the-glass access. Else 404."""
    client = Client.objects.filter(pk=client_id).first() if can_open_emergency_access(actor) else None
    if client is None or client.pk not in looked_up_ids:
        access_denied(
            actor=actor,
            view="cases:emergency_access",
            client_id=client.pk if client is not None else None,
            reason="not_looked_up",
            resource="client",
        )
        raise Http404
    access_record(
        actor=actor,
        view="cases:emergency_access",
        rows=[(client.pk, None)],
        action=AccessAction.VIEW,
        basis=AccessGround.IDENTITY_CODE,
        resource="client",
    )
    return client


def emergency_episode_for(*, actor: Actor, client: Client) -> Episode | None:
    """The newest relationship of the client the actor now reaches (after opening emergency access)."""
    return visible_episodes(actor).filter(client=client).order_by("-opened_at", "-pk").first()
