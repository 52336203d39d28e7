"""Demo referrals (synthetic): the nurse's team has referred clients to the demo employment services and
Kela (what the clients' consents allow), to the team's IPS job coach and to outside specialist care, in
every status: sent, received, done, declined, and some past their due date. Deterministic.

Run after the generator and the privacy showcase (`load_demo`). Everything goes through the services, so
the referrals carry their disclosure rows, events and notifications; only the dates are moved back."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from tukipolku.access.policy import referral_sendable
from tukipolku.cases.choices import EpisodeStatus
from tukipolku.cases.models import Episode
from tukipolku.core.models import TeamMembership, User
from tukipolku.privacy import services as privacy_services
from tukipolku.privacy.choices import DataCategory, GivenHow, Purpose
from tukipolku.referrals import services
from tukipolku.referrals.choices import ReferralKind, ReferralStatus
from tukipolku.referrals.models import Referral, ReferralStatusChange


@dataclass
class ReferralsDemo:
    by_status: dict[str, int] = field(default_factory=dict)
    overdue: int = 0


@dataclass(frozen=True)
class _Plan:
    to: str  # "employment", "kela", "jobcoach" or "outside"
    kind: str
    reason: str
    sent_days_ago: int
    due_in_days: int  # from today; negative: past due
    statuses: tuple[str, ...] = ()  # changes after sending, in order
    note: str = ""


PLANS: tuple[_Plan, ...] = (
    _Plan("employment", ReferralKind.EMPLOYMENT_SERVICES, "Työnhaun tuki ja palkkatuen selvittäminen.", 3, 18),
    _Plan(
        "employment",
        ReferralKind.EMPLOYMENT_SERVICES,
        "Osa-aikatyön kokeilu, asiakas toivoo varastotyötä.",
        20,
        -4,
        (ReferralStatus.RECEIVED,),
        "Otettu työnhakuvalmentajalle.",
    ),
    _Plan(
        "employment",
        ReferralKind.EMPLOYMENT_SERVICES,
        "Työkokeilupaikan etsiminen.",
        45,
        -15,
        (ReferralStatus.RECEIVED, ReferralStatus.DONE),
        "Työkokeilu alkoi.",
    ),
    _Plan("employment", ReferralKind.EMPLOYMENT_SERVICES, "Ammatillisen koulutuksen mahdollisuudet.", 12, -2),
    _Plan(
        "kela",
        ReferralKind.KELA_REHABILITATION,
        "Ammatillisen kuntoutuksen tarve, pitkä sairauspoissaolo.",
        10,
        20,
        (ReferralStatus.RECEIVED,),
        "Hakemus vireillä.",
    ),
    _Plan(
        "kela",
        ReferralKind.KELA_REHABILITATION,
        "Kuntoutuskurssin selvittäminen.",
        30,
        -10,
        (ReferralStatus.DECLINED,),
        "Ei täytä kurssin ehtoja, ohjattu työkykykoordinaattorille.",
    ),
    _Plan(
        "jobcoach",
        ReferralKind.IPS_JOB_COACH,
        "IPS-työhönvalmennus, asiakas motivoitunut.",
        8,
        7,
        (ReferralStatus.RECEIVED,),
    ),
    _Plan("outside", ReferralKind.SPECIALIST_CARE, "Fysiatrin arvio selkävaivasta.", 40, -6),
    _Plan("outside", ReferralKind.EXAMINATIONS, "Laboratoriokokeet ja spirometria.", 25, -20, (ReferralStatus.DONE,)),
)
OUTSIDE: dict[str, str] = {
    ReferralKind.SPECIALIST_CARE: "Keskussairaalan fysiatrian poliklinikka",
    ReferralKind.EXAMINATIONS: "Merikosken sote-keskuksen laboratorio",
}


def _ensure_consent(episode: Episode, organisation: Any, purpose: str, nurse: User, today: datetime.date) -> None:
    if DataCategory.SHARED_PLAN in referral_sendable(episode=episode, organisation=organisation):
        return
    privacy_services.consent_record(
        actor=nurse,
        client=episode.client,
        episode_id=episode.pk,
        kind="consent",
        recipient_organisation=organisation,
        recipient_kind="",
        categories=[
            DataCategory.SHARED_PLAN,
            DataCategory.EMPLOYMENT if purpose == Purpose.EMPLOYMENT else DataCategory.BENEFITS,
        ],
        purpose=purpose,
        valid_from=today - datetime.timedelta(days=60),
        valid_until=None,
        given_how=GivenHow.WRITTEN,
        given_note="Lomake asiakirjoissa (demo)",
    )


def build_referrals_demo(*, users: dict[str, User], now: datetime.datetime) -> ReferralsDemo:
    """Referrals of the nurse's team (see the module docstring)."""
    nurse, coach = users["nurse"], users["jobcoach"]
    today = timezone.localdate(now)
    team_id = TeamMembership.objects.filter(user=nurse).values_list("team_id", flat=True).get()
    episodes = list(
        Episode.objects.filter(team_id=team_id, status=EpisodeStatus.OPEN)
        .select_related("client", "team__organisation")
        .order_by("pk")[: len(PLANS)]
    )
    recipients = {"employment": users["employment"].organisation, "kela": users["kela"].organisation}
    purposes = {"employment": Purpose.EMPLOYMENT, "kela": Purpose.REHABILITATION}
    demo = ReferralsDemo()
    for plan, episode in zip(PLANS, episodes, strict=False):
        organisation, user, name = None, None, ""
        categories: list[str] = []
        if plan.to in recipients:
            organisation = recipients[plan.to]
            _ensure_consent(episode, organisation, purposes[plan.to], nurse, today)
            categories = [DataCategory.SHARED_PLAN]
        elif plan.to == "jobcoach":
            organisation, user, categories = episode.team.organisation, coach, [DataCategory.SHARED_PLAN]
        else:
            name = OUTSIDE[plan.kind]
        referral = services.referral_send(
            actor=nurse,
            episode=episode,
            kind=plan.kind,
            reason=plan.reason,
            categories=categories,
            due_on=today + datetime.timedelta(days=max(plan.due_in_days, 0)),
            recipient_organisation=organisation,
            recipient_user=user,
            recipient_name=name,
            note="Asiakas toivoo yhteydenottoa puhelimitse.",
        )
        sent_at = now - datetime.timedelta(days=plan.sent_days_ago)
        expected: str = ReferralStatus.SENT
        for status in plan.statuses:
            actor = users[plan.to] if plan.to in recipients else (coach if plan.to == "jobcoach" else nurse)
            note = plan.note if status != ReferralStatus.RECEIVED or len(plan.statuses) == 1 else ""
            if status == ReferralStatus.DECLINED and not note:
                note = "Ei palvelun piirissä."
            services.referral_status_set(
                actor=actor, referral=referral, status=status, expected_status=expected, note=note
            )
            expected = status
        # Synthetic history: the referral was sent days ago, each change a few days apart.
        Referral.objects.filter(pk=referral.pk).update(
            sent_at=sent_at,
            due_on=today + datetime.timedelta(days=plan.due_in_days),
            status_changed_at=sent_at + datetime.timedelta(days=2 * len(plan.statuses)),
        )
        for n, change in enumerate(referral.status_changes.order_by("id")):
            ReferralStatusChange.objects.filter(pk=change.pk).update(
                changed_at=sent_at + datetime.timedelta(days=2 * n)
            )
        demo.by_status[expected] = demo.by_status.get(expected, 0) + 1
        if expected in (ReferralStatus.SENT, ReferralStatus.RECEIVED) and plan.due_in_days < 0:
            demo.overdue += 1
    return demo
