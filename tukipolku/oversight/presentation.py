"""Log values in words, as the data protection officer and the client read them.

Log rows store stable codes (the view's URL name, the basis, the data touched). The labels of views,
resources, refusal reasons and choices are in `labels.py` (the grounds in `access.choices`); an unknown
code is shown as it is stored, never hidden. `Labels` below translates each code once per page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from tukipolku.access.choices import ground_label
from tukipolku.oversight.labels import (
    action_label,
    category_label,
    outcome_label,
    profession_label,
    reason_label,
    resource_label,
    view_label,
)


def basis_label(value: str) -> str:
    """The access ground in words (one vocabulary: `access.choices.AccessGround`)."""
    return ground_label(value)


def what_label(view: str, resource: str) -> str:
    """The page and, when known, the data on it: "Case page: health care data"."""
    page = view_label(view)
    data = resource_label(resource)
    return _("%(page)s: %(data)s") % {"page": page, "data": data} if data else page


class Labels:
    """The functions above, each code translated once: a report or a log page has thousands of rows
    but a handful of distinct codes, and every translation lookup costs."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, str], str] = {}

    def _get(self, kind: str, value: str, make: Callable[[], str], extra: str = "") -> str:
        key = (kind, value, extra)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = make()
        return found

    def basis(self, value: str) -> str:
        return self._get("basis", value, lambda: basis_label(value))

    def view(self, value: str) -> str:
        return self._get("view", value, lambda: view_label(value))

    def what(self, view: str, resource: str) -> str:
        return self._get("what", view, lambda: what_label(view, resource), resource)

    def category(self, value: str) -> str:
        return self._get("category", value, lambda: category_label(value))

    def categories(self, values: list[str] | None) -> str:
        return ", ".join(self.category(c) for c in values or [])

    def profession(self, value: str) -> str:
        return self._get("profession", value, lambda: profession_label(value))

    def action(self, value: str) -> str:
        return self._get("action", value, lambda: action_label(value))

    def outcome(self, value: str) -> str:
        return self._get("outcome", value, lambda: outcome_label(value))

    def reason(self, value: str) -> str:
        return self._get("reason", value, lambda: reason_label(value))
