"""Where a redirect may lead. Every `next` the application follows is checked here, once.

A redirect target is a path on this site: it starts with one `/`, names no other host or scheme and
is never taken as a view name (`redirect("0")` would look a view called "0" up and fail with a 500).
Everything else falls back to a page the caller names.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_path(url: str | None, *, request: HttpRequest) -> bool:
    """Whether `url` is a path on this site that a redirect may follow (ASVS 5.0 1.2.x, open redirects)."""
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")):
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in url):  # control characters: never in a header
        return False
    return url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())


def safe_next(request: HttpRequest, url: str | None, *, fallback: str) -> str:
    """`url` if a redirect may follow it (`is_safe_path`), else `fallback` (a URL the caller built)."""
    return url if url is not None and is_safe_path(url, request=request) else fallback
