"""Small presentation helpers shared by all templates."""

from typing import Any

from django import template

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
