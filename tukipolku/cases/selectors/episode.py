"""One episode's own rows for its case page, read after the episode passed the access policy."""

from dataclasses import dataclass, field
from typing import Any

from tukipolku.access.actors import Actor
from tukipolku.access.log import refuse_other_object
from tukipolku.access.policy import (
    visible_among,
)
from tukipolku.cases.choices import AssignmentKind
from tukipolku.cases.models import Assignment, CaseTeamMember, Episode, FollowUp, StepRecord
from tukipolku.pathways.models import PathwayStep
from tukipolku.pathways.selectors import pathway_steps


@dataclass
class EpisodeDetail:
    """Everything the case page shows about the episode itself (sections add plan, meetings...)."""

    episode: Episode
    steps: list[PathwayStep]
    records: list[StepRecord]
    members: list[CaseTeamMember]
    assignments: list[Assignment]
    contact_person: Assignment | None
    own_worker: Assignment | None
    other_episodes: list[Episode] = field(default_factory=list)
    follow_ups: list[Any] = field(default_factory=list)


def episode_detail(*, actor: Actor, episode: Episode) -> EpisodeDetail:
    """The step list, step history, team and assignments of an episode already fetched through the gate."""
    steps = pathway_steps(version=episode.pathway_version)
    records = list(episode.step_records.select_related("started_by", "ended_by").order_by("started_at", "id"))
    members = list(episode.members.filter(removed_at__isnull=True).select_related("user").order_by("added_at", "id"))
    assignments = list(episode.assignments.select_related("user", "started_by").order_by("started_at", "id"))
    current = {a.kind: a for a in assignments if a.ended_at is None}
    others = visible_among(
        actor=actor,
        episodes=list(
            Episode.objects.filter(client_id=episode.client_id)
            .exclude(pk=episode.pk)
            .select_related("team")
            .order_by("-opened_at")
        ),
    )
    follow_ups = list(episode.follow_ups.select_related("owner").order_by("due_on")) if not episode.is_open else []
    return EpisodeDetail(
        episode=episode,
        follow_ups=follow_ups,
        steps=steps,
        records=records,
        members=members,
        assignments=assignments,
        contact_person=current.get(AssignmentKind.CONTACT_PERSON),
        own_worker=current.get(AssignmentKind.OWN_WORKER),
        other_episodes=others,
    )


def follow_up_get_for(*, actor: Actor, episode: Episode, follow_up_id: int, view: str) -> FollowUp:
    """A follow-up of an episode already fetched through the gate; one of another episode is 404."""
    follow_up = episode.follow_ups.select_related("owner", "recorded_by").filter(pk=follow_up_id).first()
    if follow_up is None:
        other = FollowUp.objects.filter(pk=follow_up_id).values_list("episode__client_id", "episode_id").first()
        refuse_other_object(actor=actor, view=view, owner=other, resource="follow_up")
    return follow_up
