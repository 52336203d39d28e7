"""Small presentation helpers shared by all templates."""

from typing import Any

from django import template

from tukipolku.core.dates import format_date, format_datetime, format_time

register = template.Library()


@register.filter
def localized(obj: Any, field: str) -> str:
    """`{{ step|localized:"name" }}` → the name in the active language."""
    return obj.localized(field) if obj is not None else ""


@register.simple_tag(takes_context=True)
def url_replace(context: Any, **kwargs: Any) -> str:
    """Keep the current query string (filters) while changing one parameter (page)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`{{ mapping|get_item:key }}`: a dictionary value by a variable key."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter(name="format_date")
def format_date_filter(value: Any) -> str:
    """`{{ episode.opened_on|format_date }}` → `6.12.2026` (core/dates.py)."""
    return format_date(value)


@register.filter(name="format_datetime")
def format_datetime_filter(value: Any) -> str:
    """`{{ meeting.starts_at|format_datetime }}` → `6.12.2026 14:30` in local time (core/dates.py)."""
    return format_datetime(value)


@register.filter(name="format_time")
def format_time_filter(value: Any) -> str:
    """`{{ meeting.ends_at|format_time }}` → `15:30` in local time (core/dates.py)."""
    return format_time(value)
