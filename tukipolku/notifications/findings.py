"""What a sweep step found: one notification to one recipient, keyed so that it reaches them once."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    kind: str  # NotificationKind
    key: str  # what it is about, stable across runs: "<kind>:<object id>:<what makes it new>"
    recipient_id: int
    episode_id: int | None = None
    object_id: int | None = None
    due_on: datetime.date | None = None
    url: str = ""
