"""Meeting (`meetings.Meeting`) → FI Base Appointment (`fi-base-appointment`).

`status`: scheduled → `booked`, held → `fulfilled`, cancelled → `cancelled`. `start`/`end` are the
meeting's; a meeting recorded afterwards without an end gets the hour the calendar invitations also
assume (`meetings.calendar`), since FHIR's app-2/app-3 want both for a booked or fulfilled
appointment. `serviceType` is the kind of meeting (our code system). Participants: users as
Practitioner, the client as Patient (FI Base restricts `participant.actor` to these, RelatedPerson,
Device, HealthcareService and Location), an outside person as a display-only actor; the place is a
contained Location. `supportingInformation` names the EpisodeOfCare; `comment` is the agenda. The
minutes and decisions of a held meeting are not in the Appointment (an Encounter would carry them).
`meta.versionId` is the invitation sequence: the optimistic lock of a change.
"""

from __future__ import annotations

import datetime
from typing import Any

from tukipolku.fhir.resources.common import choice_concept, instant, meta, prune, ref
from tukipolku.fhir.resources.practitioner import practitioner_ref
from tukipolku.meetings.choices import MeetingKind, MeetingStatus
from tukipolku.meetings.models import Meeting, Participant

STATUS = {MeetingStatus.SCHEDULED: "booked", MeetingStatus.HELD: "fulfilled", MeetingStatus.CANCELLED: "cancelled"}
DEFAULT_LENGTH = datetime.timedelta(hours=1)
LOCATION_ID = "place"


def to_fhir_appointment(meeting: Meeting) -> dict[str, Any]:
    """The meeting; fetch `episode` with it and prefetch `participants__user` for bulk use."""
    status = MeetingStatus(meeting.status)
    participant_status = "accepted" if status == MeetingStatus.HELD else "needs-action"
    if status == MeetingStatus.CANCELLED:
        participant_status = "declined"
    participants = [
        _participant(p, meeting.episode.client_id, participant_status)
        for p in meeting.participants.all()
        if p.removed_at is None
    ]
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": str(meeting.pk),
        "meta": meta(profile="fi-base-appointment", updated=meeting.updated_at, version=meeting.sequence),
        "status": STATUS[status],
        "serviceType": [choice_concept("meeting-kind", MeetingKind, meeting.kind)],
        "description": str(MeetingKind(meeting.kind).label),
        "supportingInformation": [ref("EpisodeOfCare", meeting.episode_id)],
        "start": instant(meeting.starts_at),
        "end": instant(meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH),
        "created": instant(meeting.created_at),
        "comment": meeting.agenda,
        "participant": participants,
    }
    if meeting.location:
        resource["contained"] = [
            {"resourceType": "Location", "id": LOCATION_ID, "status": "active", "name": meeting.location}
        ]
        resource["participant"].append(
            {"actor": {"reference": f"#{LOCATION_ID}", "display": meeting.location}, "status": "accepted"}
        )
    if not resource["participant"]:
        # FHIR requires at least one participant; a meeting always has its organiser.
        resource["participant"] = [{"actor": practitioner_ref(meeting.organizer), "status": participant_status}]
    return prune(resource)


def _participant(participant: Participant, client_id: int, status: str) -> dict[str, Any]:
    actor: dict[str, Any] | None
    if participant.is_client:
        actor = ref("Patient", client_id)
    elif participant.user_id is not None:
        actor = practitioner_ref(participant.user)
    else:
        name = ", ".join(part for part in (participant.name, participant.organisation) if part)
        actor = {"display": name}
    return {"actor": actor, "required": "required", "status": status}
