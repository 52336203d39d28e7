"""The sweep's extension point: modules register the steps that find work nobody has picked up.

A step is `step(today) -> int`: it finds what is due (overdue actions, referrals, handovers not
accepted...) and hands `Finding`s to `notifications.services.notify_findings`, returning how many it
found. Steps must be idempotent: the sweep reruns them every few minutes and after a crash, and the
notification key decides that each finding reaches each recipient once.

Modules register in their `AppConfig.ready()`; `sweep` runs every registered step.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
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


sweep_steps: dict[str, Callable[[datetime.date], int]] = {}


def register_sweep_step(name: str, step: Callable[[datetime.date], int]) -> None:
    sweep_steps[name] = step
