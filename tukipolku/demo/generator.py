"""Deterministic synthetic data for the demo and the benchmarks (DESIGN.md "Synthetic data").

Everything comes from one `random.Random(seed)` (identity codes from a second generator derived from
the same seed), so the same seed on an empty database gives the same data. No real person's data is
used: identity codes are in the range reserved for testing (individual number 900–999) and names
are random combinations of common first names and surnames.

Rows are built as plain tuples with ids assigned up front and written in batches: with PostgreSQL's
COPY, elsewhere with `bulk_create`. Services are bypassed for speed, so this module writes the same
rows and audit events the services would (see cases/services.py, plans/services.py,
meetings/services.py, entries/services.py, privacy/services.py) and must follow them when they change.
Consents and partner staff draw from a random generator of their own, so adding them left the rest
of the data as it was for a seed.
"""

from __future__ import annotations

import datetime
import json
import math
import queue
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone, translation

from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent
from tukipolku.cases.choices import (
    OUTCOMES_WITHOUT_FOLLOW_UP,
    AssignmentKind,
    ConsentMethod,
    EpisodeStatus,
    FollowUpStatus,
    IdentificationSource,
    Outcome,
    SpecialSituation,
    StepStatus,
)
from tukipolku.cases.models import SITUATION_FIELDS, Assignment, CaseTeamMember, Episode, FollowUp, StepRecord
from tukipolku.clients.choices import ClientLanguage, EmploymentStatus
from tukipolku.clients.models import Client
from tukipolku.core.choices import OrganisationKind, Profession, TeamRole
from tukipolku.core.models import Organisation, Team, TeamMembership, User
from tukipolku.core.permissions import HEALTH_PROFESSIONS, SOCIAL_PROFESSIONS, TEAM_PROFESSIONS
from tukipolku.demo import vocabulary as voc
from tukipolku.entries.choices import Register
from tukipolku.entries.models import Entry
from tukipolku.meetings.choices import MeetingKind
from tukipolku.meetings.models import Decision, Meeting, Participant
from tukipolku.pathways.choices import CompletionCheck
from tukipolku.pathways.models import Pathway
from tukipolku.pathways.selectors import pathway_version_current
from tukipolku.plans.choices import ActionSource, ActionStatus, AgreementMethod, GoalDomain, GoalStatus
from tukipolku.plans.models import Action, Goal, Plan, PlanVersion
from tukipolku.privacy.choices import ConsentKind, DataCategory, GivenHow, Purpose
from tukipolku.privacy.models import Consent

DEMO_PASSWORD = "demo-tukipolku-2026"  # noqa: S105 – published demo password, synthetic accounts only
DEMO_SINCE = datetime.date(2020, 1, 1)
"""Start of the demo and generated team memberships: before any generated history."""

HORIZON_DAYS = 730
"""Episodes are opened within about the last 24 months."""
EPISODES_PER_TEAM = 1500
BATCH_CLIENTS = 5000
PATHWAY_SHARES = (
    ("satakunta", 0.62),
    ("eura", 0.26),
    ("rauma_study_end", 0.03),
    ("escorted_handover", 0.03),
    ("ips", 0.03),
    ("unemployed_health_check", 0.03),
)
"""Share of episodes per pathway: mostly the two team processes, a few on each of the other models."""

# --- Organisations and demo users ------------------------------------------------------------------


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


def _business_id(rng: random.Random) -> str:
    """A Finnish business ID (Y-tunnus) with a valid check digit. Random, so possibly unassigned."""
    while True:
        digits = [rng.randint(0, 9) for _ in range(7)]
        rest = sum(d * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        if rest != 1:
            return "".join(map(str, digits)) + "-" + str(0 if rest == 0 else 11 - rest)


def build_organisations(rng: random.Random) -> DemoOrganisations:
    """Create the demo's fictional welfare region, two sote-centres with a team each, and partners:
    employment services, Kela, an occupational health provider and student health care."""
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
    )
    kela = Organisation.objects.create(name="Kela, Länsirannikon palvelupiste", kind=OrganisationKind.KELA)
    occupational = Organisation.objects.create(
        name="Työterveys Rannikko Oy", kind=OrganisationKind.OCCUPATIONAL_HEALTH, business_id=_business_id(rng)
    )
    student = Organisation.objects.create(
        name="Länsirannikon korkeakouluopiskelijoiden terveydenhoito", kind=OrganisationKind.STUDENT_HEALTH
    )
    return DemoOrganisations(
        region=region,
        centres=centres,
        teams=teams,
        employment=employment,
        kela=kela,
        occupational=occupational,
        student=student,
    )


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
    organisation: str  # "region", "centre1", "centre2", "employment", "kela", "occupational" or "student"
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
)


def _group(name: str, app_label: str, codename: str) -> Group:
    group, _created = Group.objects.get_or_create(name=name)
    group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
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
    }
    hashed = make_password(DEMO_PASSWORD)
    groups = {
        DPO_GROUP: _group(DPO_GROUP, "audit", "review_access_log"),
        OVERRIDE_GROUP: _group(OVERRIDE_GROUP, "privacy", "add_legalbasisgrant"),
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
            is_staff=login.staff,
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


# --- Identity codes --------------------------------------------------------------------------------

_CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_SIGNS = {1900: ("-", "Y", "X", "W", "V", "U"), 2000: ("A", "B", "C", "D", "E", "F")}
_SIGN_CUM_WEIGHTS = list(accumulate((80, 4, 4, 4, 4, 4)))


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def identity_code(rng: random.Random, *, today: datetime.date) -> str:
    """One synthetic identity code: age 17–64 on `today`, individual number 900–999 (test range).

    The century sign is mostly the classic one (- or A), sometimes one of the 2023 additions. An odd
    individual number is a man, an even one a woman, as in real codes.
    """
    first = _add_years(today, -65).toordinal() + 1
    last = _add_years(today, -17).toordinal()
    born = datetime.date.fromordinal(rng.randint(first, last))
    century = 1900 if born.year < 2000 else 2000
    sign = rng.choices(_SIGNS[century], cum_weights=_SIGN_CUM_WEIGHTS)[0]
    individual = rng.randint(900, 999)
    digits = f"{born.day:02d}{born.month:02d}{born.year % 100:02d}"
    return f"{digits}{sign}{individual}{_CHECK_CHARS[int(f'{digits}{individual}') % 31]}"


def identity_code_stream(*, seed: int, today: datetime.date) -> Iterator[str]:
    """Endless unique synthetic identity codes, the same sequence for the same seed and day."""
    rng = random.Random(f"identity-codes:{seed}")  # noqa: S311 – synthetic data, not security
    seen: set[str] = set()
    while True:
        code = identity_code(rng, today=today)
        if code not in seen:
            seen.add(code)
            yield code


def identity_codes(*, seed: int, count: int, today: datetime.date) -> list[str]:
    """The first `count` codes of `identity_code_stream` (a pure function: no database)."""
    stream = identity_code_stream(seed=seed, today=today)
    return [next(stream) for _ in range(count)]


def birth_date_of(code: str) -> datetime.date:
    """Birth date encoded in a code made by `identity_code`."""
    century = 1900 if code[6] in _SIGNS[1900] else 2000
    return datetime.date(century + int(code[4:6]), int(code[2:4]), int(code[0:2]))


# --- Distributions ---------------------------------------------------------------------------------


def _cum(pairs: Sequence[tuple[Any, float]]) -> tuple[list[Any], list[float]]:
    """A weighted table for `_pick`: the values and their cumulative weights."""
    return [p[0] for p in pairs], list(accumulate(p[1] for p in pairs))


def _pick(rng: random.Random, table: tuple[list[Any], list[float]]) -> Any:
    return rng.choices(table[0], cum_weights=table[1])[0]


SOURCES = _cum(
    [
        (IdentificationSource.EMPLOYMENT_SERVICES, 24),
        (IdentificationSource.SOTE_APPOINTMENT, 22),
        (IdentificationSource.UNEMPLOYED_HEALTH_CHECK, 18),
        (IdentificationSource.SOCIAL_SERVICES, 12),
        (IdentificationSource.REHABILITATIVE_WORK, 7),
        (IdentificationSource.OCCUPATIONAL_HEALTH, 5),
        (IdentificationSource.STUDENT_HEALTH, 4),
        (IdentificationSource.SELF, 4),
        (IdentificationSource.KELA, 2),
        (IdentificationSource.OTHER, 2),
    ]
)
SITUATION_WEIGHTS: dict[str, float] = {
    SpecialSituation.LONG_UNEMPLOYMENT: 40,
    SpecialSituation.PARTIAL_ABILITY_UNEMPLOYED: 15,
    SpecialSituation.GRADUATING_PARTIAL_ABILITY: 6,
    SpecialSituation.REHABILITATIVE_WORK_HEALTH: 14,
    SpecialSituation.JOBSEEKER_ILLNESS: 22,
}
SITUATION_BOOST: dict[str, str] = {
    IdentificationSource.STUDENT_HEALTH: SpecialSituation.GRADUATING_PARTIAL_ABILITY,
    IdentificationSource.REHABILITATIVE_WORK: SpecialSituation.REHABILITATIVE_WORK_HEALTH,
    IdentificationSource.OCCUPATIONAL_HEALTH: SpecialSituation.PARTIAL_ABILITY_UNEMPLOYED,
}
OUTCOMES = _cum(
    [
        (Outcome.OPEN_LABOUR_MARKET, 16),
        (Outcome.STUDIES, 11),
        (Outcome.VOCATIONAL_REHABILITATION, 10),
        (Outcome.SOCIAL_INCLUSION, 9),
        (Outcome.TRANSFERRED, 8),
        (Outcome.PAY_SUBSIDY, 7),
        (Outcome.DISABILITY_PENSION, 7),
        (Outcome.MEDICAL_REHABILITATION, 6),
        (Outcome.CLIENT_WITHDREW, 5),
        (Outcome.PENSION_PROCESS, 4),
        (Outcome.NO_CHANGE, 4),
        (Outcome.MOVED_AWAY, 3),
        (Outcome.NOT_REACHED, 3),
        (Outcome.PENSION_REJECTED, 2),
        (Outcome.OTHER, 2),
        (Outcome.SELF_EMPLOYED, 1.5),
        (Outcome.DECEASED, 0.4),
    ]
)
EARLY_EXIT = frozenset(
    {
        Outcome.NOT_REACHED,
        Outcome.CLIENT_WITHDREW,
        Outcome.MOVED_AWAY,
        Outcome.DECEASED,
        Outcome.TRANSFERRED,
        Outcome.OTHER,
    }
)
"""Outcomes that often end an episode before its last step."""
GOOD_OUTCOMES = frozenset(
    {
        Outcome.OPEN_LABOUR_MARKET,
        Outcome.PAY_SUBSIDY,
        Outcome.SELF_EMPLOYED,
        Outcome.STUDIES,
        Outcome.VOCATIONAL_REHABILITATION,
        Outcome.MEDICAL_REHABILITATION,
        Outcome.SOCIAL_INCLUSION,
        Outcome.DISABILITY_PENSION,
    }
)
EPISODE_COUNTS = _cum([(1, 62), (2, 26), (3, 12)])  # 1.5 episodes per client on average
LAST_EPISODE_CLOSED = 0.03  # with the earlier episodes (always closed) about 35 % are closed
LANGUAGES = _cum(
    [
        (ClientLanguage.FINNISH, 88),
        (ClientLanguage.SWEDISH, 8),
        (ClientLanguage.ENGLISH, 1.5),
        (ClientLanguage.OTHER, 2.5),
    ]
)
EMPLOYMENT = _cum(
    [
        (EmploymentStatus.UNEMPLOYED, 55),
        (EmploymentStatus.EMPLOYED, 12),
        (EmploymentStatus.REHABILITATIVE_WORK, 10),
        (EmploymentStatus.OUTSIDE_LABOUR_FORCE, 10),
        (EmploymentStatus.STUDENT, 8),
        (EmploymentStatus.UNKNOWN, 5),
    ]
)
MUNICIPALITIES = _cum(voc.MUNICIPALITIES)
CONSENT_METHODS = _cum([(ConsentMethod.ORAL, 55), (ConsentMethod.WRITTEN, 30), (ConsentMethod.DIGITAL, 15)])
MEETING_KINDS = _cum([(MeetingKind.TEAM, 40), (MeetingKind.JOINT, 35), (MeetingKind.NETWORK, 25)])
AGREEMENT_METHODS = _cum(
    [
        (AgreementMethod.IN_MEETING, 40),
        (AgreementMethod.ORAL, 30),
        (AgreementMethod.WRITTEN, 15),
        (AgreementMethod.DIGITAL, 15),
    ]
)
FOLLOW_UP_MONTHS = _cum([((3, 6, 12), 50), ((3, 12), 20), ((6,), 15), ((12,), 15)])
CONTACT_WEIGHTS: dict[str, float] = {
    Profession.WORK_ABILITY_COORDINATOR: 3,
    Profession.CASE_COORDINATOR: 3,
    Profession.SOCIAL_WORKER: 2,
    Profession.SOCIAL_INSTRUCTOR: 2,
    Profession.PUBLIC_HEALTH_NURSE: 1.2,
    Profession.NURSE: 1.5,
    Profession.REHABILITATION_COUNSELLOR: 1.5,
    Profession.JOB_COACH: 1,
    Profession.PHYSIOTHERAPIST: 0.5,
    Profession.PSYCHOLOGIST: 0.5,
    Profession.PHYSICIAN: 0.3,
}
GENERATED_TEAM = (
    Profession.PUBLIC_HEALTH_NURSE,
    Profession.PHYSICIAN,
    Profession.SOCIAL_WORKER,
    Profession.PHYSIOTHERAPIST,
    Profession.PSYCHOLOGIST,
    Profession.WORK_ABILITY_COORDINATOR,
    Profession.CASE_COORDINATOR,
    Profession.JOB_COACH,
)
"""The eight professionals of a team the generator adds for large runs."""
GOAL_DOMAINS = list(GoalDomain.values)
CLOSED_GOAL_STATUSES = {
    True: _cum(
        [
            (GoalStatus.ACHIEVED, 60),
            (GoalStatus.PARTLY_ACHIEVED, 30),
            (GoalStatus.NOT_ACHIEVED, 5),
            (GoalStatus.DROPPED, 5),
        ]
    ),
    False: _cum([(GoalStatus.NOT_ACHIEVED, 40), (GoalStatus.DROPPED, 30), (GoalStatus.PARTLY_ACHIEVED, 30)]),
}

# --- Rows ------------------------------------------------------------------------------------------

COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    Client: (
        "id",
        "created_at",
        "updated_at",
        "identity_code",
        "first_names",
        "last_name",
        "birth_date",
        "language",
        "phone",
        "email",
        "municipality",
        "employment_status",
    ),
    Consent: (
        "id",
        "client_id",
        "kind",
        "recipient_organisation_id",
        "recipient_kind",
        "categories",
        "purpose",
        "purpose_details",
        "valid_from",
        "valid_until",
        "given_how",
        "given_note",
        "recorded_by_id",
        "recorded_at",
        "withdrawn_at",
        "withdrawn_by_id",
        "withdrawal_note",
    ),
    Episode: (
        "id",
        "created_at",
        "updated_at",
        "client_id",
        "team_id",
        "pathway_version_id",
        "status",
        "current_step_id",
        "current_step_due",
        "opened_at",
        "opened_by_id",
        "source",
        *SITUATION_FIELDS.values(),
        "need_description",
        "team_consent_on",
        "team_consent_method",
        "team_consent_recorded_by_id",
        "outcome",
        "outcome_on",
        "outcome_detail",
        "closed_at",
        "closed_by_id",
    ),
    StepRecord: (
        "id",
        "created_at",
        "updated_at",
        "episode_id",
        "step_id",
        "status",
        "started_at",
        "started_by_id",
        "due_on",
        "ended_at",
        "ended_by_id",
        "output",
        "reason",
    ),
    CaseTeamMember: (
        "id",
        "created_at",
        "updated_at",
        "episode_id",
        "user_id",
        "role_in_case",
        "added_at",
        "added_by_id",
        "removed_at",
        "removed_by_id",
    ),
    Assignment: (
        "id",
        "created_at",
        "updated_at",
        "episode_id",
        "kind",
        "user_id",
        "started_at",
        "started_by_id",
        "ended_at",
        "note",
    ),
    FollowUp: ("created_at", "updated_at", "episode_id", "due_on", "owner_id", "status", "note"),
    Plan: ("id", "created_at", "updated_at", "episode_id", "revision", "summary", "next_review_on", "updated_by_id"),
    Goal: (
        "id",
        "created_at",
        "updated_at",
        "plan_id",
        "domain",
        "description",
        "client_wording",
        "target_on",
        "status",
    ),
    Action: (
        "id",
        "created_at",
        "updated_at",
        "plan_id",
        "goal_id",
        "title",
        "owner_id",
        "due_on",
        "status",
        "source",
        "completed_at",
    ),
    PlanVersion: (
        "plan_id",
        "number",
        "snapshot",
        "created_at",
        "created_by_id",
        "agreed_on",
        "agreement_method",
        "agreement_recorded_by_id",
    ),
    Meeting: (
        "id",
        "created_at",
        "updated_at",
        "episode_id",
        "kind",
        "starts_at",
        "location",
        "client_participated",
        "agenda",
        "minutes",
        "recorded_by_id",
    ),
    Participant: ("meeting_id", "user_id", "name", "organisation"),
    Decision: ("meeting_id", "text", "action_id"),
    Entry: ("id", "episode_id", "register", "text", "ehr_reference", "author_id", "written_at"),
    AuditEvent: ("occurred_at", "actor_id", "verb", "client_id", "episode_id", "target_type", "target_id", "payload"),
}
"""Columns written per table, in insert order (parents first). Ids are given where rows are referred to."""
ID_MODELS = [m for m, cols in COLUMNS.items() if cols[0] == "id"]
Rows = dict[type[models.Model], list[tuple[Any, ...]]]

_T_CLIENT = Client._meta.label_lower
_T_EPISODE = Episode._meta.label_lower
_T_RECORD = StepRecord._meta.label_lower
_T_MEMBER = CaseTeamMember._meta.label_lower
_T_ASSIGNMENT = Assignment._meta.label_lower
_T_PLAN = Plan._meta.label_lower
_T_MEETING = Meeting._meta.label_lower
_T_ENTRY = Entry._meta.label_lower
_T_CONSENT = Consent._meta.label_lower


class _Table:
    """How to write one model's rows: the given columns plus constant defaults for any other field."""

    def __init__(self, model: type[models.Model], columns: tuple[str, ...]) -> None:
        self.model = model
        self.columns = columns
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise RuntimeError(f"{model.__name__} has no fields {sorted(unknown)}: update demo/generator.py")
        self.json_positions = [i for i, c in enumerate(columns) if isinstance(fields[c], models.JSONField)]
        self.extra: dict[str, Any] = {}
        for attname, f in fields.items():
            if attname in columns or (attname == "id" and f.primary_key):
                continue
            if f.has_default():
                self.extra[attname] = f.get_default()
            elif f.null:
                self.extra[attname] = None
            elif f.blank and isinstance(f, models.CharField | models.TextField):
                self.extra[attname] = ""
            else:
                raise RuntimeError(f"{model.__name__}.{attname} needs a value: update demo/generator.py")
        self.db_columns = [fields[c].column for c in columns] + [fields[c].column for c in self.extra]

    def write(self, rows: list[tuple[Any, ...]], use_copy: bool) -> None:
        if not rows:
            return
        if use_copy:
            self._copy(rows)
        else:
            model, columns, extra = self.model, self.columns, self.extra
            objs = [model(**dict(zip(columns, row, strict=True)), **extra) for row in rows]
            model._default_manager.bulk_create(objs, batch_size=1000)

    def _copy(self, rows: list[tuple[Any, ...]]) -> None:
        quoted = ", ".join(connection.ops.quote_name(str(c)) for c in self.db_columns)
        sql = f"COPY {connection.ops.quote_name(self.model._meta.db_table)} ({quoted}) FROM STDIN"
        extra = tuple(json.dumps(v) if isinstance(v, dict | list) else v for v in self.extra.values())
        json_positions = self.json_positions
        dumps = json.dumps
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            write = copy.write_row
            for row in rows:
                if json_positions:
                    values = list(row)
                    for i in json_positions:
                        values[i] = dumps(values[i], ensure_ascii=False)
                    row = tuple(values)
                write((*row, *extra) if extra else row)


# --- Teams and people ------------------------------------------------------------------------------


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


# --- Partners and consents -------------------------------------------------------------------------

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


# --- Pathways --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    id: int
    index: int
    code: str
    payload: dict[str, Any]
    days: int
    check: str
    role: str


@dataclass
class _Pathway:
    code: str
    version_id: int
    version_number: int
    names: dict[str, str]
    steps: list[_Step]
    open_cum: list[float] = field(init=False)

    def __post_init__(self) -> None:
        # Open episodes spread over steps roughly by the time spent in each step.
        self.open_cum = list(accumulate(s.days**0.8 for s in self.steps))

    def index_of(self, check: str, default: int) -> int:
        return next((s.index for s in self.steps if s.check == check), default)


def _load_pathways() -> tuple[list[_Pathway], list[float]]:
    found, weights = [], []
    for code, share in PATHWAY_SHARES:
        pathway = Pathway.objects.filter(code=code).first()
        version = pathway_version_current(pathway=pathway) if pathway is not None else None
        if pathway is None or version is None:
            continue
        steps = [
            _Step(
                s.pk,
                i,
                s.code,
                {"order": s.order, "name": {"fi": s.name_fi, "sv": s.name_sv, "en": s.name_en}},
                s.expected_duration_days,
                s.completion_check,
                s.responsible_role,
            )
            for i, s in enumerate(version.steps.order_by("order"))
        ]
        if len(steps) < 2:
            continue
        names = {"fi": pathway.name_fi, "sv": pathway.name_sv, "en": pathway.name_en}
        found.append(_Pathway(code, version.pk, version.number, names, steps))
        weights.append(share)
    if not found:
        raise RuntimeError("No published pathways found: run `manage.py migrate` first.")
    return found, list(accumulate(weights))


# --- Generation ------------------------------------------------------------------------------------


@dataclass
class GenerationResult:
    """What `generate` wrote."""

    clients: int = 0
    episodes: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


@dataclass(slots=True)
class _Visit:
    index: int
    status: str
    days: float
    start: float = 0.0
    end: float = 0.0


@dataclass(slots=True)
class _Sketch:
    pathway: _Pathway
    closed: bool
    outcome: str
    visits: list[_Visit]


class _Generator:
    """Builds rows for a batch of clients; times are float day numbers (ordinal + fraction of 08–16)."""

    def __init__(
        self,
        *,
        rng: random.Random,
        now: datetime.datetime,
        staffs: list[_Staff],
        pathways: list[_Pathway],
        pathway_cum: list[float],
        codes: Iterator[str],
        partners: Sequence[_Partner] = (),
        privacy_rng: random.Random | None = None,
    ) -> None:
        self.rng = rng
        # Consents draw from their own generator: the rest of the data does not change with them.
        self.privacy_rng = privacy_rng or random.Random("privacy")  # noqa: S311 – synthetic data, not security
        self.partners = list(partners)
        self.partner_of_kind = {p.spec.kind: p for p in partners}
        region_ids = {s.region_id for s in staffs if s.region_id is not None}
        self.organisation_names = dict(Organisation.objects.filter(pk__in=region_ids).values_list("pk", "name"))
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.today = timezone.localtime(now, self.tz).date()
        self.today_ord = self.today.toordinal()
        self.staffs = staffs
        self.staff_cum = list(accumulate(len(s.people) for s in staffs))
        self.pathways = pathways
        self.pathway_cum = pathway_cum
        self.codes = codes
        self.ids = {m: m._default_manager.aggregate(m=Max("id"))["m"] or 0 for m in ID_MODELS}
        self.rows: Rows = {m: [] for m in COLUMNS}
        # The first open episodes of each pathway visit every step and the first closed ones every
        # outcome, so that even a small data set shows them all.
        self.pending_steps = {p.code: list(range(len(p.steps) - 1, -1, -1)) for p in pathways}
        self.pending_outcomes = list(reversed(Outcome.values))
        self.episodes = 0

    # -- helpers

    def _id(self, model: type[models.Model]) -> int:
        self.ids[model] += 1
        return self.ids[model]

    def dt(self, t: float) -> datetime.datetime:
        day = int(t)
        seconds = 28800 + int((t - day) * 28800)
        d = datetime.date.fromordinal(day)
        return datetime.datetime(
            d.year, d.month, d.day, seconds // 3600, seconds // 60 % 60, seconds % 60, tzinfo=self.tz
        )

    @staticmethod
    def date(t: float) -> datetime.date:
        return datetime.date.fromordinal(int(t))

    def between(self, a: float, b: float) -> float:
        return a + (b - a) * self.rng.random()

    def privacy_between(self, a: float, b: float) -> float:
        return a + (b - a) * self.privacy_rng.random()

    def event(
        self,
        t: float,
        actor: int | None,
        verb: str,
        client_id: int,
        episode_id: int | None,
        target_type: str,
        target_id: int | None,
        payload: dict[str, Any],
    ) -> None:
        self.rows[AuditEvent].append((self.dt(t), actor, verb, client_id, episode_id, target_type, target_id, payload))

    # -- clients

    def client(self) -> None:
        rng = self.rng
        code = next(self.codes)
        female = int(code[7:10]) % 2 == 0
        language = _pick(rng, LANGUAGES)
        first, last = _random_name(rng, female, language)
        client_id = self._id(Client)
        municipality = _pick(rng, MUNICIPALITIES)
        email = ""
        if rng.random() < 0.4:
            email = f"{first.split()[0]}.{last}{rng.randint(1, 99)}@example.com".lower()
            email = email.translate(str.maketrans("äöåé", "aoae"))
        staff = self.staffs[0] if len(self.staffs) == 1 else rng.choices(self.staffs, cum_weights=self.staff_cum)[0]
        sketches = self._sketches(_pick(rng, EPISODE_COUNTS))
        created = self.dt(sketches[0].visits[0].start - 0.001)
        employment_status = _pick(rng, EMPLOYMENT)
        self.rows[Client].append(
            (
                client_id,
                created,
                created,
                code,
                first,
                last,
                birth_date_of(code),
                language,
                "",
                email,
                municipality,
                employment_status,
            )
        )
        for n, sketch in enumerate(sketches):
            self._episode(client_id, staff, sketch, first_of_client=n == 0, employment_status=employment_status)

    def _sketches(self, count: int) -> list[_Sketch]:
        """Decide each episode's pathway, steps and durations, then place them on the calendar."""
        rng = self.rng
        sketches = []
        for n in range(count):
            closed = n < count - 1 or rng.random() < LAST_EPISODE_CLOSED
            pathway = (
                self.pathways[0]
                if len(self.pathways) == 1
                else rng.choices(self.pathways, cum_weights=self.pathway_cum)[0]
            )
            sketches.append(self._sketch(pathway, closed))
        gaps = [rng.uniform(14, 120) for _ in range(count - 1)]
        end_offset = rng.uniform(3, 300) if sketches[-1].closed else 0.0
        total = sum(v.days for s in sketches for v in s.visits) + sum(gaps)
        available = HORIZON_DAYS - end_offset - 1
        scale = min(1.0, available / total)
        t = self.today_ord - end_offset - total * scale - 1e-4
        for n, sketch in enumerate(sketches):
            for visit in sketch.visits:
                visit.start = t
                t += visit.days * scale
                visit.end = t
            if n < len(gaps):
                t += gaps[n] * scale
        return sketches

    def _sketch(self, pathway: _Pathway, closed: bool) -> _Sketch:
        rng = self.rng
        steps = pathway.steps
        last = len(steps) - 1
        outcome = ""
        if closed:
            outcomes = self.pending_outcomes
            outcome = outcomes.pop() if outcomes else _pick(rng, OUTCOMES)
            end = rng.randint(0, last - 1) if outcome in EARLY_EXIT and rng.random() < 0.7 else last
        else:
            indexes = self.pending_steps[pathway.code]
            end = indexes.pop() if indexes else rng.choices(range(len(steps)), cum_weights=pathway.open_cum)[0]
        visits: list[_Visit] = []
        back = rng.randint(2, end - 1) if end >= 3 and rng.random() < 0.04 else -1
        for i in range(end):
            step = steps[i]
            if i == back:
                visits.append(_Visit(i, StepStatus.RETURNED, step.days * rng.uniform(0.2, 0.8)))
                visits.append(_Visit(i - 1, StepStatus.COMPLETED, steps[i - 1].days * rng.uniform(0.2, 0.6)))
            if i > 0 and step.check == CompletionCheck.NONE and rng.random() < 0.07:
                visits.append(_Visit(i, StepStatus.SKIPPED, rng.uniform(0.2, 5)))
            else:
                factor = min(3.0, max(0.15, rng.lognormvariate(-0.1, 0.5)))
                visits.append(_Visit(i, StepStatus.COMPLETED, step.days * factor))
        days = steps[end].days
        if not closed:
            visits.append(_Visit(end, StepStatus.ACTIVE, days * rng.uniform(0.02, 1.35)))
        elif end == last:
            visits.append(_Visit(end, StepStatus.COMPLETED, days * rng.uniform(0.3, 1.5)))
        else:
            visits.append(_Visit(end, StepStatus.CLOSED, days * rng.uniform(0.1, 1.0)))
        return _Sketch(pathway, closed, outcome, visits)

    # -- episodes

    def _episode(
        self, client_id: int, staff: _Staff, sk: _Sketch, *, first_of_client: bool, employment_status: str
    ) -> None:
        rng, rows, dt, date, event = self.rng, self.rows, self.dt, self.date, self.event
        self.episodes += 1
        pathway, steps, visits = sk.pathway, sk.pathway.steps, sk.visits
        episode_id = self._id(Episode)
        t_open, t_end = visits[0].start, visits[-1].end
        span = t_end - t_open
        final = visits[-1]
        reached = final.index
        opener = rng.choice(staff.openers)

        # Responsibilities: contact person (with history), own worker.
        cp_index = pathway.index_of(CompletionCheck.CONTACT_PERSON, 2)
        contacts: list[tuple[_Person, float, float | None]] = []
        chance = 0.92 if reached > cp_index else 0.4 if reached == cp_index else 0.04
        if rng.random() < chance:
            visit = next((v for v in visits if v.index == cp_index), None)
            t_cp = (
                self.between(visit.start + (visit.end - visit.start) * 0.2, visit.end)
                if visit
                else self.between(t_open, t_end)
            )
            person = staff.contact_person(rng)
            if rng.random() < 0.15 and len(staff.people) > 1:
                t_change = self.between(t_cp + (t_end - t_cp) * 0.3, t_cp + (t_end - t_cp) * 0.9)
                other = rng.choice([p for p in staff.people if p.id != person.id])
                contacts = [(person, t_cp, t_change), (other, t_change, None)]
            else:
                contacts = [(person, t_cp, None)]
        own_worker = None
        if staff.social and rng.random() < 0.12:
            own_worker = (rng.choice(staff.social), self.between(t_open + span * 0.05, t_open + span * 0.5))
        contact = contacts[-1][0] if contacts else None

        # The client's team: the opener, the responsible people, others up to 2–4.
        added: dict[int, tuple[_Person, float]] = {opener.id: (opener, t_open)}
        for person, t, _ended in contacts:
            added.setdefault(person.id, (person, t))
        if own_worker is not None:
            added.setdefault(own_worker[0].id, own_worker)
        want = rng.randint(2, 4)
        if len(added) < want:
            for person in rng.sample(staff.people, min(len(staff.people), want + 2)):
                if len(added) >= want:
                    break
                if person.id not in added:
                    added[person.id] = (person, self.between(t_open + span * 0.02, t_open + span * 0.35))
        members = [p for p, _t in added.values()]
        by_profession = {p.profession: p for p in members}
        lead = contact or opener

        def actor_for(step: _Step) -> int:
            return (by_profession.get(step.role) or lead).id

        # Episode.
        source = _pick(rng, SOURCES)
        situations = self._situations(source)
        outcome = sk.outcome
        closed_by = (contact or by_profession.get(Profession.CASE_COORDINATOR) or opener) if sk.closed else None
        detail = rng.choice(voc.OUTCOME_DETAILS[outcome]) if sk.closed else ""
        outcome_on = max(date(t_open), date(t_end) - datetime.timedelta(days=rng.randint(0, 7))) if sk.closed else None
        active_due = date(final.start) + datetime.timedelta(days=steps[final.index].days) if not sk.closed else None
        opened = dt(t_open)
        rows[Episode].append(
            (
                episode_id,
                opened,
                dt(t_end),
                client_id,
                staff.team_id,
                pathway.version_id,
                EpisodeStatus.CLOSED if sk.closed else EpisodeStatus.OPEN,
                None if sk.closed else steps[final.index].id,
                active_due,
                opened,
                opener.id,
                source,
                *(s in situations for s in SITUATION_FIELDS),
                rng.choice(voc.NEED_DESCRIPTIONS),
                date(t_open) - datetime.timedelta(days=rng.randint(0, 10)),
                _pick(rng, CONSENT_METHODS),
                opener.id,
                outcome,
                outcome_on,
                detail,
                dt(t_end) if sk.closed else None,
                closed_by.id if closed_by else None,
            )
        )
        if first_of_client:
            event(t_open - 0.001, opener.id, EventType.CLIENT_CREATED, client_id, None, _T_CLIENT, client_id, {})
        event(
            t_open,
            opener.id,
            EventType.EPISODE_OPENED,
            client_id,
            episode_id,
            _T_EPISODE,
            episode_id,
            {
                "pathway": pathway.names,
                "version": pathway.version_number,
                "source": source,
                "situations": sorted(situations),
                "step": steps[0].payload,
            },
        )

        # Step records and transitions.
        for n, visit in enumerate(visits):
            step = steps[visit.index]
            record_id = self._id(StepRecord)
            actor = actor_for(step)
            started = dt(visit.start)
            due = date(visit.start) + datetime.timedelta(days=step.days)
            status, output, reason = visit.status, "", ""
            if status == StepStatus.COMPLETED:
                output = (
                    (detail or rng.choice(voc.STEP_OUTPUTS["closing"]))
                    if visit is final
                    else rng.choice(voc.STEP_OUTPUTS.get(step.code, voc.GENERIC_OUTPUT))
                )
            elif status == StepStatus.SKIPPED:
                reason = rng.choice(voc.SKIP_REASONS)
            elif status == StepStatus.RETURNED:
                reason = rng.choice(voc.RETURN_REASONS)
            if status == StepStatus.ACTIVE:
                rows[StepRecord].append(
                    (record_id, started, started, episode_id, step.id, status, started, actor, due, None, None, "", "")
                )
                continue
            ended = dt(visit.end)
            ender = closed_by.id if visit is final and closed_by else actor
            rows[StepRecord].append(
                (
                    record_id,
                    started,
                    ended,
                    episode_id,
                    step.id,
                    status,
                    started,
                    actor,
                    due,
                    ended,
                    ender,
                    output,
                    reason,
                )
            )
            if visit is not final:
                following = steps[visits[n + 1].index]
                payload: dict[str, Any] = {"step": step.payload, "next_step": following.payload}
                if status == StepStatus.COMPLETED:
                    verb, payload["output"] = EventType.STEP_COMPLETED, output
                else:
                    verb = EventType.STEP_SKIPPED if status == StepStatus.SKIPPED else EventType.STEP_RETURNED
                    payload["reason"] = reason
                event(visit.end, ender, verb, client_id, episode_id, _T_RECORD, record_id, payload)

        # Case team members and responsibilities.
        for person, t in added.values():
            member_id = self._id(CaseTeamMember)
            at = dt(t)
            role = ""  # blank: shown as the profession in the reader's language
            rows[CaseTeamMember].append((member_id, at, at, episode_id, person.id, role, at, opener.id, None, None))
            if person is not opener:
                event(
                    t,
                    opener.id,
                    EventType.TEAM_MEMBER_ADDED,
                    client_id,
                    episode_id,
                    _T_MEMBER,
                    member_id,
                    {"member": person.name, "role": role},
                )
        previous: _Person | None = None
        for person, t_start, t_stop in contacts:
            self._assignment(
                client_id,
                episode_id,
                AssignmentKind.CONTACT_PERSON,
                person,
                t_start,
                t_stop,
                (previous or opener).id,
                previous.name if previous else "",
            )
            previous = person
        if own_worker is not None:
            self._assignment(
                client_id, episode_id, AssignmentKind.OWN_WORKER, own_worker[0], own_worker[1], None, opener.id, ""
            )

        self._plan_and_meetings(client_id, episode_id, sk, members, lead, t_open, t_end)
        self._entries(client_id, episode_id, members, t_open, t_end)
        targeted: set[str] = set()
        if employment_status == EmploymentStatus.EMPLOYED or source == IdentificationSource.OCCUPATIONAL_HEALTH:
            targeted.add(OrganisationKind.OCCUPATIONAL_HEALTH)
        if (
            employment_status == EmploymentStatus.STUDENT
            or source == IdentificationSource.STUDENT_HEALTH
            or SpecialSituation.GRADUATING_PARTIAL_ABILITY in situations
        ):
            targeted.add(OrganisationKind.STUDENT_HEALTH)
        self._privacy(client_id, episode_id, staff, sk, opener, lead, t_open, t_end, outcome_on, targeted)

        if sk.closed:
            assert outcome_on is not None and closed_by is not None
            follow_ups = []
            if outcome not in OUTCOMES_WITHOUT_FOLLOW_UP:
                owner = contact or closed_by
                closed = dt(t_end)
                for months in _pick(rng, FOLLOW_UP_MONTHS):
                    due_on = outcome_on + datetime.timedelta(days=round(months * 30.44))
                    status = FollowUpStatus.DUE
                    if due_on < self.today:
                        r = rng.random()
                        status = FollowUpStatus.DONE if r < 0.8 else FollowUpStatus.CANCELLED if r < 0.85 else status
                    rows[FollowUp].append(
                        (closed, closed, episode_id, due_on, owner.id, status, rng.choice(voc.FOLLOW_UP_NOTES))
                    )
                    follow_ups.append({"due_on": due_on.isoformat(), "owner": owner.name})
            event(
                t_end,
                closed_by.id,
                EventType.EPISODE_CLOSED,
                client_id,
                episode_id,
                _T_EPISODE,
                episode_id,
                {
                    "outcome": outcome,
                    "outcome_on": outcome_on.isoformat(),
                    "detail": detail,
                    "step": steps[final.index].payload,
                    "follow_ups": follow_ups,
                },
            )

    def _situations(self, source: str) -> list[str]:
        rng = self.rng
        count = rng.choices((0, 1, 2), cum_weights=(35, 80, 100))[0]
        if not count:
            return []
        weights = dict(SITUATION_WEIGHTS)
        boosted = SITUATION_BOOST.get(source)
        if boosted is not None:
            weights[boosted] += 60
        chosen: list[str] = []
        while len(chosen) < count:
            s = rng.choices(list(weights), weights=list(weights.values()))[0]
            if s not in chosen:
                chosen.append(str(s))
        return chosen

    def _assignment(
        self,
        client_id: int,
        episode_id: int,
        kind: str,
        person: _Person,
        start: float,
        stop: float | None,
        by: int,
        previous: str,
    ) -> None:
        assignment_id = self._id(Assignment)
        started = self.dt(start)
        ended = self.dt(stop) if stop is not None else None
        note = "Vastuu siirtyi toiselle ammattilaiselle." if stop is not None else ""
        self.rows[Assignment].append(
            (assignment_id, started, ended or started, episode_id, kind, person.id, started, by, ended, note)
        )
        verb = EventType.CONTACT_PERSON_NAMED if kind == AssignmentKind.CONTACT_PERSON else EventType.OWN_WORKER_NAMED
        self.event(
            start,
            by,
            verb,
            client_id,
            episode_id,
            _T_ASSIGNMENT,
            assignment_id,
            {"person": person.name, "previous": previous},
        )

    def _action_status(self, t_created: float, t_end: float, closed: bool) -> tuple[datetime.date, str, float | None]:
        """Due date, status and completion time of an action created at `t_created`."""
        rng = self.rng
        created_on = self.date(t_created)
        if closed:
            done = rng.random() < 0.8
            due = created_on + datetime.timedelta(days=rng.randint(7, 60))
            return (
                due,
                ActionStatus.DONE if done else ActionStatus.CANCELLED,
                (self.between(t_created, t_end) if done else None),
            )
        r = rng.random()
        if r < 0.35:
            t_done = self.between(t_created, t_end)
            return self.date(t_done) + datetime.timedelta(days=rng.randint(-5, 20)), ActionStatus.DONE, t_done
        if r < 0.4:
            return created_on + datetime.timedelta(days=rng.randint(7, 60)), ActionStatus.CANCELLED, None
        due = max(created_on + datetime.timedelta(days=3), self.today + datetime.timedelta(days=rng.randint(-25, 60)))
        return due, ActionStatus.OPEN, None

    def _plan_and_meetings(
        self,
        client_id: int,
        episode_id: int,
        sk: _Sketch,
        members: list[_Person],
        lead: _Person,
        t_open: float,
        t_end: float,
    ) -> None:
        rng, rows, dt, date = self.rng, self.rows, self.dt, self.date
        pathway, visits = sk.pathway, sk.visits
        reached = visits[-1].index
        closed = sk.closed
        span = t_end - t_open

        def window(index: int) -> tuple[float, float] | None:
            visit = next((v for v in visits if v.index == index), None)
            return (visit.start, visit.end) if visit is not None else None

        # Meetings first: their decisions may add actions (and plan versions).
        kinds_needed: list[tuple[str, tuple[float, float] | None]] = []
        meeting_index = pathway.index_of(CompletionCheck.MEETING, -1)
        joint_index = pathway.index_of(CompletionCheck.JOINT_MEETING, -1)
        if 0 <= meeting_index < reached:
            kinds_needed.append((MeetingKind.TEAM, window(meeting_index)))
        if 0 <= joint_index < reached:
            kinds_needed.append((MeetingKind.JOINT, window(joint_index)))
        count = max(len(kinds_needed), rng.choices((0, 1, 2, 3), cum_weights=(20, 60, 88, 100))[0])
        while len(kinds_needed) < count:
            kinds_needed.append((_pick(rng, MEETING_KINDS), None))
        meeting_actions: list[tuple[float, str, int, _Person, _Person]] = []  # time, title, meeting, owner, recorder
        for kind, span_window in kinds_needed:
            a, b = span_window or (t_open, t_end)
            t = self.between(a + (b - a) * 0.1, b)
            meeting_id = self._id(Meeting)
            client_took_part = kind == MeetingKind.JOINT or (kind == MeetingKind.NETWORK and rng.random() < 0.5)
            people = rng.sample(members, min(len(members), rng.randint(2, 4)))
            starts = dt(t)
            rows[Meeting].append(
                (
                    meeting_id,
                    starts,
                    starts,
                    episode_id,
                    kind,
                    starts,
                    rng.choice(voc.MEETING_LOCATIONS),
                    client_took_part,
                    rng.choice(voc.MEETING_AGENDAS),
                    rng.choice(voc.MEETING_MINUTES),
                    people[0].id,
                )
            )
            rows[Participant].extend((meeting_id, p.id, "", "") for p in people)
            if kind != MeetingKind.TEAM and rng.random() < 0.5:
                organisation, role = rng.choice(voc.OUTSIDE_PARTICIPANTS)
                first, last = _random_name(rng, rng.random() < 0.7)
                rows[Participant].append((meeting_id, None, f"{first.split()[0]} {last}, {role}", organisation))
            decisions = rng.sample(voc.DECISIONS, rng.randint(0, 2))
            with_action = 0
            for text in decisions:
                if rng.random() < 0.5:
                    meeting_actions.append((t, text, meeting_id, rng.choice(members), people[0]))
                    with_action += 1
                else:
                    rows[Decision].append((meeting_id, text, None))
            self.event(
                t,
                people[0].id,
                EventType.MEETING_RECORDED,
                client_id,
                episode_id,
                _T_MEETING,
                meeting_id,
                {
                    "kind": kind,
                    "starts_at": starts.isoformat(),
                    "client_participated": client_took_part,
                    "actions": with_action,
                },
            )

        # The plan: versions at the plan step and later, plus one per action from a meeting decision.
        plan_window = window(pathway.index_of(CompletionCheck.PLAN, 2))
        t_plan = (
            plan_window[0] + (plan_window[1] - plan_window[0]) * 0.3
            if plan_window
            else self.between(t_open + span * 0.05, t_open + span * 0.5)
        )
        base_times = [t_plan, *sorted(self.between(t_plan, t_end) for _ in range(rng.randint(0, 2)))]
        versions: list[tuple[float, tuple[float, str, int, _Person, _Person] | None]] = sorted(
            [(t, None) for t in base_times] + [(m[0], m) for m in meeting_actions], key=lambda v: v[0]
        )
        plan_id = self._id(Plan)
        domains = rng.sample(GOAL_DOMAINS, rng.randint(1, 4))
        goals: list[tuple[Any, ...]] = []  # id, created t, domain, description, client wording, target, status
        for domain in domains:
            t = base_times[0] if rng.random() < 0.7 else rng.choice(base_times)
            if closed:
                status = _pick(rng, CLOSED_GOAL_STATUSES[sk.outcome in GOOD_OUTCOMES])
            else:
                status = GoalStatus.IN_PROGRESS if rng.random() < 0.6 else GoalStatus.OPEN
            wording = rng.choice(voc.CLIENT_WORDINGS[domain]) if rng.random() < 0.45 else ""
            goal_id = self._id(Goal)
            target = date(t) + datetime.timedelta(days=rng.randint(60, 300))
            goals.append((goal_id, t, domain, rng.choice(voc.GOALS[domain]), wording, target, status))
            at = dt(t)
            rows[Goal].append((goal_id, at, at, plan_id, domain, goals[-1][3], wording, target, status))
        actions: list[tuple[Any, ...]] = []  # id, created t, goal id, title, owner, due, status
        owners = [lead, *members]
        for title in rng.sample(voc.ACTIONS, max(1, rng.randint(1, 5) - len(meeting_actions))):
            t = rng.choice(base_times)
            due, status, t_done = self._action_status(t, t_end, closed)
            linked_goal = rng.choice(goals)[0] if rng.random() < 0.8 else None
            owner = rng.choice(owners)
            action_id = self._id(Action)
            at = dt(t)
            rows[Action].append(
                (
                    action_id,
                    at,
                    dt(t_done) if t_done else at,
                    plan_id,
                    linked_goal,
                    title,
                    owner.id,
                    due,
                    status,
                    ActionSource.PLAN,
                    dt(t_done) if t_done else None,
                )
            )
            actions.append((action_id, t, linked_goal, title, owner, due, status))
        for t, title, meeting_id, owner, _recorder in meeting_actions:
            due, status, t_done = self._action_status(t, t_end, closed)
            action_id = self._id(Action)
            at = dt(t)
            rows[Action].append(
                (
                    action_id,
                    at,
                    dt(t_done) if t_done else at,
                    plan_id,
                    None,
                    title,
                    owner.id,
                    due,
                    status,
                    ActionSource.MEETING,
                    dt(t_done) if t_done else None,
                )
            )
            rows[Decision].append((meeting_id, title, action_id))
            actions.append((action_id, t, None, title, owner, due, status))

        summary = rng.choice(voc.PLAN_SUMMARIES)
        review = date(versions[-1][0]) + datetime.timedelta(days=rng.choice((60, 90, 120))) if not closed else None
        agreed_index = pathway.index_of(CompletionCheck.PLAN_AGREED, 4)
        last_number = len(versions)
        agree_number, agree_by = 0, t_end
        agreed_window = window(agreed_index)
        if reached > agreed_index and agreed_window is not None and rng.random() < 0.95:
            # The step that checks the agreement was completed: the agreement came before its end.
            agree_by = agreed_window[1]
            agree_number = sum(1 for t, _m in versions if t < agree_by)
        elif rng.random() < 0.25:
            agree_number = last_number if rng.random() < 0.7 else rng.randint(1, last_number)
        creator = lead
        for number, (t, from_meeting) in enumerate(versions, start=1):
            is_last = number == last_number
            creator = from_meeting[4] if from_meeting else rng.choice(owners)
            snapshot: dict[str, Any] = {
                "summary": summary,
                "next_review_on": review.isoformat() if review and is_last else None,
                "goals": [
                    {
                        "id": g[0],
                        "domain": g[2],
                        "description": g[3],
                        "client_wording": g[4],
                        "target_on": g[5].isoformat(),
                        "status": g[6] if is_last else GoalStatus.OPEN,
                    }
                    for g in goals
                    if g[1] <= t
                ],
                "actions": [
                    {
                        "id": a[0],
                        "goal_id": a[2],
                        "title": a[3],
                        "owner": a[4].name,
                        "due_on": a[5].isoformat(),
                        "status": a[6] if is_last else ActionStatus.OPEN,
                    }
                    for a in actions
                    if a[1] <= t
                ],
            }
            agreed_on, method, recorder = None, "", None
            if number == agree_number:
                t_next = min(versions[number][0] if number < last_number else t_end, agree_by)
                t_agreed = self.between(t, t_next)
                agreed_on, method, recorder = date(t_agreed), _pick(rng, AGREEMENT_METHODS), lead.id
            rows[PlanVersion].append((plan_id, number, snapshot, dt(t), creator.id, agreed_on, method, recorder))
            if from_meeting:
                payload: dict[str, Any] = {
                    "revision": number,
                    "added_action": from_meeting[1],
                    "source": ActionSource.MEETING,
                }
            else:
                payload = {"revision": number, "goals": len(snapshot["goals"]), "actions": len(snapshot["actions"])}
            self.event(t, creator.id, EventType.PLAN_UPDATED, client_id, episode_id, _T_PLAN, plan_id, payload)
            if agreed_on is not None:
                self.event(
                    t_agreed,
                    lead.id,
                    EventType.PLAN_AGREED,
                    client_id,
                    episode_id,
                    _T_PLAN,
                    plan_id,
                    {"revision": number, "method": method, "agreed_on": agreed_on.isoformat()},
                )
        rows[Plan].append(
            (plan_id, dt(versions[0][0]), dt(versions[-1][0]), episode_id, last_number, summary, review, creator.id)
        )

    def _entries(self, client_id: int, episode_id: int, members: list[_Person], t_open: float, t_end: float) -> None:
        rng = self.rng
        for _ in range(rng.choices((0, 1, 2, 3, 4), cum_weights=(15, 40, 70, 88, 100))[0]):
            author = rng.choice(members)
            if rng.random() < 0.25:
                register = Register.SHARED
            elif author.profession in HEALTH_PROFESSIONS:
                register = Register.HEALTH
            elif author.profession in SOCIAL_PROFESSIONS:
                register = Register.SOCIAL
            else:
                register = Register.SHARED
            t = self.between(t_open, t_end)
            reference = ""
            if register == Register.HEALTH and rng.random() < 0.4:
                reference = f"{rng.choice(voc.EHR_SYSTEMS)}: käynti {self.date(t):%d.%m.%Y}"
            entry_id = self._id(Entry)
            self.rows[Entry].append(
                (entry_id, episode_id, register, rng.choice(voc.ENTRIES[register]), reference, author.id, self.dt(t))
            )
            self.event(
                t, author.id, EventType.ENTRY_WRITTEN, client_id, episode_id, _T_ENTRY, entry_id, {"register": register}
            )

    def _until(self, valid_from: datetime.date, closed: bool, outcome_on: datetime.date | None, yearly: float) -> Any:
        """End of a consent's validity: the outcome date of a closed episode, a year, or open-ended."""
        rng = self.privacy_rng
        if closed and outcome_on is not None and rng.random() < CONSENT_ENDS_AT_CLOSING:
            return max(valid_from, outcome_on)
        if not closed and rng.random() < yearly:
            return valid_from + datetime.timedelta(days=365)
        return None

    def _privacy(
        self,
        client_id: int,
        episode_id: int,
        staff: _Staff,
        sk: _Sketch,
        opener: _Person,
        lead: _Person,
        t_open: float,
        t_end: float,
        outcome_on: datetime.date | None,
        targeted: set[str],
    ) -> None:
        """Consents and prohibitions recorded in the episode (as privacy/services.py `consent_record` and
        `consent_withdraw` write them), and partner staff in the client's team."""
        rng, date = self.privacy_rng, self.date
        span = t_end - t_open
        drafts: list[_ConsentDraft] = []
        region = staff.region_id
        if region is not None and rng.random() < REGION_CONSENT_SHARE[sk.closed]:
            valid_from = date(t_open)
            drafts.append(
                _ConsentDraft(
                    t_open + 0.002,
                    ConsentKind.CONSENT,
                    region,
                    "",
                    self.organisation_names.get(region, ""),
                    [DataCategory.SHARED_PLAN, DataCategory.HEALTH, DataCategory.SOCIAL],
                    Purpose.WORK_ABILITY,
                    rng.choice(voc.CONSENT_DETAILS[OrganisationKind.WELFARE_REGION]),
                    valid_from,
                    self._until(valid_from, sk.closed, outcome_on, CONSENT_FOR_A_YEAR["region"]),
                    GivenHow.WRITTEN,
                    "",
                    opener,
                )
            )
        for partner in self.partners:
            spec = partner.spec
            if rng.random() >= (spec.targeted_share if spec.kind in targeted else spec.share):
                continue
            t = self.privacy_between(t_open, t_open + span * 0.3)
            by_kind = rng.random() < spec.by_kind
            given_how = _pick(rng, GIVEN_HOW)
            valid_from = date(t)
            drafts.append(
                _ConsentDraft(
                    t,
                    ConsentKind.CONSENT,
                    None if by_kind else partner.organisation_id,
                    spec.kind if by_kind else "",
                    partner.kind_label if by_kind else partner.label,
                    list(spec.categories),
                    rng.choice(spec.purposes),
                    rng.choice(voc.CONSENT_DETAILS[spec.kind]),
                    valid_from,
                    self._until(valid_from, sk.closed, outcome_on, CONSENT_FOR_A_YEAR["partner"]),
                    given_how,
                    rng.choice(voc.ORAL_CONSENT_NOTES) if given_how == GivenHow.ORAL else "",
                    rng.choice((opener, lead)),
                    partner,
                )
            )
        if rng.random() < PROHIBITION_SHARE:
            # No health data to employment services, no social data to Kela or to the welfare region.
            variant = rng.random()
            employment = self.partner_of_kind.get(OrganisationKind.EMPLOYMENT_SERVICES)
            kela = self.partner_of_kind.get(OrganisationKind.KELA)
            to: tuple[int | None, str, str, str] | None = None  # recipient, label, category, purpose
            if variant < 0.5 and employment is not None:
                to = (employment.organisation_id, employment.label, DataCategory.HEALTH, Purpose.EMPLOYMENT)
            elif variant < 0.75 and kela is not None:
                to = (kela.organisation_id, kela.label, DataCategory.SOCIAL, Purpose.BENEFITS)
            elif region is not None:
                to = (region, self.organisation_names.get(region, ""), DataCategory.SOCIAL, Purpose.WORK_ABILITY)
            if to is not None:
                t = self.privacy_between(t_open, t_open + span * 0.5)
                recipient, label, category, purpose = to
                drafts.append(
                    _ConsentDraft(
                        t=t,
                        kind=ConsentKind.PROHIBITION,
                        organisation_id=recipient,
                        recipient_kind="",
                        label=label,
                        categories=[category],
                        purpose=purpose,
                        details="",
                        valid_from=date(t),
                        valid_until=None,
                        given_how=GivenHow.WRITTEN,
                        given_note="",
                        recorder=lead,
                    )
                )
        withdrawable = [d for d in drafts if d.kind == ConsentKind.CONSENT and d.valid_until is None]
        if withdrawable and rng.random() < WITHDRAWN_SHARE:
            draft = rng.choices(withdrawable, weights=[4 if d.partner else 1 for d in withdrawable])[0]
            if t_end - draft.t > 3:
                draft.withdrawn = self.privacy_between(draft.t + 2, t_end)
                draft.withdrawn_by = lead
                draft.withdrawal_note = rng.choice(voc.WITHDRAWAL_NOTES)
        for draft in sorted(drafts, key=lambda d: d.t):
            self._consent(client_id, episode_id, draft)
            if draft.partner is not None and not sk.closed:
                self._partner_joins(client_id, episode_id, draft, lead, t_end)

    def _consent(self, client_id: int, episode_id: int, d: _ConsentDraft) -> None:
        consent_id = self._id(Consent)
        withdrawn_at = self.dt(d.withdrawn) if d.withdrawn is not None else None
        self.rows[Consent].append(
            (
                consent_id,
                client_id,
                d.kind,
                d.organisation_id,
                d.recipient_kind,
                d.categories,
                d.purpose,
                d.details,
                d.valid_from,
                d.valid_until,
                d.given_how,
                d.given_note,
                d.recorder.id,
                self.dt(d.t),
                withdrawn_at,
                d.withdrawn_by.id if d.withdrawn_by is not None else None,
                d.withdrawal_note,
            )
        )
        self.event(
            d.t,
            d.recorder.id,
            EventType.PROHIBITION_RECORDED if d.kind == ConsentKind.PROHIBITION else EventType.CONSENT_RECORDED,
            client_id,
            episode_id,
            _T_CONSENT,
            consent_id,
            {
                "recipient": d.label,
                "categories": d.categories,
                "purpose": d.purpose,
                "valid_from": d.valid_from.isoformat(),
                "valid_until": d.valid_until.isoformat() if d.valid_until else None,
                "given_how": d.given_how,
            },
        )
        if d.withdrawn is not None and d.withdrawn_by is not None:
            self.event(
                d.withdrawn,
                d.withdrawn_by.id,
                EventType.CONSENT_WITHDRAWN,
                client_id,
                episode_id,
                _T_CONSENT,
                consent_id,
                {"kind": d.kind, "recipient": d.label},
            )

    def _partner_joins(self, client_id: int, episode_id: int, d: _ConsentDraft, lead: _Person, t_end: float) -> None:
        """A partner joins the client's team of an open episode: mostly while the consent is in force,
        sometimes before a withdrawal (the gate then refuses them)."""
        assert d.partner is not None
        rng = self.privacy_rng
        if d.withdrawn is not None:
            chance = WITHDRAWN_PARTNER_JOIN
        elif d.valid_until is None or d.valid_until >= self.today:
            chance = d.partner.spec.join
        else:
            return
        if not d.partner.people or rng.random() >= chance:
            return
        person = rng.choice(d.partner.people)
        t = self.privacy_between(d.t, d.withdrawn if d.withdrawn is not None else min(t_end, d.t + 21))
        member_id = self._id(CaseTeamMember)
        at = self.dt(t)
        self.rows[CaseTeamMember].append((member_id, at, at, episode_id, person.id, "", at, lead.id, None, None))
        self.event(
            t,
            lead.id,
            EventType.TEAM_MEMBER_ADDED,
            client_id,
            episode_id,
            _T_MEMBER,
            member_id,
            {"member": person.name, "role": ""},
        )

    def take_rows(self) -> Rows:
        """Hand over the rows collected so far and start collecting anew."""
        rows, self.rows = self.rows, {m: [] for m in COLUMNS}
        return rows


def _write_batch(tables: dict[type[models.Model], _Table], rows: Rows, use_copy: bool) -> None:
    """Write one batch in one transaction and move the id sequences past the ids given."""
    with transaction.atomic():
        for model, table in tables.items():
            table.write(rows[model], use_copy)
        _reset_sequences()


def _reset_sequences() -> None:
    """Move the id sequences past the ids the generator gave (PostgreSQL; a no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), ID_MODELS)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


class _BackgroundWriters:
    """Threads that write batches, each on its own connection, while the next batch is generated.

    On PostgreSQL the database spends longer on a batch (indexes, deferred foreign key checks at
    commit) than Python does building it, so the writing overlaps the generating and runs on
    several connections. Batches are independent: every id is given up front.
    """

    def __init__(self, tables: dict[type[models.Model], _Table], count: int) -> None:
        self.tables = tables
        self.queue: queue.Queue[Rows | None] = queue.Queue(maxsize=count)
        self.error: BaseException | None = None
        self.threads = [
            threading.Thread(target=self._run, name=f"generator-writer-{n}", daemon=True) for n in range(count)
        ]
        for thread in self.threads:
            thread.start()

    def _run(self) -> None:
        try:
            while (rows := self.queue.get()) is not None:
                if self.error is None:  # after a failure keep draining, so that the producer never blocks
                    try:
                        _write_batch(self.tables, rows, use_copy=True)
                    except BaseException as exc:
                        self.error = exc
        finally:
            connection.close()

    def submit(self, rows: Rows) -> None:
        """Queue a batch; waits while every writer is busy and a batch is already waiting."""
        if self.error is not None:
            self.close()
        self.queue.put(rows)

    def close(self) -> None:
        """Wait for the queued batches; raise the first writer error, if any."""
        for thread in self.threads:
            if thread.is_alive():
                self.queue.put(None)
        for thread in self.threads:
            thread.join()
        if self.error is not None:
            raise self.error


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


def generate(
    *,
    clients: int,
    seed: int,
    teams: int | None = None,
    now: datetime.datetime | None = None,
    demo_users: dict[str, User] | None = None,
    batch_size: int = BATCH_CLIENTS,
    writers: int = 2,
    log: Callable[[str], None] = print,
) -> GenerationResult:
    """Create `clients` synthetic clients with about 1.5 episodes each, with everything around them.

    Episodes are spread over `teams` teams (default: one per ~1,500 episodes, created as needed with
    eight professionals each; with `demo_users`, the demo users' teams). Clients' consents name the
    welfare region and the first organisation of each partner kind that exists; partner staff are
    generated for those organisations as needed and join clients' teams. Deterministic for the same
    seed on the same starting database. Writes in batches of `batch_size` clients, each in its own
    transaction; on PostgreSQL outside a transaction, `writers` threads write while the next batch
    is generated. Progress goes to `log`.
    """
    started = time.monotonic()
    rng = random.Random(seed)  # noqa: S311 – synthetic data, not security
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    pathways, pathway_cum = _load_pathways()
    staffs = _choose_staff(
        episodes=round(clients * 1.5), teams=teams, demo_users=demo_users, today=today, rng=rng, log=log
    )
    if not staffs:
        raise RuntimeError("No team with active professionals: create organisations and users first.")
    partners = _load_partners(clients=clients, seed=seed, log=log)
    existing = set(Client.objects.values_list("identity_code", flat=True)) if Client.objects.exists() else set()
    codes = (c for c in identity_code_stream(seed=seed, today=today) if c not in existing)
    gen = _Generator(
        rng=rng,
        now=now,
        staffs=staffs,
        pathways=pathways,
        pathway_cum=pathway_cum,
        codes=codes,
        partners=partners,
        privacy_rng=random.Random(f"privacy:{seed}"),  # noqa: S311 – synthetic data, not security
    )
    tables = {model: _Table(model, columns) for model, columns in COLUMNS.items()}
    use_copy = connection.vendor == "postgresql"
    background = use_copy and writers > 0 and not connection.in_atomic_block
    writer = _BackgroundWriters(tables, writers) if background else None
    result = GenerationResult()
    log(f"Generating {clients} clients in {len(staffs)} teams ({'COPY' if use_copy else 'bulk_create'}).")
    done = 0
    try:
        while done < clients:
            size = min(batch_size, clients - done)
            for _ in range(size):
                gen.client()
            rows = gen.take_rows()
            for model, model_rows in rows.items():
                result.rows[model._meta.label] = result.rows.get(model._meta.label, 0) + len(model_rows)
            if writer is not None:
                writer.submit(rows)
            else:
                _write_batch(tables, rows, use_copy)
            done += size
            log(
                f"  {done}/{clients} clients, {gen.episodes} episodes, {result.total_rows} rows, "
                f"{time.monotonic() - started:.1f} s"
            )
    finally:
        if writer is not None:
            try:
                writer.close()
            finally:
                _reset_sequences()  # writers finish in any order: the last reset must see every batch
    result.clients, result.episodes = clients, gen.episodes
    result.seconds = time.monotonic() - started
    return result
