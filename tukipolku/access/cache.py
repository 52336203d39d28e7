"""The policy's answers, remembered for one request (or one job) and never longer.

A page asks the policy the same questions many times (a list checks each row, a case page each
section), so the answers and the rows they are computed from (team memberships, consents, grants,
emergency accesses) are remembered in a *scope*: a dictionary held in a context variable, keyed by
the actor's id. `AccessCacheMiddleware` opens a fresh scope for every request and drops it at the
end; background jobs and management commands that read client data open one with `scope()`.
Outside any scope nothing is remembered: every question reads the current rows.

Nothing is stored on the user object. A service that changes what the policy reads within a
request (records or withdraws a consent, adds or ends a membership or a grant, opens emergency
access) calls `clear()`, so the next question in the same request sees the change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from tukipolku.access.policy import EpisodeAccess
    from tukipolku.core.models import Organisation
    from tukipolku.privacy.models import Consent, LegalBasisGrant


@dataclass
class Memo:
    """What the policy has read about one actor in the current scope."""

    teams: frozenset[int] | None = None
    organisations: frozenset[int] | None = None
    emergency: bool | None = None
    partner_episodes: frozenset[int] | None = None
    region_teams: frozenset[int] | None = None
    system_organisation: Organisation | None = None  # a system client's organisation (policy._system_access)
    system_episodes: dict[int, tuple[int, bool]] | None = None  # its candidates: id → (client id, visible)
    access: dict[int, EpisodeAccess | None] = field(default_factory=dict)
    # Consents of clients and the actor's legal-basis grants, by client id.
    consents: dict[int, list[Consent]] = field(default_factory=dict)
    grants: dict[int, list[LegalBasisGrant]] = field(default_factory=dict)


_store: ContextVar[dict[int | None, Memo] | None] = ContextVar("tukipolku_access_cache", default=None)


@contextmanager
def scope() -> Iterator[None]:
    """A fresh scope for the answers (a request, a job, a command); the previous one is restored after."""
    token = _store.set({})
    try:
        yield
    finally:
        _store.reset(token)


def memo(actor_id: int | None) -> Memo:
    """The actor's memo in the current scope; outside a scope a new, unshared one (nothing is kept)."""
    store = _store.get()
    if store is None:
        return Memo()
    found = store.get(actor_id)
    if found is None:
        found = store[actor_id] = Memo()
    return found


def clear() -> None:
    """Forget every answer of the current scope (after a change that the policy reads)."""
    store = _store.get()
    if store is not None:
        store.clear()


def active() -> bool:
    """Whether a scope is open (a request or a job is running)."""
    return _store.get() is not None


class AccessCacheMiddleware:
    """One scope per request, dropped when the response is ready (right after `AccessLogMiddleware`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with scope():
            return self.get_response(request)
