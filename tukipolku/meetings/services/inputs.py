"""What the meeting forms hand to the services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from tukipolku.core.models import User


@dataclass
class DecisionInput:
    text: str
    owner: User | None = None
    due_on: datetime.date | None = None


@dataclass
class OutsideParticipant:
    """A participant who is not a user of the system. `id`: the existing participant when changing."""

    name: str
    organisation: str = ""
    email: str = ""
    id: int | None = None


@dataclass
class MeetingInput:
    """What the schedule and change forms give: time, place, who, and the agenda."""

    kind: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    location: str = ""
    video_link: str = ""
    agenda: str = ""
    users: list[User] | None = None
    outside: list[OutsideParticipant] | None = None
    client_takes_part: bool = False
    invite_client: bool = False
