"""System checks of core (registered by `core.hooks.register()`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

PER_PROCESS_CACHES = frozenset(
    {
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    }
)


def shared_cache(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`check --deploy`: failed-login counters and used authenticator codes need a cache that every
    worker and host shares. A per-process cache lets each worker count on its own (3 workers: 15
    wrong passwords before the lock-out instead of 5); a dummy cache counts nothing."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        checks.Error(
            f"The default cache ({backend}) is not shared between processes: login throttling would count per worker.",
            hint="Set CACHE_URL to dbcache://tukipolku_cache (the default) or to a Redis URL (docs/configuration.md).",
            id="tukipolku.E001",
        )
    ]


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0"})  # noqa: S104  # nosec B104 - compared, never bound


def site_url(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`check --deploy`: e-mails and calendar invitations link to `TUKIPOLKU_SITE_URL`. Unset, the links
    would have no address; a loopback or plain-http address would send every recipient to nowhere (or
    over an unencrypted connection)."""
    url = settings.TUKIPOLKU_SITE_URL
    hint = "Set TUKIPOLKU_SITE_URL to the address users open Tukipolku at, e.g. https://tukipolku.example.fi."
    parts = urlsplit(url)
    if not url or parts.scheme not in {"http", "https"} or not parts.hostname:
        return [
            checks.Error(
                "TUKIPOLKU_SITE_URL is not set to an absolute address: links in e-mails and calendar invitations "
                "would not open Tukipolku.",
                hint=hint,
                id="tukipolku.E002",
            )
        ]
    if parts.hostname in LOOPBACK_HOSTS or parts.scheme != "https":
        return [
            checks.Warning(
                f"TUKIPOLKU_SITE_URL ({url}) is not a public https address: recipients of e-mails and calendar "
                "invitations could not open the links safely.",
                hint=hint,
                id="tukipolku.W002",
            )
        ]
    return []


def accessibility_feedback(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`check --deploy`: the accessibility statement must offer a feedback channel (Act 306/2019)."""
    if settings.TUKIPOLKU_ACCESSIBILITY_FEEDBACK_EMAIL:
        return []
    return [
        checks.Warning(
            "TUKIPOLKU_ACCESSIBILITY_FEEDBACK_EMAIL is not set: the accessibility statement offers no feedback form.",
            hint="Set it to the address that answers accessibility feedback (docs/configuration.md).",
            id="tukipolku.W003",
        )
    ]
