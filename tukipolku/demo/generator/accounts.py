"""The demo's organisations and fixed demo accounts, with the permission groups of the privacy features."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission

from tukipolku.core.choices import OrganisationKind, Profession, TeamRole
from tukipolku.core.models import Organisation, Team, TeamMembership, User
from tukipolku.core.regions import REGIONAL_ADMIN_GROUP
from tukipolku.pathways.models import Pathway
from tukipolku.pathways.selectors import pathway_version_current

DEMO_PASSWORD = "demo-tukipolku-2026"  # noqa: S105 – published demo password, synthetic accounts only
DEMO_SINCE = datetime.date(2020, 1, 1)
"""Start of the demo and generated team memberships: before any generated history."""


@dataclass
class DemoOrganisations:
    """The organisations the demo runs in."""

    region: Organisation
    centres: list[Organisation]
    teams: list[Team]
    employment: Organisation
    kela: Organisation
    occupational: Organisation
    student: Organisation
    second_region: Organisation  # Pohjoisrannikko: its own centre, team, partner and pathway (ADR 11)
    second_employment: Organisation


def _business_id(rng: random.Random) -> str:
    """A Finnish business ID (Y-tunnus) with a valid check digit. Random, so possibly unassigned."""
    while True:
        digits = [rng.randint(0, 9) for _ in range(7)]
        rest = sum(d * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        if rest != 1:
            return "".join(map(str, digits)) + "-" + str(0 if rest == 0 else 11 - rest)


def build_organisations(rng: random.Random) -> DemoOrganisations:
    """Create the demo's fictional welfare region, two sote-centres with a team each, and partners:
    employment services, Kela, an occupational health provider and student health care, all in the
    region; the pathways without a region become the region's."""
    region = Organisation.objects.create(
        name="Länsirannikon hyvinvointialue", kind=OrganisationKind.WELFARE_REGION, business_id=_business_id(rng)
    )
    centres, teams = [], []
    for place, genitive in (("Merikoski", "Merikosken"), ("Kallioniemi", "Kallioniemen")):
        centre = Organisation.objects.create(
            name=f"{genitive} sote-keskus", kind=OrganisationKind.SOTE_CENTRE, parent=region
        )
        centres.append(centre)
        teams.append(
            Team.objects.create(
                name=f"{genitive} työkykytiimi",
                organisation=centre,
                description=f"Työkyvyn tuen moniammatillinen tiimi, {place}.",
            )
        )
    employment = Organisation.objects.create(
        name="Länsirannikon työllisyysalue, työllisyyspalvelut",
        kind=OrganisationKind.EMPLOYMENT_SERVICES,
        business_id=_business_id(rng),
        region=region,
    )
    kela = Organisation.objects.create(
        name="Kela, Länsirannikon palvelupiste", kind=OrganisationKind.KELA, region=region
    )
    occupational = Organisation.objects.create(
        name="Työterveys Rannikko Oy",
        kind=OrganisationKind.OCCUPATIONAL_HEALTH,
        business_id=_business_id(rng),
        region=region,
    )
    student = Organisation.objects.create(
        name="Länsirannikon korkeakouluopiskelijoiden terveydenhoito",
        kind=OrganisationKind.STUDENT_HEALTH,
        region=region,
    )
    # The shipped pathways (created by the migrations, before any region) become this region's.
    Pathway.objects.filter(region__isnull=True).update(region=region)
    second_region, second_employment = _build_second_region(rng, centres, teams)
    return DemoOrganisations(
        region=region,
        centres=centres,
        teams=teams,
        employment=employment,
        kela=kela,
        occupational=occupational,
        student=student,
        second_region=second_region,
        second_employment=second_employment,
    )


def _build_second_region(
    rng: random.Random, centres: list[Organisation], teams: list[Team]
) -> tuple[Organisation, Organisation]:
    """A second welfare region, so that the separation of regions shows: a sote-centre with a team
    (appended to `centres` and `teams`), employment services, and a pathway of its own."""
    region = Organisation.objects.create(
        name="Pohjoisrannikon hyvinvointialue", kind=OrganisationKind.WELFARE_REGION, business_id=_business_id(rng)
    )
    centre = Organisation.objects.create(
        name="Revontulen sote-keskus", kind=OrganisationKind.SOTE_CENTRE, parent=region
    )
    centres.append(centre)
    teams.append(
        Team.objects.create(
            name="Revontulen työkykytiimi", organisation=centre, description="Työkyvyn tuen tiimi, Revontuli."
        )
    )
    employment = Organisation.objects.create(
        name="Pohjoisrannikon työllisyysalue, työllisyyspalvelut",
        kind=OrganisationKind.EMPLOYMENT_SERVICES,
        business_id=_business_id(rng),
        region=region,
    )
    _copy_pathway(
        "satakunta",
        region,
        new_code="pohjoisrannikko",
        names=(
            "Pohjoisrannikon työkyvyn tuen prosessi",
            "Norra kustens process för stöd för arbetsförmågan",
            "Pohjoisrannikko work ability support process",
        ),
    )
    return region, employment


def _copy_pathway(code: str, region: Organisation, *, new_code: str, names: tuple[str, str, str]) -> None:
    """The region's own copy of a shipped pathway's newest published version, steps included."""
    source = Pathway.objects.filter(code=code).first()
    version = pathway_version_current(pathway=source) if source is not None else None
    if source is None or version is None:
        return
    steps = list(version.steps.order_by("order"))
    source.pk, source.code, source.region = None, new_code, region
    source.name_fi, source.name_sv, source.name_en = names
    source.opened_by_handover = False  # the escorted handover pathway stays the first region's
    source.save()
    version.pk, version.pathway = None, source
    version.save()
    for step in steps:
        step.pk, step.version = None, version
        step.save()


DPO_GROUP = "Tietosuojavastaavat"
"""Data protection officers: review the access and disclosure logs and the exceptional accesses."""
OVERRIDE_GROUP = "Suostumuksesta poikkeajat"
"""Professionals authorised to share data without consent on a legal basis."""
OVERRIDE_PROFESSIONS = frozenset({Profession.PHYSICIAN, Profession.SOCIAL_WORKER})
"""The demo's physicians and social workers are in OVERRIDE_GROUP."""


@dataclass(frozen=True)
class DemoLogin:
    """One fixed demo account. `team` is the index of the demo team, or None for no membership.

    `staff` makes the account a staff superuser (the administrator only); `group` is a permission
    group to join (physicians and social workers join OVERRIDE_GROUP anyway); `role` overrides the
    profession in the printed table of logins.
    """

    username: str
    profession: str
    first_name: str
    last_name: str
    title: str
    organisation: str  # a key of `_organisations_by_key`: "region", "centre1", "employment", "region2"…
    team: int | None = None
    team_role: str = TeamRole.MEMBER
    staff: bool = False
    group: str = ""
    role: str = ""


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("nurse", Profession.PUBLIC_HEALTH_NURSE, "Sanna", "Lehtinen", "Terveydenhoitaja", "centre1", 0),
    DemoLogin("physician", Profession.PHYSICIAN, "Mikko", "Saarinen", "Lääkäri", "centre1", 0),
    DemoLogin("socialworker", Profession.SOCIAL_WORKER, "Johanna", "Koskinen", "Sosiaalityöntekijä", "centre1", 0),
    DemoLogin("socialinstructor", Profession.SOCIAL_INSTRUCTOR, "Petri", "Mäkelä", "Sosiaaliohjaaja", "centre1", 0),
    DemoLogin("physio", Profession.PHYSIOTHERAPIST, "Laura", "Heikkilä", "Fysioterapeutti", "centre1", 0),
    DemoLogin("psychologist", Profession.PSYCHOLOGIST, "Elina", "Rantanen", "Psykologi", "centre1", 0),
    DemoLogin(
        "coordinator", Profession.WORK_ABILITY_COORDINATOR, "Jussi", "Nieminen", "Työkykykoordinaattori", "centre1", 0
    ),
    DemoLogin("jobcoach", Profession.JOB_COACH, "Tiina", "Laaksonen", "Työhönvalmentaja (IPS)", "centre1", 0),
    DemoLogin(
        "manager", Profession.TEAM_MANAGER, "Kari", "Salminen", "Tiimin esihenkilö", "centre1", 0, TeamRole.MANAGER
    ),
    DemoLogin("admin", Profession.ADMINISTRATOR, "Anu", "Virtanen", "Pääkäyttäjä", "region", staff=True),
    # The data protection officer: a profession that grants nothing by itself; the review rights come
    # from DPO_GROUP.
    DemoLogin(
        "dpo",
        Profession.DATA_PROTECTION_OFFICER,
        "Riikka",
        "Aaltonen",
        "Tietosuojavastaava",
        "region",
        group=DPO_GROUP,
        role="Data protection officer",
    ),
    DemoLogin(
        "employment", Profession.EMPLOYMENT_COORDINATOR, "Antti", "Hämäläinen", "Työkykykoordinaattori", "employment"
    ),
    DemoLogin("kela", Profession.KELA_EXPERT, "Maria", "Lindqvist", "Kuntoutuksen asiantuntija", "kela"),
    DemoLogin("occupational", Profession.OCCUPATIONAL_HEALTH, "Outi", "Kallio", "Työterveyshoitaja", "occupational"),
    DemoLogin("student", Profession.STUDENT_HEALTH, "Emilia", "Sundström", "Opiskeluterveydenhoitaja", "student"),
    DemoLogin("nurse2", Profession.PUBLIC_HEALTH_NURSE, "Hanna", "Järvinen", "Terveydenhoitaja", "centre2", 1),
    DemoLogin("physician2", Profession.PHYSICIAN, "Ville", "Korhonen", "Lääkäri", "centre2", 1),
    # The second welfare region (Pohjoisrannikko): its own team, partner, administrator and DPO, who
    # see nothing of the first region's clients, and whom the first region's people do not see.
    DemoLogin("north-nurse", Profession.PUBLIC_HEALTH_NURSE, "Aila", "Pohjola", "Terveydenhoitaja", "centre3", 2),
    DemoLogin("north-physician", Profession.PHYSICIAN, "Tapio", "Kaarto", "Lääkäri", "centre3", 2),
    DemoLogin(
        "north-socialworker", Profession.SOCIAL_WORKER, "Marjut", "Lapinlahti", "Sosiaalityöntekijä", "centre3", 2
    ),
    DemoLogin(
        "north-manager", Profession.TEAM_MANAGER, "Jouni", "Niva", "Tiimin esihenkilö", "centre3", 2, TeamRole.MANAGER
    ),
    DemoLogin(
        "north-employment",
        Profession.EMPLOYMENT_COORDINATOR,
        "Kaisu",
        "Rova",
        "Työkykykoordinaattori",
        "employment2",
    ),
    DemoLogin(
        "north-admin",
        Profession.ADMINISTRATOR,
        "Eero",
        "Jänkä",
        "Alueen pääkäyttäjä",
        "region2",
        group=REGIONAL_ADMIN_GROUP,
        role="Regional administrator",
    ),
    DemoLogin(
        "north-dpo",
        Profession.DATA_PROTECTION_OFFICER,
        "Sirpa",
        "Aapa",
        "Tietosuojavastaava",
        "region2",
        group=DPO_GROUP,
        role="Data protection officer",
    ),
)
REGIONAL_ADMIN_MODELS = (
    ("core", "organisation"),
    ("core", "team"),
    ("core", "teammembership"),
    ("core", "user"),
    ("pathways", "pathway"),
    ("pathways", "pathwayversion"),
    ("pathways", "pathwaystep"),
)
"""What the regional administrators manage (view, add, change) in their own region."""


def _group(name: str, app_label: str, codename: str) -> Group:
    group, _created = Group.objects.get_or_create(name=name)
    group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group


def _regional_admin_group() -> Group:
    group, _created = Group.objects.get_or_create(name=REGIONAL_ADMIN_GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in={app for app, _model in REGIONAL_ADMIN_MODELS},
            codename__in=[f"{a}_{model}" for _app, model in REGIONAL_ADMIN_MODELS for a in ("view", "add", "change")],
        )
    )
    return group


def build_demo_users(orgs: DemoOrganisations) -> dict[str, User]:
    """Create the fixed demo accounts (password `DEMO_PASSWORD`), their team memberships and the two
    permission groups of the privacy features (`DPO_GROUP`, `OVERRIDE_GROUP`)."""
    by_key = {
        "region": orgs.region,
        "centre1": orgs.centres[0],
        "centre2": orgs.centres[1],
        "employment": orgs.employment,
        "kela": orgs.kela,
        "occupational": orgs.occupational,
        "student": orgs.student,
        "region2": orgs.second_region,
        "centre3": orgs.centres[2],
        "employment2": orgs.second_employment,
    }
    hashed = make_password(DEMO_PASSWORD)
    groups = {
        DPO_GROUP: _group(DPO_GROUP, "audit", "review_access_log"),
        OVERRIDE_GROUP: _group(OVERRIDE_GROUP, "privacy", "add_legalbasisgrant"),
        REGIONAL_ADMIN_GROUP: _regional_admin_group(),
    }
    users: dict[str, User] = {}
    for login in DEMO_LOGINS:
        user = User(
            username=login.username,
            first_name=login.first_name,
            last_name=login.last_name,
            email=f"{login.username}@tukipolku.example",
            profession=login.profession,
            organisation=by_key[login.organisation],
            title=login.title,
            is_staff=login.staff or login.group == REGIONAL_ADMIN_GROUP,
            is_superuser=login.staff,
            password=hashed,
        )
        user.save()
        group = login.group or (OVERRIDE_GROUP if login.profession in OVERRIDE_PROFESSIONS else "")
        if group:
            user.groups.add(groups[group])
        if login.team is not None:
            TeamMembership.objects.create(
                team=orgs.teams[login.team], user=user, role=login.team_role, started_on=DEMO_SINCE
            )
        users[login.username] = user
    return users
