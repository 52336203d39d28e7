"""What changed between two versions of a service plan: pure functions over `PlanVersion.snapshot`.

Goals and actions are matched by their id, so a goal whose wording was edited is one changed goal,
not one removed and one added. Each change names what it is in words ("Added", "Removed",
"Changed"), so the comparison never relies on colour alone (WCAG 1.4.1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from tukipolku.cases.presentation import choice_label as _label
from tukipolku.core.dates import format_date
from tukipolku.plans.choices import ActionStatus, GoalDomain, GoalStatus

ADDED, REMOVED, CHANGED, SAME = "added", "removed", "changed", "same"


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class ItemChange:
    """One goal or action: its state in both versions (`before`/`after` empty when it is not there)."""

    kind: str  # added / removed / changed / same
    title_before: str
    title_after: str
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def shown_fields(self) -> list[FieldChange]:
        """A changed item shows what changed; an added or removed one everything it had."""
        if self.kind == CHANGED:
            return [f for f in self.fields if f.changed]
        return [f for f in self.fields if f.before or f.after]


@dataclass
class Section:
    key: str
    title: str
    none: str  # said when nothing in the section changed
    items: list[ItemChange]

    @property
    def changed(self) -> list[ItemChange]:
        return [i for i in self.items if i.kind != SAME]

    @property
    def unchanged(self) -> int:
        return sum(1 for i in self.items if i.kind == SAME)


@dataclass
class PlanComparison:
    summary: FieldChange
    next_review: FieldChange
    goals: list[ItemChange]
    actions: list[ItemChange]

    @property
    def counts(self) -> dict[str, int]:
        items = [*self.goals, *self.actions]
        return {kind: sum(1 for i in items if i.kind == kind) for kind in (ADDED, REMOVED, CHANGED)}

    @property
    def summary_fields(self) -> list[FieldChange]:
        return [f for f in (self.summary, self.next_review) if f.changed]

    @property
    def sections(self) -> list[Section]:
        return [
            Section("goals", str(_("Goals")), str(_("No goal was added, removed or changed.")), self.goals),
            Section(
                "actions", str(_("Plan actions")), str(_("No action was added, removed or changed.")), self.actions
            ),
        ]

    @property
    def has_changes(self) -> bool:
        return self.summary.changed or self.next_review.changed or any(self.counts.values())


def _goal_fields(goal: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (str(_("Domain")), _label(GoalDomain, goal.get("domain", ""))),
        (str(_("Goal")), goal.get("description", "")),
        (str(_("In the client's own words")), goal.get("client_wording", "")),
        (str(_("Target date")), format_date(goal.get("target_on"))),
        (str(_("Status")), _label(GoalStatus, goal.get("status", ""))),
    ]


def _action_fields(action: dict[str, Any], goals: dict[int, str]) -> list[tuple[str, str]]:
    return [
        (str(_("Action")), action.get("title", "")),
        (str(_("Goal")), goals.get(action.get("goal_id") or 0, "")),
        (str(_("Responsible")), action.get("owner", "")),
        (str(_("Due date")), format_date(action.get("due_on"))),
        (str(_("Status")), _label(ActionStatus, action.get("status", ""))),
    ]


def _items(before: list[dict[str, Any]], after: list[dict[str, Any]], fields: Any, title_key: str) -> list[ItemChange]:
    """Match by id: the newer version's order first, then what only the older version had."""
    old = {i["id"]: i for i in before}
    new = {i["id"]: i for i in after}
    out = []
    for item_id in [*new, *(i for i in old if i not in new)]:
        b, a = old.get(item_id), new.get(item_id)
        fb, fa = (fields(b) if b else []), (fields(a) if a else [])
        if b is None:
            pairs = [FieldChange(label, "", value) for label, value in fa]
            kind = ADDED
        elif a is None:
            pairs = [FieldChange(label, value, "") for label, value in fb]
            kind = REMOVED
        else:
            pairs = [FieldChange(lb, vb, va) for (lb, vb), (_la, va) in zip(fb, fa, strict=True)]
            kind = CHANGED if any(p.changed for p in pairs) else SAME
        out.append(ItemChange(kind, b.get(title_key, "") if b else "", a.get(title_key, "") if a else "", pairs))
    return out


def plan_compare(*, older: dict[str, Any], newer: dict[str, Any]) -> PlanComparison:
    """The changes from the snapshot `older` to the snapshot `newer`."""
    goal_names = {g["id"]: g.get("description", "") for g in [*older.get("goals", []), *newer.get("goals", [])]}
    return PlanComparison(
        summary=FieldChange(
            str(_("Situation and the client's own view")), older.get("summary", ""), newer.get("summary", "")
        ),
        next_review=FieldChange(
            str(_("Next review")), format_date(older.get("next_review_on")), format_date(newer.get("next_review_on"))
        ),
        goals=_items(older.get("goals", []), newer.get("goals", []), _goal_fields, "description"),
        actions=_items(
            older.get("actions", []),
            newer.get("actions", []),
            lambda a: _action_fields(a, goal_names),
            "title",
        ),
    )
