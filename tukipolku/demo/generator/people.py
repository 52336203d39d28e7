"""Teams and the professionals who work with clients; random names; extra teams for large runs."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from django.contrib.auth.hashers import make_password
from django.utils import translation

from tukipolku.clients.choices import ClientLanguage
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.models import Organisation, Team, TeamMembership, User
from tukipolku.core.permissions import HEALTH_PROFESSIONS, SOCIAL_PROFESSIONS, TEAM_PROFESSIONS
from tukipolku.demo import vocabulary as voc
from tukipolku.demo.generator.accounts import DEMO_PASSWORD, DEMO_SINCE
from tukipolku.demo.generator.distributions import CONTACT_WEIGHTS, EPISODES_PER_TEAM, GENERATED_TEAM


@dataclass(frozen=True)
class _Person:
    id: int
    profession: str
    name: str


@dataclass
class _Staff:
    """The professionals of one team who work with clients."""

    team_id: int
    people: list[_Person]
    region_id: int | None = None  # the team organisation's parent (the welfare region), else the organisation
    openers: list[_Person] = field(init=False)
    social: list[_Person] = field(init=False)
    contact_cum: list[float] = field(init=False)

    def __post_init__(self) -> None:
        self.openers = (
            [p for p in self.people if p.profession == Profession.PUBLIC_HEALTH_NURSE]
            or [p for p in self.people if p.profession in HEALTH_PROFESSIONS]
            or self.people
        )
        self.social = [p for p in self.people if p.profession in SOCIAL_PROFESSIONS]
        self.contact_cum = list(accumulate(CONTACT_WEIGHTS.get(p.profession, 0.2) for p in self.people))

    def contact_person(self, rng: random.Random) -> _Person:
        return rng.choices(self.people, cum_weights=self.contact_cum)[0]


def _load_staff(team_ids: Sequence[int] | None, today: datetime.date) -> list[_Staff]:
    """Active teams and their client-working members (managers excluded), in id order."""
    memberships = (
        TeamMembership.objects.active(on=today)
        .filter(
            team__is_active=True,
            user__is_active=True,
            user__profession__in=TEAM_PROFESSIONS - {Profession.TEAM_MANAGER},
        )
        .select_related("user", "team__organisation")
        .order_by("team_id", "user_id")
    )
    if team_ids is not None:
        memberships = memberships.filter(team_id__in=team_ids)
    people: dict[int, dict[int, _Person]] = {}
    regions: dict[int, int] = {}
    for m in memberships:
        people.setdefault(m.team_id, {})[m.user_id] = _Person(m.user_id, m.user.profession, m.user.display_name)
        regions[m.team_id] = m.team.organisation.parent_id or m.team.organisation_id
    return [_Staff(team_id, list(members.values()), regions[team_id]) for team_id, members in people.items()]


def _random_name(rng: random.Random, female: bool, language: str = ClientLanguage.FINNISH) -> tuple[str, str]:
    firsts: tuple[str, ...]
    lasts: tuple[str, ...]
    if language == ClientLanguage.SWEDISH:
        firsts, lasts = (voc.SWEDISH_FEMALE if female else voc.SWEDISH_MALE), voc.SWEDISH_SURNAMES
    elif language == ClientLanguage.OTHER:
        firsts, lasts = (voc.OTHER_FEMALE if female else voc.OTHER_MALE), voc.OTHER_SURNAMES
    else:
        firsts, lasts = (voc.FINNISH_FEMALE if female else voc.FINNISH_MALE), voc.FINNISH_SURNAMES
    first = rng.choice(firsts)
    if rng.random() < 0.6:
        second = rng.choice(firsts)
        if second != first:
            first = f"{first} {second}"
    return first, rng.choice(lasts)


def _create_teams(count: int, rng: random.Random, log: Callable[[str], None]) -> None:
    """Add `count` teams of eight professionals, three teams per new sote-centre, to the first region."""
    region = Organisation.objects.filter(kind=OrganisationKind.WELFARE_REGION).order_by("pk").first()
    if region is None:
        region = Organisation.objects.create(name="Länsirannikon hyvinvointialue", kind=OrganisationKind.WELFARE_REGION)
    centre_no = Organisation.objects.filter(kind=OrganisationKind.SOTE_CENTRE).count()
    hashed = make_password(DEMO_PASSWORD)
    with translation.override("fi"):
        titles = {p.value: str(p.label) for p in Profession}
    created = 0
    while created < count:
        place = voc.CENTRE_PLACES[centre_no % len(voc.CENTRE_PLACES)]
        suffix = f" {centre_no // len(voc.CENTRE_PLACES) + 1}" if centre_no >= len(voc.CENTRE_PLACES) else ""
        centre_no += 1
        centre = Organisation.objects.create(
            name=f"Sote-keskus {place}{suffix}", kind=OrganisationKind.SOTE_CENTRE, parent=region
        )
        for n in range(1, min(3, count - created) + 1):
            team = Team.objects.create(name=f"Työkykytiimi {place}{suffix} {n}", organisation=centre)
            users = []
            for i, profession in enumerate(GENERATED_TEAM):
                if profession == Profession.SOCIAL_WORKER and team.pk % 2:
                    profession = Profession.SOCIAL_INSTRUCTOR
                first, last = _random_name(rng, female=rng.random() < 0.75)
                users.append(
                    User(
                        username=f"t{team.pk}-{i + 1}",
                        first_name=first.split()[0],
                        last_name=last,
                        profession=profession,
                        organisation=centre,
                        title=titles[profession],
                        password=hashed,
                    )
                )
            users = User.objects.bulk_create(users)
            TeamMembership.objects.bulk_create(TeamMembership(team=team, user=u, started_on=DEMO_SINCE) for u in users)
            created += 1
    log(f"Created {count} teams with {count * len(GENERATED_TEAM)} professionals.")


def _choose_staff(
    *,
    episodes: int,
    teams: int | None,
    demo_users: dict[str, User] | None,
    today: datetime.date,
    rng: random.Random,
    log: Callable[[str], None],
) -> list[_Staff]:
    if demo_users is not None:
        demo_team_ids = sorted(
            set(TeamMembership.objects.filter(user__in=list(demo_users.values())).values_list("team_id", flat=True))
        )
        staffs = _load_staff(demo_team_ids, today)
    else:
        staffs = _load_staff(None, today)
    wanted = (
        teams
        if teams is not None
        else (len(staffs) if demo_users is not None else max(len(staffs), round(episodes / EPISODES_PER_TEAM), 1))
    )
    if wanted > len(staffs):
        _create_teams(wanted - len(staffs), rng, log)
        known = {s.team_id for s in staffs}
        staffs += [s for s in _load_staff(None, today) if s.team_id not in known]
    return staffs[:wanted]
