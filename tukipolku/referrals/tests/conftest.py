"""Referral fixtures: a municipal employment services organisation with a coordinator, a Kela office
with an expert, and a helper to send a referral through the real service. Synthetic data only."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tukipolku.access.actors import Actor
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory
from tukipolku.privacy.choices import DataCategory, Purpose
from tukipolku.privacy.tests.helpers import consent_for
from tukipolku.referrals import services
from tukipolku.referrals.choices import ReferralKind


@pytest.fixture
def employment_org(db):
    return OrganisationFactory(name="Testikaupungin työllisyyspalvelut", kind=OrganisationKind.EMPLOYMENT_SERVICES)


@pytest.fixture
def partner(employment_org):
    return UserFactory(profession=Profession.EMPLOYMENT_COORDINATOR, organisation=employment_org, username="employment")


@pytest.fixture
def kela_org(db):
    return OrganisationFactory(name="Kela, Testipiiri", kind=OrganisationKind.KELA)


@pytest.fixture
def kela_partner(kela_org):
    return UserFactory(profession=Profession.KELA_EXPERT, organisation=kela_org, username="kela")


@pytest.fixture
def consent(episode, nurse, employment_org):
    """The client's consent to share the shared plan and employment data with employment services."""
    return consent_for(
        episode,
        nurse,
        [DataCategory.SHARED_PLAN, DataCategory.EMPLOYMENT],
        recipient=employment_org,
        purpose=Purpose.EMPLOYMENT,
    )


def send(actor: Actor, episode: Any, organisation: Any = None, **kw: Any) -> Any:
    params: dict[str, Any] = {
        "kind": ReferralKind.EMPLOYMENT_SERVICES,
        "reason": "Työnhaun tuki ja palkkatukimahdollisuuksien selvittäminen.",
        "categories": [DataCategory.SHARED_PLAN],
        "due_on": timezone.localdate() + datetime.timedelta(days=14),
        "recipient_organisation": organisation,
    }
    params.update(kw)
    return services.referral_send(actor=actor, episode=episode, **params)


@pytest.fixture
def referral(nurse, episode, employment_org, consent):
    return send(nurse, episode, employment_org)
