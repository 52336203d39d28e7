"""System checks of core (registered by `core.hooks.register()`)."""

from __future__ import annotations

from typing import Any

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
