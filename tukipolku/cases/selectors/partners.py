"""Partner staff's list of the clients whose consents let them see something, and what each partner
member of a client's team sees."""

from collections.abc import Sequence
from dataclasses import dataclass

from tukipolku.access.actors import Actor
from tukipolku.access.choices import AccessGround
from tukipolku.access.log import log_disclosure
from tukipolku.access.policy import (
    EpisodeAccess,
    episode_access,
    partner_candidate_episodes,
    partner_member_categories,
)
from tukipolku.audit.choices import AccessAction, AccessOutcome
from tukipolku.audit.services import access_record
from tukipolku.cases.models import CaseTeamMember, Episode
from tukipolku.core.models import Organisation
from tukipolku.core.permissions import is_partner
from tukipolku.privacy.choices import DataCategory, category_labels


@dataclass
class SharedEpisode:
    episode: Episode
    access: EpisodeAccess

    @property
    def labels(self) -> list[str]:
        return category_labels(list(self.access.categories))


def partner_episodes_for(*, actor: Actor) -> list[SharedEpisode]:
    """Partner staff's list: clients whose consents let the actor's organisation see something.

    Every episode the actor takes part in is read to check its consents: those shown are logged as a
    list (and disclosed), those the gate refuses are logged as refused."""
    candidates = partner_candidate_episodes(actor)
    shown = {e.pk for e in candidates if episode_access(actor=actor, episode=e) is not None}
    episodes = list(
        Episode.objects.filter(pk__in=shown)
        .select_related("client", "team", "team__organisation", "current_step")
        .order_by("client__last_name", "client__first_names", "pk")
    )
    rows = []
    for e in episodes:
        access = episode_access(actor=actor, episode=e)
        if access is None:
            continue
        rows.append(SharedEpisode(e, access))
        plan = access.reads(DataCategory.SHARED_PLAN)
        categories: list[str] = [DataCategory.SHARED_PLAN] if plan else list(access.categories)[:1]
        log_disclosure(actor=actor, view="cases:partner_home", episode=e, access=access, categories=categories)
    access_record(
        actor=actor,
        view="cases:partner_home",
        rows=[(r.episode.client_id, r.episode.pk) for r in rows],
        action=AccessAction.LIST,
        basis=AccessGround.PARTNER,
    )
    refused = [(e.client_id, e.pk) for e in candidates if e.pk not in shown]
    if refused:
        access_record(
            actor=actor,
            view="cases:partner_home",
            rows=refused,
            action=AccessAction.LIST,
            basis=AccessGround.NONE,
            outcome=AccessOutcome.DENIED,
            reason="no_consent",
            resource="list",
        )
    return rows


def partner_member_sharing(*, episode: Episode, members: Sequence[CaseTeamMember]) -> dict[int, list[str]]:
    """What each partner member of the client's team sees, by team-member id: the labels of the data
    categories the client's consents (or a legal-basis grant to them) open; an empty list when nothing.
    The caller has read the episode through the policy (which reads the client's consents)."""
    partners = [m for m in members if is_partner(m.user)]
    if not partners:
        return {}
    organisations = Organisation.objects.select_related("parent").in_bulk({m.user.organisation_id for m in partners})
    found = partner_member_categories(episode=episode, members=partners, organisations=organisations)
    return {pk: category_labels(categories) for pk, categories in found.items()}
