"""The sweep's registry: the extension points where modules register what nobody has picked up yet.

1. **Sweep steps.** A step is `step(today) -> int`: it finds what is due (overdue actions, referrals,
   handovers not accepted...) and hands `Finding`s to `notifications.services.notify_findings`,
   returning how many it found. Steps must be idempotent: the sweep reruns them every few minutes and
   after a crash, and the notification key decides that each finding reaches each recipient once.
   Queries must be set-based (one query over what is due, on an index), never a loop over all open
   objects: the sweep's time must grow with what is due (docs/performance.md).

2. **Unfinished checks.** The team manager's "unfinished processes" page shows, per open episode of
   the manager's teams, what is wrong. A check gives a filter on `cases.Episode` that keeps the
   episodes with the problem (a subquery, so the page can page over them) and, for the episodes of
   one page, a short text per episode (counts and dates, no client data beyond what the case page
   already shows its team). The referrals and handovers modules register theirs (overdue referrals,
   handovers not accepted) next to their sweep steps.

Modules register from the `register()` of their `hooks.py`, which their `AppConfig.ready()` calls (one
way to plug in, ADR 0004); `sweep` runs every registered step and check. A step hands its findings to
`notifications.services.notify_findings` (`notifications.findings.Finding`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

sweep_steps: dict[str, Callable[[datetime.date], int]] = {}


def register_sweep_step(name: str, step: Callable[[datetime.date], int]) -> None:
    sweep_steps[name] = step


@dataclass(frozen=True)
class UnfinishedCheck:
    """One kind of unfinished process on the manager's page.

    `episodes_q(today)` returns a `Q` over `cases.Episode` (use `Exists(...OuterRef("pk"))`) that keeps
    the open episodes with this problem; `details(episode_ids, today)` returns, for those of the ids
    that have it, a short translated text (e.g. "2 overdue, the oldest due 1.3.2026") in one query.
    """

    label: Any  # a lazily translated heading, e.g. _("Overdue referrals")
    episodes_q: Callable[[datetime.date], Any]
    details: Callable[[Sequence[int], datetime.date], dict[int, str]]
    order: int = 100


unfinished_checks: dict[str, UnfinishedCheck] = {}


def register_unfinished_check(name: str, check: UnfinishedCheck) -> None:
    unfinished_checks[name] = check
