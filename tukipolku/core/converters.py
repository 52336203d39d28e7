"""URL converters: an object id is 1 to 18 digits, so no URL can overflow a database integer."""

from django.urls import register_converter
from django.urls.converters import get_converters


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def register() -> None:
    """Called from `core.hooks.register()`; registering twice is a no-op (Django 6 refuses an override)."""
    if "id" not in get_converters():
        register_converter(IdConverter, "id")


def parse_id(value: object) -> int | None:
    """A form or query value as an object id, or None when it is not one (never raises)."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 18 else None
