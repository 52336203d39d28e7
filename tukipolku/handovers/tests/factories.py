"""Synthetic handovers for tests: opened through the real service, identity codes in the test range."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from tukipolku.access.actors import Actor
from tukipolku.cases.choices import ConsentMethod
from tukipolku.clients.tests.factories import next_identity_code
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory
from tukipolku.handovers import services
from tukipolku.handovers.choices import HandoverReason, InformationSource
from tukipolku.handovers.models import Handover


def occupational_health_org(**kw: Any) -> Any:
    return OrganisationFactory(
        name=kw.pop("name", "Työterveys Testi Oy"), kind=OrganisationKind.OCCUPATIONAL_HEALTH, **kw
    )


def sender_user(organisation: Any, *, profession: str = Profession.OCCUPATIONAL_HEALTH, **kw: Any) -> Any:
    return UserFactory(profession=profession, organisation=organisation, **kw)


def open_handover(actor: Actor, team: Any, **kw: Any) -> Handover:
    params: dict[str, Any] = {
        "identity_code": next_identity_code(),
        "first_names": "Testi",
        "last_name": "Siirtyjä",
        "reason": HandoverReason.EMPLOYMENT_ENDING,
        "sending_contact": actor,
        "consent_on": timezone.localdate() - datetime.timedelta(days=1),
        "consent_method": ConsentMethod.WRITTEN,
        "background": "Sopivaa työtä ei löytynyt selkäleikkauksen jälkeen.",
    }
    params.update(kw)
    if params["reason"] == HandoverReason.GRADUATING:  # the Rauma model's step 2: information gathered
        params.setdefault("info_sources", [InformationSource.TEACHERS, InformationSource.STUDY_COUNSELLOR])
        params.setdefault("info_summary", "Opinnot viivästyneet terveyssyistä; harjoittelu sujui tuettuna.")
    return services.handover_open(actor=actor, team=team, **params)
