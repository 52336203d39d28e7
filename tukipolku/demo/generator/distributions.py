"""The shares and distributions the generated data follows: sources, outcomes, languages, pathways …"""

from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import accumulate
from typing import Any

from tukipolku.cases.choices import (
    ConsentMethod,
    IdentificationSource,
    Outcome,
    SpecialSituation,
)
from tukipolku.clients.choices import ClientLanguage, EmploymentStatus
from tukipolku.core.choices import Profession
from tukipolku.demo import vocabulary as voc
from tukipolku.meetings.choices import MeetingKind
from tukipolku.plans.choices import AgreementMethod, GoalDomain, GoalStatus

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
