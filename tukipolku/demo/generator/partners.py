"""Partner organisations and their staff, and the shares that shape the generated consents."""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.utils import translation

from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.models import Organisation, User
from tukipolku.demo import vocabulary as voc
from tukipolku.demo.generator.accounts import DEMO_PASSWORD
from tukipolku.demo.generator.distributions import _cum
from tukipolku.demo.generator.people import _Person, _random_name
from tukipolku.privacy.choices import DataCategory, GivenHow, Purpose

REGION_CONSENT_SHARE = {False: 0.88, True: 0.75}
"""Episodes (open, closed) with the client's consent to the welfare region, recorded at opening."""
CONSENT_ENDS_AT_CLOSING = 0.7
"""Consents of a closed episode that were valid until its outcome date (expired since)."""
CONSENT_FOR_A_YEAR = {"region": 0.1, "partner": 0.15}
"""Consents of an open episode given for one year only (expired when the episode is older)."""
WITHDRAWN_SHARE = 0.065
"""Episodes (with an open-ended consent) in which the client later withdrew one: about 5 % of all."""
PROHIBITION_SHARE = 0.03
"""Episodes in which the client forbade disclosing some data (kielto)."""
WITHDRAWN_PARTNER_JOIN = 0.8
"""Withdrawn partner consents whose partner had already joined the client's team (now refused)."""
GIVEN_HOW = _cum([(GivenHow.WRITTEN, 50), (GivenHow.DIGITAL, 25), (GivenHow.ORAL, 25)])


@dataclass(frozen=True)
class _ConsentSpec:
    """How often clients consent to disclosing data to a kind of partner, and how its staff take part."""

    kind: str  # OrganisationKind of the recipient
    profession: str  # the partner staff's profession
    share: float  # episodes with such a consent
    targeted_share: float  # ... when the client's situation points to this partner
    categories: tuple[str, ...]
    purposes: tuple[str, ...]
    join: float  # open episodes with the consent in force where a partner is in the client's team
    username: str  # prefix of generated partner staff's usernames
    minimum: int  # partner staff per organisation at least (demo users count)
    by_kind: float = 0.0  # consents naming every organisation of the kind instead of one
    caseload: int = 40  # client teams per generated partner


PARTNER_SPECS = (
    _ConsentSpec(
        OrganisationKind.EMPLOYMENT_SERVICES,
        Profession.EMPLOYMENT_COORDINATOR,
        0.4,
        0.4,
        (DataCategory.SHARED_PLAN, DataCategory.EMPLOYMENT),
        (Purpose.EMPLOYMENT,),
        join=0.35,
        username="typ",
        minimum=3,
    ),
    _ConsentSpec(
        OrganisationKind.KELA,
        Profession.KELA_EXPERT,
        0.2,
        0.2,
        (DataCategory.SHARED_PLAN, DataCategory.BENEFITS),
        (Purpose.REHABILITATION, Purpose.BENEFITS),
        join=0.35,
        username="kela",
        minimum=2,
    ),
    _ConsentSpec(
        OrganisationKind.OCCUPATIONAL_HEALTH,
        Profession.OCCUPATIONAL_HEALTH,
        0.01,
        0.5,
        (DataCategory.SHARED_PLAN, DataCategory.HEALTH),
        (Purpose.WORK_ABILITY, Purpose.REHABILITATION),
        join=0.6,
        username="tth",
        minimum=2,
    ),
    _ConsentSpec(
        OrganisationKind.STUDENT_HEALTH,
        Profession.STUDENT_HEALTH,
        0.01,
        0.5,
        (DataCategory.SHARED_PLAN, DataCategory.HEALTH),
        (Purpose.STUDIES,),
        join=0.6,
        username="oth",
        minimum=2,
        by_kind=0.5,
    ),
)
"""Consents to partners (besides the welfare region), in the order they are drawn."""


@dataclass(frozen=True)
class _Partner:
    """A partner organisation of one kind and the staff who may join clients' teams."""

    spec: _ConsentSpec
    organisation_id: int
    label: str  # recipient as the consent event names it: the organisation
    kind_label: str  # ... or every organisation of the kind
    people: list[_Person]


def _load_partners(*, clients: int, seed: int, log: Callable[[str], None]) -> list[_Partner]:
    """The first organisation of each partner kind with its staff; adds generated staff so that each has
    about `caseload` client teams (at least `minimum` people per organisation)."""
    rng = random.Random(f"partners:{seed}")  # noqa: S311 – synthetic data, not security
    with translation.override("fi"):
        kind_labels = {k.value: str(k.label) for k in OrganisationKind}
    hashed = ""
    found = []
    for spec in PARTNER_SPECS:
        organisation = Organisation.objects.filter(kind=spec.kind).order_by("pk").first()
        if organisation is None:
            continue
        staff = list(
            User.objects.filter(organisation=organisation, profession=spec.profession, is_active=True).order_by("pk")
        )
        share = spec.share + 0.15 * (spec.targeted_share - spec.share)
        wanted = max(spec.minimum, math.ceil(clients * share * spec.join / spec.caseload))
        if len(staff) < wanted:
            hashed = hashed or make_password(DEMO_PASSWORD)
            prefix = f"{spec.username}{organisation.pk}-"
            taken = set(User.objects.filter(username__startswith=prefix).values_list("username", flat=True))
            new: list[User] = []
            number = 0
            while len(staff) + len(new) < wanted:
                number += 1
                if f"{prefix}{number}" in taken:
                    continue
                first, last = _random_name(rng, female=rng.random() < 0.7)
                new.append(
                    User(
                        username=f"{prefix}{number}",
                        first_name=first.split()[0],
                        last_name=last,
                        profession=spec.profession,
                        organisation=organisation,
                        title=rng.choice(voc.PARTNER_TITLES[spec.kind]),
                        password=hashed,
                    )
                )
            staff += User.objects.bulk_create(new)
            log(f"Created {len(new)} partner staff for {organisation.name}.")
        people = [_Person(u.pk, u.profession, u.display_name) for u in staff]
        found.append(_Partner(spec, organisation.pk, organisation.name, kind_labels[spec.kind], people))
    return found


@dataclass(slots=True)
class _ConsentDraft:
    t: float
    kind: str
    organisation_id: int | None
    recipient_kind: str
    label: str
    categories: list[str]
    purpose: str
    details: str
    valid_from: datetime.date
    valid_until: datetime.date | None
    given_how: str
    given_note: str
    recorder: _Person
    partner: _Partner | None = None
    withdrawn: float | None = None
    withdrawn_by: _Person | None = None
    withdrawal_note: str = ""
