"""The only writers of audit rows. Callers are services (events) and the access gate (reads).

Access and disclosure rows are collected during a request and appended after the view has run, in
their own transaction (`AccessLogMiddleware`): a request that is refused or fails still leaves its
rows, even though the view's own transaction rolls back. Outside a request (tests, management
commands, background jobs) `access_scope` does the same; with no scope open a row is written at once.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models

from tukipolku.access.actors import Actor, User
from tukipolku.access.choices import AccessGround
from tukipolku.audit import chain
from tukipolku.audit.choices import AccessAction, AccessOutcome, Agent
from tukipolku.audit.models import AuditEvent, Disclosure, PersonalDataAccess


def event_record(
    *,
    actor: Actor | None,
    verb: str,
    client_id: int | None = None,
    episode_id: int | None = None,
    target: models.Model | None = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one domain event. Call inside the service's transaction.

    An event of an episode is its latest activity: the episode's `last_activity_at`, which the sweep's
    "no activity" step reads on an index (ADR 0019), moves to it in the same transaction.
    """
    event = AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        client_id=client_id,
        episode_id=episode_id,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        payload=payload or {},
    )
    if episode_id is not None:
        # By the app registry: the audit package sits below cases and does not import it.
        episode_model = apps.get_model("cases", "Episode")
        episode_model.objects.filter(pk=episode_id, last_activity_at__lt=event.occurred_at).update(
            last_activity_at=event.occurred_at
        )
    return event


@dataclass
class AccessScope:
    """Rows collected during one request or job, written by `flush`."""

    request_id: str = ""
    agent: str = Agent.USER
    accesses: list[PersonalDataAccess] = field(default_factory=list)
    disclosures: list[Disclosure] = field(default_factory=list)

    def flush(self) -> None:
        accesses, disclosures = self.accesses, self.disclosures
        self.accesses, self.disclosures = [], []
        chain.append(PersonalDataAccess, accesses)
        chain.append(Disclosure, disclosures)


_scope: contextvars.ContextVar[AccessScope | None] = contextvars.ContextVar("tukipolku_access_scope", default=None)


def scope_begin(*, request_id: str = "", agent: str = Agent.USER) -> tuple[AccessScope, contextvars.Token[Any]]:
    """Start collecting rows; `scope_end` stops, and the caller flushes (see `AccessLogMiddleware`)."""
    scope = AccessScope(request_id=request_id, agent=agent)
    return scope, _scope.set(scope)


def scope_end(*, token: contextvars.Token[Any]) -> None:
    _scope.reset(token)


@contextmanager
def access_scope(*, request_id: str = "", agent: str = Agent.USER) -> Iterator[AccessScope]:
    """Collect access and disclosure rows of a job; they are written when the block ends, also on error."""
    scope, token = scope_begin(request_id=request_id, agent=agent)
    try:
        yield scope
    finally:
        scope_end(token=token)
        scope.flush()


def current_request_id() -> str:
    scope = _scope.get()
    return scope.request_id if scope is not None else ""


def _actor_fields(actor: Actor | None) -> dict[str, Any]:
    if not isinstance(actor, User) or not actor.is_authenticated:
        return {"user": None, "profession": "", "organisation_id": None}
    return {"user": actor, "profession": actor.profession or "", "organisation_id": actor.organisation_id}


def access_record(
    *,
    actor: Actor | None,
    view: str,
    rows: Iterable[tuple[int | None, int | None]],
    action: str = AccessAction.VIEW,
    basis: str,
    outcome: str = AccessOutcome.ALLOWED,
    resource: str = "",
    reason: str = "",
    flagged: bool = False,
) -> None:
    """Log a read: one row per (client_id, episode_id) pair."""
    scope = _scope.get()
    fields = _actor_fields(actor)
    seen: set[tuple[int | None, int | None]] = set()
    objs = []
    for client_id, episode_id in rows:
        if (client_id, episode_id) in seen:
            continue
        seen.add((client_id, episode_id))
        objs.append(
            PersonalDataAccess(
                agent=scope.agent if scope is not None else Agent.USER,
                client_id=client_id,
                episode_id=episode_id,
                view=view,
                resource=resource,
                action=action,
                basis=basis,
                outcome=outcome,
                reason=reason[:500],
                flagged=flagged,
                request_id=scope.request_id if scope is not None else "",
                **fields,
            )
        )
    if scope is not None:
        scope.accesses.extend(objs)
    else:
        chain.append(PersonalDataAccess, objs)


def access_denied(
    *,
    actor: Actor | None,
    view: str,
    client_id: int | None,
    episode_id: int | None = None,
    reason: str,
    resource: str = "",
) -> None:
    """Log a refused read (ASVS 16.3.2). The client id is recorded when the object exists."""
    access_record(
        actor=actor,
        view=view,
        rows=[(client_id, episode_id)],
        basis=AccessGround.NONE,
        outcome=AccessOutcome.DENIED,
        reason=reason,
        resource=resource,
    )


def disclosure_record(
    *,
    actor: Actor | None,
    client_id: int,
    episode_id: int | None,
    controller_organisation_id: int | None,
    recipient_organisation_id: int | None,
    recipient_user_id: int | None,
    categories: Iterable[str],
    view: str,
    basis: str,
    consent_id: int | None = None,
    grant_id: int | None = None,
) -> None:
    """Log data given to another organisation, with its consent or legal basis."""
    scope = _scope.get()
    row = Disclosure(
        user=actor if isinstance(actor, User) and actor.is_authenticated else None,
        client_id=client_id,
        episode_id=episode_id,
        controller_organisation_id=controller_organisation_id,
        recipient_organisation_id=recipient_organisation_id,
        recipient_user_id=recipient_user_id,
        categories=sorted(set(categories)),
        view=view,
        basis=basis,
        consent_id=consent_id,
        grant_id=grant_id,
        request_id=scope.request_id if scope is not None else "",
    )
    if scope is not None:
        scope.disclosures.append(row)
    else:
        chain.append(Disclosure, [row])
