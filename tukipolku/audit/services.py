"""The only writers of audit rows. Callers are services (events) and the access gate (reads)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from tukipolku.audit.choices import AccessAction, AccessOutcome
from tukipolku.audit.models import AuditEvent, PersonalDataAccess


def event_record(
    *,
    actor: Any,
    verb: str,
    client_id: int | None = None,
    episode_id: int | None = None,
    target: models.Model | None = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one domain event. Call inside the service's transaction."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        client_id=client_id,
        episode_id=episode_id,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        payload=payload or {},
    )


def access_record(
    *,
    actor: Any,
    view: str,
    rows: Iterable[tuple[int, int | None]],
    action: str = AccessAction.VIEW,
    basis: str,
    outcome: str = AccessOutcome.ALLOWED,
) -> None:
    """Append access-log rows, one per (client_id, episode_id) pair, in a single insert."""
    seen: set[tuple[int, int | None]] = set()
    objs = []
    for client_id, episode_id in rows:
        if (client_id, episode_id) in seen:
            continue
        seen.add((client_id, episode_id))
        objs.append(
            PersonalDataAccess(
                user=actor,
                client_id=client_id,
                episode_id=episode_id,
                view=view,
                action=action,
                basis=basis,
                outcome=outcome,
            )
        )
    if objs:
        PersonalDataAccess.objects.bulk_create(objs)
