"""Bounded text in services: a text longer than its column is refused with the limit, never cut."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tukipolku.core.exceptions import ApplicationError


def bounded(value: str, *, limit: int, field: str | None = None) -> str:
    """`value` without surrounding spaces. Longer than `limit`: an `ApplicationError` next to `field`
    that says the limit and the length, so that nothing the user wrote is lost without a word."""
    text = value.strip()
    if len(text) > limit:
        raise ApplicationError(
            _("This can be at most %(limit)s characters long; it has %(count)s. Shorten it.")
            % {"limit": limit, "count": len(text)},
            field=field,
        )
    return text
