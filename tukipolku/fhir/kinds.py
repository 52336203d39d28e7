"""The resource types the facade serves, in one table: the model behind each, how it reaches its
client relationship (for the access policy), its search parameters, its `_include`s and its mapping.

The CapabilityStatement (`capability.py`) is generated from this table, so it lists exactly what the
views do. To add a type (the assessments issue's QuestionnaireResponse, say) add a `Kind` here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Prefetch, Q, QuerySet
from django.utils import timezone

from tukipolku.cases.choices import EpisodeStatus
from tukipolku.cases.models import Assignment, CaseTeamMember, Episode
from tukipolku.clients.models import Client
from tukipolku.core.models import Organisation, TeamMembership, User
from tukipolku.fhir import resources
from tukipolku.fhir.resources.care_plan import GOAL_STATUS
from tukipolku.fhir.resources.observation import HANDOVER_PREFIX
from tukipolku.fhir.search import date_q, reference_ids, tokens
from tukipolku.handovers.models import Handover
from tukipolku.meetings.choices import MeetingStatus
from tukipolku.meetings.models import Meeting, Participant
from tukipolku.plans.models import Action, Goal, Plan
from tukipolku.privacy.choices import DataCategory
from tukipolku.privacy.models import Consent
from tukipolku.referrals.choices import ReferralStatus
from tukipolku.referrals.models import Referral

ParamFilter = Callable[[list[str]], Q]


@dataclass(frozen=True)
class Param:
    """A search parameter: its FHIR type (for the CapabilityStatement) and its filter."""

    type: str
    filter: ParamFilter
    documentation: str = ""


@dataclass(frozen=True)
class Kind:
    """One resource type.

    `episode` is the lookup from the model to its episode's id (None: the type is reached through the
    client, `client`; or it holds no client data at all when `client` is None too). `require` is the
    data category a reader must be allowed for the episode; `partners` says whether partner staff and
    system clients (whose reads are disclosures) may read the type at all."""

    name: str
    queryset: Callable[[], QuerySet[Any]]
    build: Callable[[Any], dict[str, Any] | None]
    episode: str | None = None
    client: str | None = None
    prefix: str = ""
    params: dict[str, Param] = field(default_factory=dict)
    includes: dict[str, tuple[str, str]] = field(default_factory=dict)
    require: str = DataCategory.SHARED_PLAN
    partners: bool = True
    interactions: tuple[str, ...] = ("read", "search-type")
    profile: str | None = None

    @property
    def client_data(self) -> bool:
        return self.episode is not None or self.client is not None

    def fhir_id(self, obj: Model) -> str:
        return f"{self.prefix}{obj.pk}"


def _in(field_name: str, mapping: dict[str, list[str]]) -> ParamFilter:
    """A token parameter whose FHIR codes map to our values of `field_name`."""

    def build(values: list[str]) -> Q:
        q = Q()
        for value in values:
            ours = [v for code in tokens(value) for v in mapping.get(code, [])]
            q &= Q(**{f"{field_name}__in": ours})
        return q

    return build


def _patient(lookup: str) -> ParamFilter:
    def build(values: list[str]) -> Q:
        q = Q()
        for value in values:
            q &= Q(**{f"{lookup}__in": reference_ids(value, "Patient")})
        return q

    return build


def _date(lookup: str) -> ParamFilter:
    return lambda values: date_q(values, lookup)


def _care_plan_status(values: list[str]) -> Q:
    q = Q()
    for value in values:
        one = Q(pk__in=[])
        for code in tokens(value):
            if code == "draft":
                one |= Q(revision=0)
            elif code == "active":
                one |= Q(revision__gt=0, episode__status=EpisodeStatus.OPEN)
            elif code == "completed":
                one |= Q(revision__gt=0, episode__status=EpisodeStatus.CLOSED)
        q &= one
    return q


def _consent_status(values: list[str]) -> Q:
    today = timezone.localdate()
    in_force = Q(withdrawn_at__isnull=True, valid_from__lte=today) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    codes = {
        "active": in_force,
        "proposed": Q(withdrawn_at__isnull=True, valid_from__gt=today),
        "inactive": Q(withdrawn_at__isnull=False) | Q(valid_until__lt=today),
    }
    q = Q()
    for value in values:
        one = Q(pk__in=[])
        for code in tokens(value):
            one |= codes.get(code, Q(pk__in=[]))
        q &= one
    return q


def _observation_status(values: list[str]) -> Q:
    return Q() if all("final" in tokens(v) for v in values) else Q(pk__in=[])


def _goal_status() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for ours, (lifecycle, _achievement) in GOAL_STATUS.items():
        out.setdefault(lifecycle, []).append(ours)
    return out


def _episodes() -> QuerySet[Episode]:
    return Episode.objects.select_related("client", "team", "pathway_version__pathway").prefetch_related(
        Prefetch("assignments", Assignment.objects.select_related("user")),
        Prefetch("members", CaseTeamMember.objects.select_related("user")),
    )


def _plans() -> QuerySet[Plan]:
    return Plan.objects.select_related("episode", "updated_by").prefetch_related(
        "goals", Prefetch("actions", Action.objects.select_related("owner"))
    )


def _meetings() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("episode", "organizer").prefetch_related(
        Prefetch("participants", Participant.objects.select_related("user"))
    )


def _consent(consent: Consent) -> dict[str, Any]:
    return resources.to_fhir_consent(consent, today=timezone.localdate())


def _goal(goal: Goal) -> dict[str, Any]:
    return resources.to_fhir_goal(goal, client_id=goal.plan.episode.client_id)


PATIENT = "patient"
_PATIENT_DOC = "Patient/<id> (or the id): the client's resources"

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            name="Patient",
            queryset=Client.objects.all,
            build=resources.to_fhir_patient,
            client="pk",
            profile="fi-base-patient",
        ),
        Kind(
            name="EpisodeOfCare",
            queryset=_episodes,
            build=resources.to_fhir_episode_of_care,
            episode="pk",
            params={
                PATIENT: Param("reference", _patient("client_id"), _PATIENT_DOC),
                "status": Param(
                    "token", _in("status", {"active": [EpisodeStatus.OPEN], "finished": [EpisodeStatus.CLOSED]})
                ),
                "date": Param("date", _date("opened_at"), "when the relationship opened"),
            },
            includes={
                "patient": ("patient", "Patient"),
                "care-manager": ("careManager", "Practitioner"),
                "organization": ("managingOrganization", "Organization"),
            },
            profile="fi-base-episode-of-care",
        ),
        Kind(
            name="CareTeam",
            queryset=_episodes,
            build=resources.to_fhir_care_team,
            episode="pk",
            params={
                PATIENT: Param("reference", _patient("client_id"), _PATIENT_DOC),
                "status": Param(
                    "token", _in("status", {"active": [EpisodeStatus.OPEN], "inactive": [EpisodeStatus.CLOSED]})
                ),
                "date": Param("date", _date("opened_at"), "when the relationship opened"),
            },
            includes={"patient": ("subject", "Patient"), "participant": ("participant.member", "Practitioner")},
        ),
        Kind(
            name="CarePlan",
            queryset=_plans,
            build=resources.to_fhir_care_plan,
            episode="episode_id",
            params={
                PATIENT: Param("reference", _patient("episode__client_id"), _PATIENT_DOC),
                "status": Param("token", _care_plan_status),
                "date": Param("date", _date("episode__opened_at"), "the start of the plan's period"),
            },
            includes={"patient": ("subject", "Patient"), "goal": ("goal", "Goal")},
            interactions=("read", "search-type", "create", "update"),
        ),
        Kind(
            name="Goal",
            queryset=lambda: Goal.objects.select_related("plan__episode"),
            build=_goal,
            episode="plan__episode_id",
            params={
                PATIENT: Param("reference", _patient("plan__episode__client_id"), _PATIENT_DOC),
                "lifecycle-status": Param("token", _in("status", _goal_status())),
                "target-date": Param("date", _date("target_on")),
            },
            includes={"patient": ("subject", "Patient")},
        ),
        Kind(
            name="Appointment",
            queryset=_meetings,
            build=resources.to_fhir_appointment,
            episode="episode_id",
            params={
                PATIENT: Param("reference", _patient("episode__client_id"), "appointments about the client"),
                "status": Param(
                    "token",
                    _in(
                        "status",
                        {
                            "booked": [MeetingStatus.SCHEDULED],
                            "fulfilled": [MeetingStatus.HELD],
                            "cancelled": [MeetingStatus.CANCELLED],
                        },
                    ),
                ),
                "date": Param("date", _date("starts_at"), "the start"),
            },
            includes={
                "patient": ("participant.actor", "Patient"),
                "practitioner": ("participant.actor", "Practitioner"),
            },
            interactions=("read", "search-type", "create", "update"),
            profile="fi-base-appointment",
        ),
        Kind(
            name="ServiceRequest",
            queryset=lambda: Referral.objects.select_related(
                "episode", "sent_by", "recipient_organisation", "recipient_user"
            ),
            build=resources.to_fhir_service_request,
            episode="episode_id",
            params={
                PATIENT: Param("reference", _patient("episode__client_id"), _PATIENT_DOC),
                "status": Param(
                    "token",
                    _in(
                        "status",
                        {
                            "active": [ReferralStatus.SENT, ReferralStatus.RECEIVED],
                            "completed": [ReferralStatus.DONE],
                            "revoked": [ReferralStatus.DECLINED],
                        },
                    ),
                ),
                "authored": Param("date", _date("sent_at"), "when it was sent"),
            },
            includes={
                "patient": ("subject", "Patient"),
                "requester": ("requester", "Practitioner"),
                "performer": ("performer", "Organization"),
            },
        ),
        Kind(
            name="Consent",
            queryset=lambda: Consent.objects.select_related("recipient_organisation", "recorded_by"),
            build=_consent,
            client="client_id",
            params={
                PATIENT: Param("reference", _patient("client_id"), _PATIENT_DOC),
                "status": Param("token", _consent_status),
                "date": Param("date", _date("recorded_at"), "when it was recorded"),
            },
            includes={"patient": ("patient", "Patient")},
            partners=False,
        ),
        Kind(
            name="Observation",
            queryset=lambda: Handover.objects.filter(work_ability_score__isnull=False, episode__isnull=False),
            build=resources.work_ability_observation,
            episode="episode_id",
            prefix=HANDOVER_PREFIX,
            params={
                PATIENT: Param("reference", _patient("client_id"), _PATIENT_DOC),
                "status": Param("token", _observation_status),
                "date": Param("date", _date("transfer_at"), "the transfer meeting"),
            },
            includes={"patient": ("subject", "Patient")},
            profile="fi-base-observation",
        ),
        Kind(
            name="Practitioner",
            queryset=lambda: User.objects.exclude(profession=""),
            build=resources.to_fhir_practitioner,
            profile="fi-base-practitioner",
        ),
        Kind(
            name="PractitionerRole",
            queryset=lambda: TeamMembership.objects.select_related("user", "team"),
            build=resources.to_fhir_practitioner_role,
            includes={
                "practitioner": ("practitioner", "Practitioner"),
                "organization": ("organization", "Organization"),
            },
            profile="fi-base-practitioner-role",
        ),
        Kind(
            name="Organization",
            queryset=Organisation.objects.all,
            build=resources.to_fhir_organization,
            profile="fi-base-organization",
        ),
    )
}
"""Every type the facade serves, by FHIR name."""

REGION_LOOKUP = {
    "Practitioner": "organisation__region_id",
    "PractitionerRole": "team__organisation__region_id",
    "Organization": "region_id",
}
"""Types without client data are still bounded by the reader's welfare region (ADR 11)."""
