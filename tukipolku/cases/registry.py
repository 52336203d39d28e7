"""Extension points through which other modules plug into the episode without cases importing them.

* completion checks: what a pathway step's `completion_check` verifies (plans registers "plan"...);
* next-action sources: open, dated work items of an episode (plan actions, later referrals);
* case page sections: blocks on the case page (plan, meetings, entries), and their parts of the
  "Identified need" box (intake: what the sender had already done);
* event describers: one line of history for another module's event types;
* participation sources: episodes a user takes part in outside the client's team (meetings), which
  let partner staff see what the client's consents allow.

Modules register in the `register()` of their `hooks.py`, which their `AppConfig.ready()` calls
(ADR 0004). The dependency rule (docs/architecture.md) stays: plans → cases, never cases → plans.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tukipolku.pathways.choices import CompletionCheck as CheckCode

if TYPE_CHECKING:
    from tukipolku.cases.models import Episode


@dataclass(frozen=True)
class CompletionCheck:
    passes: Callable[[Episode], bool]
    failure_message: Callable[[], str]
    # What to do and where, shown on the step card before the button: a link text and its address.
    todo: Callable[[], str] = lambda: ""
    url: Callable[[Episode], str] = lambda episode: ""
    # Checks this one builds on (the client agrees to a plan that has a goal): listed first.
    builds_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Need:
    """One thing a step needs before it can be marked done, as the step card lists it."""

    label: str
    done: bool
    todo: str
    url: str


def step_needs(code: str, episode: Episode) -> list[Need]:
    """What the completion check `code` needs, with the checks it builds on first (each once)."""
    needs: list[Need] = []
    seen: set[str] = set()

    def add(c: str) -> None:
        check = completion_checks.get(c)
        if check is None or c in seen:
            return
        seen.add(c)
        for earlier in check.builds_on:
            add(earlier)
        needs.append(Need(label=_check_label(c), done=check.passes(episode), todo=check.todo(), url=check.url(episode)))

    add(code)
    return needs


def _check_label(code: str) -> str:
    return str(CheckCode(code).label) if code in CheckCode.values else code


@dataclass(frozen=True)
class NextItem:
    """An open, dated piece of work on an episode, as shown in the caseload."""

    episode_id: int
    due_on: datetime.date
    title: str
    owner_name: str


@dataclass(frozen=True)
class NextActionSource:
    # A subquery giving the earliest open due date for OuterRef("pk") (an Episode).
    earliest_due: Callable[[], Any]
    # The earliest open item of each given episode, at most one per episode, in one query.
    earliest_items: Callable[[list[int]], dict[int, NextItem]]


@dataclass(frozen=True)
class CaseSection:
    order: int
    template: str
    # (actor, episode) → context for the template; must run a constant number of queries.
    context: Callable[[Any, Episode], dict[str, Any]]
    # The data category a reader needs to see the section (privacy/choices.py DataCategory); None: the
    # section filters its own content (entries, by register).
    category: str | None = "shared_plan"
    # A fragment shown inside the case page's "Identified need" box with the same context (what the
    # sender of a notification of need had already done), or None.
    need_box_template: str | None = None


completion_checks: dict[str, CompletionCheck] = {}
next_action_sources: dict[str, NextActionSource] = {}
case_sections: dict[str, CaseSection] = {}
event_describers: dict[str, Callable[[dict[str, Any]], str]] = {}
participation_sources: dict[str, Callable[[Any], Any]] = {}


def register_completion_check(code: str, check: CompletionCheck) -> None:
    completion_checks[code] = check


def register_next_action_source(name: str, source: NextActionSource) -> None:
    next_action_sources[name] = source


def register_case_section(name: str, section: CaseSection) -> None:
    case_sections[name] = section


def register_event_describer(verb: str, describe: Callable[[dict[str, Any]], str]) -> None:
    """Turns the payload of another module's event into one line of the case page history."""
    event_describers[verb] = describe


def register_participation_source(name: str, episodes_of: Callable[[Any], Any]) -> None:
    """`episodes_of(user)` gives the ids of episodes the user takes part in (e.g. as a meeting
    participant) as an unevaluated queryset of `episode_id` values: the gate uses it as a subquery,
    so that checking one episode reads no other client's rows."""
    participation_sources[name] = episodes_of
