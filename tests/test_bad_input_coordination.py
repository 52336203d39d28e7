"""Bad input on the coordination forms (issue 4): notifications of need, referrals, escorted handovers,
scheduled meetings and follow-ups after closing.

Every form is first posted once with good data (it must succeed, so that the refusals below are about
the garbage, not a broken baseline). Then garbage is posted through the Django test client: nothing at
all, 10,000 characters, wrong types, impossible dates (31.2.2026), junk ids, ids of another client's
objects, a work ability score of 11 or -1, dates far in the past. Each must be answered with the form
again (400, the project's answer to a form with errors) with the error next to the field and what was
typed kept, or with 404 for an object out of reach; nothing may change, and nothing may raise (the test
client re-raises what would be a 500). Button forms (cancel a meeting, accept a handover) go back to
the page they came from with the error as a message.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from conftest import open_episode
from tukipolku.audit.models import AuditEvent
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import ConsentMethod, Outcome
from tukipolku.cases.models import Episode, FollowUp
from tukipolku.clients.models import Client
from tukipolku.clients.tests.factories import make_identity_code
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory
from tukipolku.handovers.choices import HandoverReason, JobSearch
from tukipolku.handovers.models import Handover
from tukipolku.handovers.tests.factories import occupational_health_org, open_handover, sender_user
from tukipolku.intake.models import NeedNotification
from tukipolku.intake.tests.factories import send_need
from tukipolku.meetings import services as meeting_services
from tukipolku.meetings.calendar import HELSINKI
from tukipolku.meetings.choices import MeetingKind
from tukipolku.meetings.models import Decision, Invitation, Meeting, Participant
from tukipolku.notifications.models import Notification
from tukipolku.plans.models import Action
from tukipolku.privacy.choices import DataCategory, Purpose
from tukipolku.privacy.tests.helpers import consent_for
from tukipolku.referrals import services as referral_services
from tukipolku.referrals.choices import ReferralKind
from tukipolku.referrals.models import Referral, ReferralStatusChange

pytestmark = pytest.mark.django_db

LONG = "x" * 10_000


def _d(days: int = 0) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).strftime("%-d.%-m.%Y")


def _management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


# ---------------------------------------------------------------- the world


@pytest.fixture
def world(nurse, physician, team, other_team, outsider, satakunta, episode):
    employment_org = OrganisationFactory(name="Työllisyyspalvelut", kind=OrganisationKind.EMPLOYMENT_SERVICES)
    partner = UserFactory(profession=Profession.EMPLOYMENT_COORDINATOR, organisation=employment_org)
    kela_org = OrganisationFactory(name="Kela, Testipiiri", kind=OrganisationKind.KELA)
    kela_partner = UserFactory(profession=Profession.KELA_EXPERT, organisation=kela_org)
    sender = sender_user(occupational_health_org())
    other_sender = sender_user(occupational_health_org(name="Toinen Työterveys Oy"))
    consent_for(
        episode,
        nurse,
        [DataCategory.SHARED_PLAN, DataCategory.EMPLOYMENT],
        recipient=employment_org,
        purpose=Purpose.EMPLOYMENT,
    )
    other_episode = open_episode(nurse, team, satakunta)  # another client of the same team
    foreign_episode = open_episode(outsider, other_team, satakunta)  # another organisation's client
    consent_for(other_episode, nurse, [DataCategory.SHARED_PLAN], recipient=kela_org, purpose=Purpose.WORK_ABILITY)

    def referral(ep: Any, **kw: Any) -> Referral:
        params: dict[str, Any] = {
            "kind": ReferralKind.OTHER,
            "recipient_organisation": None,
            "recipient_name": "Kuntoutusohjaus",
            "reason": "Kuntoutustarpeen arvio.",
            "categories": [],
            "due_on": timezone.localdate() + datetime.timedelta(days=14),
        }
        params.update(kw)
        return referral_services.referral_send(actor=nurse, episode=ep, **params)

    def scheduled(ep: Any, days: int = 2) -> Meeting:
        starts = datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=days), datetime.time(10), HELSINKI
        )
        return meeting_services.meeting_schedule(
            actor=nurse,
            episode=ep,
            data=meeting_services.MeetingInput(
                kind=MeetingKind.TEAM,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=1),
                location="Neuvotteluhuone 2",
                users=[nurse, physician],
            ),
        )

    held = scheduled(episode)  # time passes: it is now an hour behind us
    starts = timezone.now() - datetime.timedelta(hours=1)
    Meeting.objects.filter(pk=held.pk).update(starts_at=starts, ends_at=starts + datetime.timedelta(minutes=30))

    def closed_with_follow_up() -> tuple[Episode, FollowUp]:
        ep = open_episode(nurse, team, satakunta)
        case_services.episode_close(
            confirm_early=True,
            actor=nurse,
            episode=ep,
            outcome=Outcome.STUDIES,
            outcome_on=timezone.localdate(),
            outcome_detail="Opiskelee.",
            follow_ups=[(timezone.localdate() + datetime.timedelta(days=60), nurse)],
        )
        return ep, ep.follow_ups.get()

    closed, follow_up = closed_with_follow_up()
    _other_closed, foreign_follow_up = closed_with_follow_up()
    return {
        "nurse": nurse,
        "physician": physician,
        "outsider": outsider,
        "partner": partner,
        "kela_partner": kela_partner,
        "sender": sender,
        "team": team,
        "satakunta": satakunta,
        "employment_org": employment_org,
        "episode": episode,
        "other_episode": other_episode,
        "foreign_episode": foreign_episode,
        "need": send_need(partner, team),
        "foreign_need": send_need(partner, other_team),
        "referral": referral(
            episode,
            kind=ReferralKind.EMPLOYMENT_SERVICES,
            recipient_organisation=employment_org,
            recipient_name="",
            categories=[DataCategory.SHARED_PLAN],
        ),
        "outside_referral": referral(episode),
        "foreign_referral": referral(other_episode),
        "kela_referral": referral(
            other_episode,
            kind=ReferralKind.KELA_REHABILITATION,
            recipient_organisation=kela_org,
            recipient_name="",
            categories=[DataCategory.SHARED_PLAN],
        ),
        "handover": open_handover(sender, team),
        "foreign_handover": open_handover(other_sender, other_team),
        "meeting": scheduled(episode),
        "held": held,
        "foreign_meeting": scheduled(other_episode),
        "closed": closed,
        "follow_up": follow_up,
        "foreign_follow_up": foreign_follow_up,
    }


def snapshot() -> dict[str, Any]:
    """Everything the forms could change (an accepted or failed write shows here)."""
    return {
        "events": AuditEvent.objects.count(),
        "clients": list(Client.objects.order_by("pk").values_list("pk", "first_names", "last_name", "email")),
        "episodes": list(Episode.objects.order_by("pk").values_list("pk", "status")),
        "needs": list(NeedNotification.objects.order_by("pk").values_list("pk", "status", "decline_reason")),
        "referrals": list(Referral.objects.order_by("pk").values_list("pk", "status", "reason", "due_on")),
        "status_changes": ReferralStatusChange.objects.count(),
        "handovers": list(Handover.objects.order_by("pk").values_list("pk", "status", "revision", "updated_at")),
        "meetings": list(
            Meeting.objects.order_by("pk").values_list("pk", "status", "sequence", "starts_at", "location", "minutes")
        ),
        "participants": list(Participant.objects.order_by("pk").values_list("pk", "removed_at", "email")),
        "invitations": Invitation.objects.count(),
        "decisions": Decision.objects.count(),
        "actions": Action.objects.count(),
        "follow_ups": list(FollowUp.objects.order_by("pk").values_list("pk", "status", "note", "situation_on")),
        "notifications": Notification.objects.count(),
    }


# ---------------------------------------------------------------- the forms


@dataclass
class Form:
    who: str
    url: Callable[[dict[str, Any]], str]
    good: Callable[[dict[str, Any]], dict[str, Any]]
    context: str = "form"  # the form's name in the template context
    typed: tuple[str, ...] = ()  # inputs whose typed text the page must give back
    button: bool = False  # a button on another page: answered with a redirect and a message
    done: Callable[[dict[str, Any]], bool] = field(default=lambda w: True)


FORMS: dict[str, Form] = {
    "need send": Form(
        who="partner",
        url=lambda w: reverse("intake:send"),
        good=lambda w: {
            "team": w["team"].pk,
            "identity_code": make_identity_code(datetime.date(1985, 3, 7), 952),
            "first_names": "Veera",
            "last_name": "Välitetty",
            "language": "fi",
            "phone": "040 111 2222",
            "email": "",
            "situations": ["long_unemployment"],
            "risk_factors": ["chronic_illness"],
            "done_so_far": "Työkokeilu tehty.",
            "need_description": "Toistuvia sairauspoissaoloja ja työttömyys pitkittyy.",
            "consent_given": "on",
            "consent_on": _d(-1),
            "consent_method": ConsentMethod.ORAL,
        },
        typed=("identity_code", "first_names", "last_name", "phone", "done_so_far", "need_description", "consent_on"),
        done=lambda w: NeedNotification.objects.filter(last_name="Välitetty").exists(),
    ),
    "need accept": Form(
        who="nurse",
        url=lambda w: reverse("intake:accept", args=[w["need"].pk]),
        good=lambda w: {"status": "waiting", "pathway": w["satakunta"].pk},
        context="accept_form",
        done=lambda w: NeedNotification.objects.get(pk=w["need"].pk).status == "accepted",
    ),
    "need decline": Form(
        who="nurse",
        url=lambda w: reverse("intake:decline", args=[w["need"].pk]),
        good=lambda w: {"status": "waiting", "reason": "Ohjaus suoraan työterveyshuoltoon."},
        context="decline_form",
        typed=("reason",),
        done=lambda w: NeedNotification.objects.get(pk=w["need"].pk).status == "declined",
    ),
    "referral create": Form(
        who="nurse",
        url=lambda w: reverse("referrals:create", args=[w["episode"].pk]),
        good=lambda w: {
            "kind": ReferralKind.EMPLOYMENT_SERVICES,
            "recipient_organisation": w["employment_org"].pk,
            "recipient_user": "",
            "recipient_name": "",
            "reason": "Työnhaun tuki.",
            "categories": [DataCategory.SHARED_PLAN],
            "due_on": _d(14),
            "note": "Soita ensin.",
        },
        typed=("recipient_name", "reason", "due_on", "note"),
        done=lambda w: Referral.objects.filter(reason="Työnhaun tuki.").exists(),
    ),
    "referral status (team)": Form(
        who="nurse",
        url=lambda w: reverse("referrals:detail", args=[w["episode"].pk, w["outside_referral"].pk]),
        good=lambda w: {"status-status": "received", "status-expected_status": "sent", "status-note": "Aika 5.6."},
        context="status_form",
        typed=("status-note",),
        done=lambda w: Referral.objects.get(pk=w["outside_referral"].pk).status == "received",
    ),
    "referral status (recipient)": Form(
        who="partner",
        url=lambda w: reverse("referrals:received_detail", args=[w["referral"].pk]),
        good=lambda w: {"status-status": "received", "status-expected_status": "sent", "status-note": "Otettu."},
        context="status_form",
        typed=("status-note",),
        done=lambda w: Referral.objects.get(pk=w["referral"].pk).status == "received",
    ),
    "handover create": Form(
        who="sender",
        url=lambda w: reverse("handovers:create"),
        good=lambda w: {
            "identity_code": make_identity_code(datetime.date(1979, 11, 2), 953),
            "first_names": "Pekka",
            "last_name": "Siirtyjä",
            "phone": "",
            "email": "pekka@example.invalid",
            "team": w["team"].pk,
            "reason": HandoverReason.EMPLOYMENT_ENDING,
            "background": "Työsuhde päättyy.",
            "sending_contact": w["sender"].pk,
            "consent_given": "on",
            "consent_on": _d(),
            "consent_method": ConsentMethod.WRITTEN,
        },
        typed=("identity_code", "first_names", "last_name", "email", "background", "consent_on"),
        done=lambda w: Handover.objects.filter(first_names="Pekka").exists(),
    ),
    "handover preparation": Form(
        who="sender",
        url=lambda w: reverse("handovers:prepare", args=[w["handover"].pk]),
        good=lambda w: {
            "revision": w["handover"].revision,
            "prep_met_on": _d(-2),
            "prep_agenda_agreed_on": "on",
            "prep_health_info_on": "on",
            "transfer_at": f"{_d(7)} 13:00",
            "transfer_place": "Terveysasema",
            "prep_notes": "Käydään läpi työkyky.",
        },
        typed=("prep_met_on", "transfer_at", "prep_notes"),
        done=lambda w: Handover.objects.get(pk=w["handover"].pk).prep_met_on is not None,
    ),
    "handover transfer": Form(
        who="sender",
        url=lambda w: reverse("handovers:transfer", args=[w["handover"].pk]),
        good=lambda w: {
            "revision": w["handover"].revision,
            "transfer_at": f"{_d(-1)} 09:00",
            "transfer_place": "Terveysasema",
            "transfer_participants": "Outi, työterveys",
            "own_view": "Haluan töihin.",
            "work_ability_score": "6",
            "receiving_nurse": w["nurse"].pk,
            "service_area": "Pori",
            "job_search": JobSearch.STARTED,
            "job_search_note": "",
        },
        typed=("transfer_at", "transfer_place", "transfer_participants", "own_view", "work_ability_score"),
        done=lambda w: Handover.objects.get(pk=w["handover"].pk).transfer_recorded_at is not None,
    ),
    "handover accept": Form(
        who="nurse",
        url=lambda w: reverse("handovers:accept", args=[w["handover"].pk]),
        good=lambda w: {"status": "open"},
        button=True,
        done=lambda w: Handover.objects.get(pk=w["handover"].pk).status == "accepted",
    ),
    "meeting schedule": Form(
        who="nurse",
        url=lambda w: reverse("meetings:schedule", args=[w["episode"].pk]),
        good=lambda w: {
            "kind": MeetingKind.TEAM,
            "date": _d(3),
            "starts": "10:00",
            "ends": "11:30",
            "location": "Neuvotteluhuone 2",
            "video_link": "https://video.example.invalid/huone",
            "agenda": "Tilannekatsaus.",
            "team_users": [w["nurse"].pk],
            **_management("outside", 1),
            "outside-0-name": "Maija Meikäläinen",
            "outside-0-organisation": "Oppilaitos",
            "outside-0-email": "maija@example.invalid",
        },
        typed=("date", "starts", "ends", "location", "video_link", "agenda", "outside-0-name", "outside-0-email"),
        done=lambda w: Meeting.objects.filter(agenda="Tilannekatsaus.").exists(),
    ),
    "meeting change": Form(
        who="nurse",
        url=lambda w: reverse("meetings:change", args=[w["episode"].pk, w["meeting"].pk]),
        good=lambda w: {
            "sequence": w["meeting"].sequence,
            "kind": MeetingKind.TEAM,
            "date": _d(4),
            "starts": "12:00",
            "ends": "13:00",
            "location": "Neuvotteluhuone 3",
            "video_link": "",
            "agenda": "Siirretty.",
            "team_users": [w["nurse"].pk],
            "other_users": [w["physician"].pk],
            **_management("outside", 0),
        },
        typed=("date", "starts", "ends", "location", "agenda"),
        done=lambda w: Meeting.objects.get(pk=w["meeting"].pk).agenda == "Siirretty.",
    ),
    "meeting cancel": Form(
        who="nurse",
        url=lambda w: reverse("meetings:cancel", args=[w["episode"].pk, w["meeting"].pk]),
        good=lambda w: {"sequence": w["meeting"].sequence},
        button=True,
        done=lambda w: Meeting.objects.get(pk=w["meeting"].pk).status == "cancelled",
    ),
    "meeting held": Form(
        who="nurse",
        url=lambda w: reverse("meetings:held", args=[w["episode"].pk, w["held"].pk]),
        good=lambda w: {
            "sequence": w["held"].sequence,
            "minutes": "Sovittiin työkokeilusta.",
            **_management("decisions", 1),
            "decisions-0-text": "Työkokeilu alkaa",
            "decisions-0-owner": w["nurse"].pk,
            "decisions-0-due_on": _d(30),
        },
        typed=("minutes", "decisions-0-text", "decisions-0-due_on"),
        done=lambda w: Meeting.objects.get(pk=w["held"].pk).status == "held",
    ),
    "follow-up record": Form(
        who="nurse",
        url=lambda w: reverse("cases:follow_up", args=[w["closed"].pk, w["follow_up"].pk]),
        good=lambda w: {
            "expected_status": "due",
            "situation": "studying",
            "situation_on": _d(),
            "note": "Ammattikoulu.",
        },
        context="record_form",
        typed=("situation_on", "note"),
        done=lambda w: FollowUp.objects.get(pk=w["follow_up"].pk).status == "done",
    ),
    "follow-up cancel": Form(
        who="nurse",
        url=lambda w: reverse("cases:follow_up", args=[w["closed"].pk, w["follow_up"].pk]),
        good=lambda w: {"op": "cancel", "cancel-expected_status": "due", "cancel-reason": "Muutti pois alueelta."},
        context="cancel_form",
        typed=("cancel-reason",),
        done=lambda w: FollowUp.objects.get(pk=w["follow_up"].pk).status == "cancelled",
    ),
}

EMPTY = object()  # post nothing at all
DROP = object()  # leave the field out


def _ref(key: str, attr: str = "pk") -> Callable[[dict[str, Any]], Any]:
    return lambda w: getattr(w[key], attr)


def _url(name: str, *keys: str) -> Callable[[dict[str, Any]], str]:
    return lambda w: reverse(name, args=[w[k].pk for k in keys])


# (form, what, changes to the good data (EMPTY: nothing posted; a callable: the good data posted at
# another URL), the field that must carry the error or 404). "__all__" is the error at the top of the
# form: a stale status or revision, and a missing or mangled hidden field (nowhere else to show it).
CASES: list[tuple[str, str, Any, Any]] = [
    # ------------------------------------------------------------ notification of need
    ("need send", "empty", EMPTY, "need_description"),
    ("need send", "too long", {"need_description": LONG}, "need_description"),
    ("need send", "too long name", {"first_names": LONG}, "first_names"),
    ("need send", "impossible date", {"consent_on": "31.2.2026"}, "consent_on"),
    ("need send", "date as text", {"consent_on": "eilen"}, "consent_on"),
    ("need send", "consent in the future", {"consent_on": _d(400)}, "consent_on"),
    ("need send", "junk team id", {"team": "999999"}, "team"),
    ("need send", "team id as text", {"team": "'; drop table--"}, "team"),
    ("need send", "bad identity code", {"identity_code": "311399-9999"}, "identity_code"),
    ("need send", "unknown situation", {"situations": ["flying"]}, "situations"),
    ("need send", "bad e-mail", {"email": "not-an-address"}, "email"),
    ("need send", "no consent", {"consent_given": DROP}, "consent_given"),
    ("need accept", "empty", EMPTY, "__all__"),
    ("need accept", "junk pathway id", {"pathway": "999999"}, "pathway"),
    ("need accept", "pathway id as text", {"pathway": "satakunta"}, "pathway"),
    ("need accept", "unknown status", {"status": "maybe"}, "__all__"),
    ("need accept", "another team's notification", _url("intake:accept", "foreign_need"), 404),
    ("need decline", "empty", EMPTY, "reason"),
    ("need decline", "blank reason", {"reason": "   "}, "reason"),
    ("need decline", "too long", {"reason": LONG}, "reason"),
    ("need decline", "another team's notification", _url("intake:decline", "foreign_need"), 404),
    # ------------------------------------------------------------ referrals
    ("referral create", "empty", EMPTY, "reason"),
    ("referral create", "too long", {"reason": LONG}, "reason"),
    ("referral create", "too long note", {"note": LONG}, "note"),
    ("referral create", "impossible date", {"due_on": "31.2.2026"}, "due_on"),
    ("referral create", "date far in the past", {"due_on": "1.1.1990"}, "due_on"),
    ("referral create", "date as a number", {"due_on": "20260101"}, "due_on"),
    ("referral create", "unknown kind", {"kind": "teleport"}, "kind"),
    ("referral create", "junk organisation id", {"recipient_organisation": "999999"}, "recipient_organisation"),
    ("referral create", "organisation id as text", {"recipient_organisation": "abc"}, "recipient_organisation"),
    (
        "referral create",
        "recipient of another organisation",
        {"recipient_user": _ref("kela_partner")},
        "recipient_user",
    ),
    ("referral create", "no recipient", {"recipient_organisation": ""}, "recipient_organisation"),
    ("referral create", "unknown category", {"categories": ["everything"]}, "categories"),
    ("referral create", "another organisation's client", _url("referrals:create", "foreign_episode"), 404),
    ("referral status (team)", "empty", EMPTY, "status"),
    ("referral status (team)", "unknown status", {"status-status": "teleported"}, "status"),
    ("referral status (team)", "unknown seen status", {"status-expected_status": "x"}, "__all__"),
    ("referral status (team)", "declined without a reason", {"status-status": "declined", "status-note": ""}, "note"),
    ("referral status (team)", "too long", {"status-note": LONG}, "note"),
    (
        "referral status (team)",
        "another client's referral",
        lambda w: reverse("referrals:detail", args=[w["episode"].pk, w["foreign_referral"].pk]),
        404,
    ),
    (
        "referral status (team)",
        "junk referral id",
        lambda w: reverse("referrals:detail", args=[w["episode"].pk, 99999]),
        404,
    ),
    ("referral status (recipient)", "empty", EMPTY, "status"),
    ("referral status (recipient)", "too long", {"status-note": LONG}, "note"),
    (
        "referral status (recipient)",
        "declined without a reason",
        {"status-status": "declined", "status-note": " "},
        "note",
    ),
    (
        "referral status (recipient)",
        "another organisation's referral",
        _url("referrals:received_detail", "kela_referral"),
        404,
    ),
    # ------------------------------------------------------------ escorted handovers
    ("handover create", "empty", EMPTY, "first_names"),
    ("handover create", "too long", {"background": LONG}, "background"),
    ("handover create", "too long name", {"last_name": LONG}, "last_name"),
    ("handover create", "impossible date", {"consent_on": "31.2.2026"}, "consent_on"),
    ("handover create", "date in the future", {"consent_on": _d(30)}, "consent_on"),
    ("handover create", "junk team id", {"team": "999999"}, "team"),
    ("handover create", "unknown reason", {"reason": "bored"}, "reason"),
    (
        "handover create",
        "contact of another organisation",
        {"sending_contact": _ref("kela_partner")},
        "sending_contact",
    ),
    ("handover create", "bad identity code", {"identity_code": "abc"}, "identity_code"),
    ("handover preparation", "empty", EMPTY, "__all__"),
    ("handover preparation", "impossible date", {"prep_met_on": "31.2.2026"}, "prep_met_on"),
    ("handover preparation", "held in the future", {"prep_met_on": _d(5)}, "prep_met_on"),
    ("handover preparation", "time as text", {"transfer_at": "huomenna"}, "transfer_at"),
    ("handover preparation", "too long", {"prep_notes": LONG}, "prep_notes"),
    ("handover preparation", "revision as text", {"revision": "latest"}, "__all__"),
    ("handover preparation", "another organisation's handover", _url("handovers:prepare", "foreign_handover"), 404),
    ("handover transfer", "empty", EMPTY, "transfer_at"),
    ("handover transfer", "score 11", {"work_ability_score": "11"}, "work_ability_score"),
    ("handover transfer", "score -1", {"work_ability_score": "-1"}, "work_ability_score"),
    ("handover transfer", "score as text", {"work_ability_score": "kuusi"}, "work_ability_score"),
    ("handover transfer", "score as a fraction", {"work_ability_score": "5.5"}, "work_ability_score"),
    ("handover transfer", "impossible date", {"transfer_at": "31.2.2026 10:00"}, "transfer_at"),
    ("handover transfer", "still ahead", {"transfer_at": f"{_d(1)} 10:00"}, "transfer_at"),
    ("handover transfer", "too long", {"own_view": LONG}, "own_view"),
    ("handover transfer", "not a nurse", {"receiving_nurse": _ref("physician")}, "receiving_nurse"),
    ("handover transfer", "nurse of another team", {"receiving_nurse": _ref("outsider")}, "receiving_nurse"),
    ("handover transfer", "junk nurse id", {"receiving_nurse": "999999"}, "receiving_nurse"),
    ("handover transfer", "no job search, no reason", {"job_search": JobSearch.NOT_STARTED}, "job_search_note"),
    ("handover transfer", "stale revision", {"revision": "0"}, "__all__"),
    ("handover transfer", "another organisation's handover", _url("handovers:transfer", "foreign_handover"), 404),
    ("handover accept", "empty", EMPTY, "__all__"),
    ("handover accept", "unknown status", {"status": "maybe"}, "__all__"),
    ("handover accept", "another team's handover", _url("handovers:accept", "foreign_handover"), 404),
    ("handover accept", "junk handover id", lambda w: reverse("handovers:accept", args=[99999]), 404),
    # ------------------------------------------------------------ meetings
    ("meeting schedule", "empty", EMPTY, "date"),
    ("meeting schedule", "impossible date", {"date": "31.2.2026"}, "date"),
    ("meeting schedule", "date far in the past", {"date": "1.1.2000"}, "date"),
    ("meeting schedule", "time as text", {"starts": "aamulla"}, "starts"),
    ("meeting schedule", "hour 25", {"ends": "25:00"}, "ends"),
    ("meeting schedule", "ends before it starts", {"ends": "09:00"}, "ends"),
    ("meeting schedule", "too long", {"agenda": LONG}, "agenda"),
    ("meeting schedule", "too long place", {"location": LONG}, "location"),
    ("meeting schedule", "script as video link", {"video_link": "javascript:alert(1)"}, "video_link"),
    ("meeting schedule", "unknown kind", {"kind": "party"}, "kind"),
    ("meeting schedule", "junk participant id", {"team_users": ["999999"]}, "team_users"),
    ("meeting schedule", "participant id as text", {"team_users": ["nurse"]}, "team_users"),
    ("meeting schedule", "another organisation's nurse", {"team_users": [_ref("outsider")]}, "team_users"),
    ("meeting schedule", "bad e-mail", {"outside-0-email": "maija(at)example"}, "outside-0-email"),
    ("meeting schedule", "another organisation's client", _url("meetings:schedule", "foreign_episode"), 404),
    ("meeting change", "impossible date", {"date": "31.2.2026"}, "date"),
    ("meeting change", "date far in the past", {"date": "1.1.2000"}, "date"),
    ("meeting change", "too long", {"agenda": LONG}, "agenda"),
    ("meeting change", "sequence as text", {"sequence": "newest"}, "__all__"),
    ("meeting change", "stale sequence", {"sequence": "7"}, "__all__"),
    (
        "meeting change",
        "another client's meeting",
        lambda w: reverse("meetings:change", args=[w["episode"].pk, w["foreign_meeting"].pk]),
        404,
    ),
    ("meeting cancel", "empty", EMPTY, "__all__"),
    ("meeting cancel", "sequence as text", {"sequence": "x"}, "__all__"),
    ("meeting cancel", "stale sequence", {"sequence": "7"}, "__all__"),
    (
        "meeting cancel",
        "another client's meeting",
        lambda w: reverse("meetings:cancel", args=[w["episode"].pk, w["foreign_meeting"].pk]),
        404,
    ),
    ("meeting held", "empty", EMPTY, "__all__"),
    ("meeting held", "too long", {"minutes": "x" * 20_001}, "minutes"),
    ("meeting held", "too long decision", {"decisions-0-text": LONG}, "decisions-0-text"),
    ("meeting held", "impossible due date", {"decisions-0-due_on": "31.2.2026"}, "decisions-0-due_on"),
    ("meeting held", "due date far in the past", {"decisions-0-due_on": "1.1.1990"}, "decisions-0-due_on"),
    ("meeting held", "junk owner id", {"decisions-0-owner": "999999"}, "decisions-0-owner"),
    ("meeting held", "owner of another organisation", {"decisions-0-owner": _ref("outsider")}, "decisions-0-owner"),
    ("meeting held", "sequence as text", {"sequence": "-"}, "__all__"),
    (
        "meeting held",
        "another client's meeting",
        lambda w: reverse("meetings:held", args=[w["episode"].pk, w["foreign_meeting"].pk]),
        404,
    ),
    # ------------------------------------------------------------ follow-ups after closing
    ("follow-up record", "empty", EMPTY, "situation"),
    ("follow-up record", "unknown situation", {"situation": "retired_rich"}, "situation"),
    ("follow-up record", "impossible date", {"situation_on": "31.2.2026"}, "situation_on"),
    ("follow-up record", "date in the future", {"situation_on": _d(10)}, "situation_on"),
    ("follow-up record", "date far in the past", {"situation_on": "1.1.1990"}, "situation_on"),
    ("follow-up record", "too long", {"note": LONG}, "note"),
    ("follow-up record", "stale status", {"expected_status": "done"}, "__all__"),
    (
        "follow-up record",
        "another client's follow-up",
        lambda w: reverse("cases:follow_up", args=[w["closed"].pk, w["foreign_follow_up"].pk]),
        404,
    ),
    ("follow-up record", "junk follow-up id", lambda w: reverse("cases:follow_up", args=[w["closed"].pk, 99999]), 404),
    ("follow-up cancel", "empty reason", {"cancel-reason": ""}, "reason"),
    ("follow-up cancel", "blank reason", {"cancel-reason": "   "}, "reason"),
    ("follow-up cancel", "too long", {"cancel-reason": LONG}, "reason"),
    (
        "follow-up cancel",
        "another client's follow-up",
        lambda w: reverse("cases:follow_up", args=[w["closed"].pk, w["foreign_follow_up"].pk]),
        404,
    ),
]


def _resolve(value: Any, w: dict[str, Any]) -> Any:
    if callable(value):
        return value(w)
    if isinstance(value, list):
        return [_resolve(v, w) for v in value]
    return value


def _data(form: Form, changes: Any, w: dict[str, Any]) -> dict[str, Any]:
    if changes is EMPTY:
        return {}
    data = form.good(w)
    if isinstance(changes, dict):
        for key, value in changes.items():
            if value is DROP:
                data.pop(key, None)
            else:
                data[key] = _resolve(value, w)
    return data


def _errors_of(response: Any, form: Form, field_name: str) -> list[str]:
    """The errors the page shows for a field: of the form (a prefixed name is the form's field), or of
    a formset's form for `<prefix>-<n>-<field>`."""
    ctx = response.context
    parts = field_name.split("-")
    if len(parts) == 3 and parts[1].isdigit():
        formset = ctx[parts[0]]
        return list(formset.forms[int(parts[1])].errors.get(parts[2], []))
    bound = ctx[form.context]
    name = parts[-1]
    if name == "__all__":
        return list(bound.non_field_errors())
    return list(bound.errors.get(name, []))


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.mark.parametrize("name", list(FORMS))
def test_good_input_is_accepted(client, world, name):
    """The baseline: the good data of each form is accepted, so the refusals below are the garbage's."""
    form = FORMS[name]
    client.force_login(world[form.who])

    response = client.post(form.url(world), form.good(world))

    assert response.status_code == 302, (response.status_code, response.context and _all_errors(response))
    assert form.done(world)


def _all_errors(response: Any) -> dict[str, Any]:
    found = {}
    for key in ("form", "accept_form", "decline_form", "status_form", "record_form", "cancel_form"):
        try:
            bound = response.context[key]
        except KeyError:
            continue
        if getattr(bound, "is_bound", False):
            found[key] = dict(bound.errors)
    return found


@pytest.mark.parametrize("name,what,changes,expected", CASES, ids=[f"{name}: {what}" for name, what, _c, _e in CASES])
def test_garbage_is_refused_and_changes_nothing(client, world, name, what, changes, expected):
    form = FORMS[name]
    client.force_login(world[form.who])
    url, data = form.url(world), _data(form, changes, world)
    if callable(changes):  # the same good data, posted at another client's object
        url = changes(world)
    before = snapshot()

    response = client.post(url, data)  # an exception here would have been a 500

    assert snapshot() == before, "garbage changed something"
    if expected == 404:
        assert response.status_code == 404
        return
    if form.button:
        assert response.status_code == 302
        assert response["Location"] == reverse("handovers:detail", args=[world["handover"].pk]) or response[
            "Location"
        ].startswith(reverse("meetings:detail", args=[world["episode"].pk, world["meeting"].pk]))
        assert [m for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
        return
    assert response.status_code in (200, 400, 409), response.status_code
    errors = _errors_of(response, form, expected)
    assert errors, (expected, _all_errors(response))
    body = response.content.decode()
    for message in errors:
        assert escape(str(message)) in body, message  # shown on the page
    for key in form.typed:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            assert escape(value) in body, f"what was typed in {key} was not kept"
