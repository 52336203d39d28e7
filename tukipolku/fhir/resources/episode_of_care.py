"""Client relationship (`cases.Episode`) → FI Base EpisodeOfCare, and its client team → CareTeam.

EpisodeOfCare (`fi-base-episode-of-care`): status `active` while open, `finished` once closed (there
is no waiting list or pause in our model); `period` from opening to closing; `type` is the pathway
(our code system `pathway`, code = the pathway's code); `managingOrganization` the team's
organisation; `careManager` the current contact person (asiakasvastaava) as a Practitioner, which FI
Base allows; `team` the client team (CareTeam of the same id). The closing outcome goes in our
extension `episode-outcome`.

CareTeam (no FI Base profile): one per episode, same id: the professionals of the client team with
their role in the case, and the contact person and own worker with their period of responsibility.
Category LOINC LA27977-0 "Episode of care-focused care team".

For bulk use fetch `client`, `team`, `pathway_version__pathway` with the episode and prefetch
`assignments__user` and `members__user`: the functions only filter what they are given.
"""

from __future__ import annotations

from typing import Any

from tukipolku.cases.choices import AssignmentKind, EpisodeStatus, Outcome
from tukipolku.cases.models import Assignment, Episode
from tukipolku.fhir.resources.common import (
    choice_concept,
    code_system,
    concept,
    extension_url,
    meta,
    period,
    prune,
    ref,
)
from tukipolku.fhir.resources.practitioner import practitioner_ref

STATUS = {EpisodeStatus.OPEN: "active", EpisodeStatus.CLOSED: "finished"}
LOINC = "http://loinc.org"


def current_assignment(episode: Episode, kind: str) -> Assignment | None:
    """The current contact person's (or own worker's) assignment, from the (prefetched) assignments."""
    return next((a for a in episode.assignments.all() if a.kind == kind and a.ended_at is None), None)


def to_fhir_episode_of_care(episode: Episode) -> dict[str, Any]:
    pathway = episode.pathway_version.pathway
    contact = current_assignment(episode, AssignmentKind.CONTACT_PERSON)
    resource: dict[str, Any] = {
        "resourceType": "EpisodeOfCare",
        "id": str(episode.pk),
        "meta": meta(profile="fi-base-episode-of-care", updated=episode.updated_at),
        "status": STATUS[EpisodeStatus(episode.status)],
        "type": [concept(code_system("pathway"), pathway.code, pathway.localized("name"))],
        "patient": ref("Patient", episode.client_id),
        "managingOrganization": ref("Organization", episode.team.organisation_id),
        "period": period(episode.opened_at, episode.closed_at),
        "careManager": practitioner_ref(contact.user) if contact is not None else None,
        "team": [ref("CareTeam", episode.pk, episode.team.name)],
    }
    if episode.outcome:
        resource["extension"] = [
            {
                "url": extension_url("episode-outcome"),
                "valueCodeableConcept": choice_concept("episode-outcome", Outcome, episode.outcome),
            }
        ]
    return prune(resource)


def to_fhir_care_team(episode: Episode) -> dict[str, Any]:
    """The client team of the episode: its current members and responsibilities (history kept)."""
    participants: list[dict[str, Any]] = []
    for member in episode.members.all():
        if member.removed_at is not None:
            continue
        participants.append(
            {
                "role": [{"text": member.role_in_case}] if member.role_in_case else [],
                "member": practitioner_ref(member.user),
                "onBehalfOf": ref("Organization", member.user.organisation_id) if member.user.organisation_id else None,
                "period": period(member.added_at),
            }
        )
    for assignment in episode.assignments.all():
        participants.append(
            {
                "role": [choice_concept("assignment-kind", AssignmentKind, assignment.kind)],
                "member": practitioner_ref(assignment.user),
                "period": period(assignment.started_at, assignment.ended_at),
            }
        )
    resource: dict[str, Any] = {
        "resourceType": "CareTeam",
        "id": str(episode.pk),
        "meta": meta(updated=episode.updated_at),
        "status": "active" if episode.is_open else "inactive",
        "category": [concept(LOINC, "LA27977-0", "Episode of care-focused care team")],
        "name": episode.team.name,
        "subject": ref("Patient", episode.client_id),
        "period": period(episode.opened_at, episode.closed_at),
        "participant": participants,
        "managingOrganization": [ref("Organization", episode.team.organisation_id)],
    }
    return prune(resource)
