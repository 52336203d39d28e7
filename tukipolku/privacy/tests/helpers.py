"""Test helpers: record consents the way the consents page does (through the service)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from tukipolku.privacy import services
from tukipolku.privacy.choices import ConsentKind, GivenHow, Purpose


def consent_for(
    episode: Any,
    recorded_by: Any,
    categories: list[str],
    *,
    recipient: Any = None,
    recipient_kind: str = "",
    kind: str = ConsentKind.CONSENT,
    purpose: str = Purpose.WORK_ABILITY,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> Any:
    return services.consent_record(
        actor=recorded_by,
        client=episode.client,
        episode_id=episode.pk,
        kind=kind,
        recipient_organisation=recipient,
        recipient_kind=recipient_kind,
        categories=categories,
        purpose=purpose,
        valid_from=valid_from or timezone.localdate(),
        valid_until=valid_until,
        given_how=GivenHow.WRITTEN,
    )


def consent_for_team(episode: Any, recorded_by: Any, categories: list[str], **kwargs: Any) -> Any:
    """The client's consent to read across registers inside the team's own organisation."""
    return consent_for(episode, recorded_by, categories, recipient=episode.team.organisation, **kwargs)
