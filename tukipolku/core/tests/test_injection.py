"""HTML and template injection through every free-text field of client data (research/reliability.md §5.3).

The free-text fields are discovered with `_meta.get_fields()`: every CharField and TextField without
choices of the client-data models. One client relationship (an open and a closed episode) with a
plan, meetings (recorded and scheduled with invitations), an entry, a team, follow-ups, notifications
of need, referrals with their status history and escorted handovers is built through the services,
then every such field of every row is overwritten with one payload (cut to the field's max_length).
Every page that shows that data is rendered for the user who sees it (a team member, the partner who
sent a notification or received a referral, the occupational health professional who opened a
handover) and must show the payload as text: escaped, not evaluated, with no element or attribute
that could run script.
"""

import datetime
from html import escape
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone

from conftest import open_episode
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import AssignmentKind, FollowUpSituation, Outcome
from tukipolku.cases.models import Assignment, CaseTeamMember, Episode, FollowUp, StepRecord
from tukipolku.clients.models import Client
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory
from tukipolku.entries import services as entry_services
from tukipolku.entries.choices import Register
from tukipolku.entries.models import Entry
from tukipolku.handovers import services as handover_services
from tukipolku.handovers.choices import HandoverStatus, JobSearch
from tukipolku.handovers.models import Handover
from tukipolku.handovers.tests.factories import occupational_health_org, open_handover, sender_user
from tukipolku.intake import services as intake_services
from tukipolku.intake.choices import NeedStatus
from tukipolku.intake.models import NeedNotification
from tukipolku.intake.tests.factories import send_need
from tukipolku.meetings import services as meeting_services
from tukipolku.meetings.calendar import HELSINKI
from tukipolku.meetings.choices import MeetingKind
from tukipolku.meetings.models import Decision, Meeting, Participant
from tukipolku.plans import services as plan_services
from tukipolku.plans.choices import GoalDomain
from tukipolku.plans.models import Action, Goal, Plan
from tukipolku.privacy.choices import DataCategory, Purpose
from tukipolku.privacy.tests.helpers import consent_for
from tukipolku.referrals import services as referral_services
from tukipolku.referrals.choices import ReferralKind, ReferralStatus
from tukipolku.referrals.models import Referral, ReferralStatusChange

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "{{7*7}}",
    "{% debug %}",
]

# The models that hold client data and have free text. A new model with free text in these apps must be
# added here and built in `world` (test_injection__every_client_data_model_is_covered checks this).
MODELS = [
    Client,
    Episode,
    StepRecord,
    CaseTeamMember,
    Assignment,
    FollowUp,
    Plan,
    Goal,
    Action,
    Meeting,
    Participant,
    Decision,
    Entry,
    NeedNotification,
    Referral,
    ReferralStatusChange,
    Handover,
]
CLIENT_DATA_APPS = ["clients", "cases", "plans", "meetings", "entries", "intake", "referrals", "handovers"]

# Rows a field may be filled in without breaking a database constraint: an outside recipient's name
# only on a referral to nobody in Tukipolku (`referral_one_recipient`).
FILL_ONLY = {"Referral.recipient_name": {"recipient_organisation__isnull": True}}


def free_text_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.get_fields()
        if isinstance(f, models.CharField | models.TextField) and not f.choices and f.concrete
    ]


def test_injection__every_client_data_model_is_covered():
    uncovered = [
        m._meta.label
        for app in CLIENT_DATA_APPS
        for m in apps.get_app_config(app).get_models()
        if free_text_fields(m) and m not in MODELS
    ]

    assert uncovered == [], f"free-text models missing from test_injection.MODELS: {uncovered}"


def test_injection__finds_the_free_text_fields():
    found = {f"{m.__name__}.{f.name}" for m in MODELS for f in free_text_fields(m)}

    assert {
        "Client.first_names",
        "Client.last_name",
        "Episode.need_description",
        "Episode.outcome_detail",
        "StepRecord.output",
        "Goal.description",
        "Goal.client_wording",
        "Action.title",
        "Plan.summary",
        "Meeting.minutes",
        "Decision.text",
        "Participant.name",
        "Entry.text",
        "NeedNotification.need_description",
        "NeedNotification.decline_reason",
        "Referral.reason",
        "Referral.recipient_name",
        "ReferralStatusChange.note",
        "Handover.background",
        "Handover.own_view",
        "Meeting.video_link",
        "Meeting.agenda",
        "Participant.email",
        "FollowUp.note",
    } <= found
    assert "Episode.outcome" not in found  # a choice, not free text


def _today():
    return timezone.localdate()


@pytest.fixture
def world(nurse, physician, team, satakunta):
    """A client with a closed and an open relationship and something in every free-text field, and
    the other parties' data: notifications of need, referrals and escorted handovers."""
    employment_org = OrganisationFactory(name="Työllisyyspalvelut", kind=OrganisationKind.EMPLOYMENT_SERVICES)
    partner = UserFactory(profession=Profession.EMPLOYMENT_COORDINATOR, organisation=employment_org)
    sender = sender_user(occupational_health_org())
    person = ClientFactory(email="asiakas@example.invalid")
    closed = open_episode(nurse, team, satakunta, client=person)
    case_services.episode_close(
        confirm_early=True,
        actor=nurse,
        episode=closed,
        outcome=Outcome.STUDIES,
        outcome_on=_today(),
        outcome_detail="x",
        follow_ups=[(_today() + datetime.timedelta(days=90), nurse), (_today() + datetime.timedelta(days=180), nurse)],
    )
    recorded, due = list(closed.follow_ups.order_by("due_on"))
    case_services.follow_up_record(
        actor=nurse,
        episode=closed,
        follow_up_id=recorded.pk,
        expected_status=recorded.status,
        situation=FollowUpSituation.STUDYING,
        situation_on=_today(),
        note="x",
    )
    episode = open_episode(nurse, team, satakunta, client=person)
    episode = case_services.episode_step_complete(
        actor=nurse, episode=episode, expected_step_id=episode.current_step_id, output="x"
    )
    episode = case_services.episode_step_skip(
        actor=nurse, episode=episode, expected_step_id=episode.current_step_id, reason="x"
    )
    case_services.case_member_add(actor=nurse, episode=episode, user=physician, role_in_case="x")
    case_services.assignment_set(actor=nurse, episode=episode, kind=AssignmentKind.CONTACT_PERSON, user=nurse, note="x")
    plan_services.plan_save(
        actor=nurse,
        episode=episode,
        expected_revision=0,
        summary="x",
        next_review_on=None,
        goals=[
            plan_services.GoalInput(
                id=None,
                domain=GoalDomain.WORK_CAPACITY,
                description="x",
                client_wording="x",
                actions=[
                    plan_services.ActionInput(
                        id=None, title="x", owner=nurse, due_on=_today() + datetime.timedelta(days=7)
                    )
                ],
            )
        ],
        loose_actions=[],
    )
    meeting = meeting_services.meeting_record(
        actor=nurse,
        episode=episode,
        kind=MeetingKind.JOINT,
        starts_at=timezone.now(),
        location="x",
        client_participated=True,
        participants=[nurse],
        outside_participants=[meeting_services.OutsideParticipant(name="x", organisation="x")],
        agenda="x",
        minutes="x",
        decisions=[
            meeting_services.DecisionInput(text="x", owner=nurse, due_on=_today() + datetime.timedelta(days=30))
        ],
    )
    entry_services.entry_write(actor=nurse, episode=episode, register=Register.SHARED, text="x", ehr_reference="x")

    # The client's consent lets employment services see the shared plan: referral and meeting.
    consent_for(
        episode,
        nurse,
        [DataCategory.SHARED_PLAN, DataCategory.EMPLOYMENT],
        recipient=employment_org,
        purpose=Purpose.EMPLOYMENT,
    )
    tomorrow = datetime.datetime.combine(_today() + datetime.timedelta(days=1), datetime.time(10), HELSINKI)
    scheduled = meeting_services.meeting_schedule(
        actor=nurse,
        episode=episode,
        data=meeting_services.MeetingInput(
            kind=MeetingKind.NETWORK,
            starts_at=tomorrow,
            ends_at=tomorrow + datetime.timedelta(hours=1),
            location="x",
            video_link="https://video.example.invalid/x",
            agenda="x",
            users=[nurse, partner],
            outside=[meeting_services.OutsideParticipant(name="x", organisation="x", email="x@example.invalid")],
            client_takes_part=True,
            invite_client=True,
        ),
    )

    referral = referral_services.referral_send(
        actor=nurse,
        episode=episode,
        kind=ReferralKind.EMPLOYMENT_SERVICES,
        recipient_organisation=employment_org,
        reason="x",
        categories=[DataCategory.SHARED_PLAN],
        due_on=_today() + datetime.timedelta(days=14),
        note="x",
    )
    referral_services.referral_status_set(
        actor=partner, referral=referral, status=ReferralStatus.RECEIVED, expected_status=ReferralStatus.SENT, note="x"
    )
    outside_referral = referral_services.referral_send(
        actor=nurse,
        episode=episode,
        kind=ReferralKind.OTHER,
        recipient_organisation=None,
        recipient_name="x",
        reason="x",
        categories=[],
        due_on=_today() + datetime.timedelta(days=14),
        note="x",
    )
    referral_services.referral_status_set(
        actor=nurse,
        referral=outside_referral,
        status=ReferralStatus.RECEIVED,
        expected_status=ReferralStatus.SENT,
        note="x",
    )

    # Notifications of need from the partner: one waiting, one declined, one accepted into the open episode.
    waiting = send_need(partner, team, done_so_far="x", need_description="x", email="x@example.invalid")
    declined = send_need(partner, team)
    intake_services.need_decline(actor=nurse, need=declined, expected_status=NeedStatus.WAITING, reason="x")
    linked = send_need(partner, team, identity_code=person.identity_code)
    intake_services.need_accept(
        actor=nurse, need=linked, expected_status=NeedStatus.WAITING, pathway=None, link_existing=True
    )

    # Escorted handovers from occupational health: one open with both meetings recorded, one accepted
    # into the client's open episode.
    handover = open_handover(sender, team, phone="x", email="x@example.invalid", background="x")
    handover = handover_services.handover_prepare(
        actor=sender,
        handover=handover,
        expected_revision=handover.revision,
        prep_met_on=_today(),
        prep_notes="x",
        transfer_place="x",
    )
    handover = handover_services.handover_transfer(
        actor=sender,
        handover=handover,
        expected_revision=handover.revision,
        transfer_at=timezone.now(),
        transfer_place="x",
        transfer_participants="x",
        own_view="x",
        readiness="x",
        own_assessment="x",
        work_ability_score=5,
        resources="x",
        skills="x",
        service_area="x",
        job_search=JobSearch.NOT_STARTED,
        job_search_note="x",
        other_help="x",
    )
    accepted = open_handover(sender, team, identity_code=person.identity_code)
    handover_services.handover_accept(actor=nurse, handover=accepted, expected_status=HandoverStatus.OPEN)

    return {
        "client": person,
        "episode": episode,
        "closed": closed,
        "meeting": meeting,
        "scheduled": scheduled,
        "follow_up": due,
        "recorded_follow_up": recorded,
        "referral": referral,
        "outside_referral": outside_referral,
        "waiting_need": waiting,
        "declined_need": declined,
        "handover": handover,
        "accepted_handover": accepted,
        "nurse": nurse,
        "partner": partner,
        "sender": sender,
    }


def _rows(model, field):
    """The rows of a model whose field can hold the same value everywhere without breaking a constraint."""
    rows = model.objects.filter(**FILL_ONLY.get(f"{model.__name__}.{field.name}", {}))
    if field.unique:  # the first row only (the identity code)
        rows = rows.filter(pk__in=list(rows.order_by("pk").values_list("pk", flat=True)[:1]))
    return rows


def _fill(payload: str) -> list[str]:
    """Overwrite every free-text field of every row with the payload; returns the stored values."""
    stored = set()
    for model in MODELS:
        assert model.objects.exists(), f"the world has no {model.__name__}"
        for field in free_text_fields(model):
            value = payload[: field.max_length] if field.max_length else payload
            _rows(model, field).update(**{field.attname: value})
            stored.add(value)
    return sorted(stored)


def _pages(client, world, payload):
    """Every page that shows the world's client data, each rendered for a user who may see it."""
    episode, closed, meeting, scheduled = world["episode"], world["closed"], world["meeting"], world["scheduled"]
    referral, handover = world["referral"], world["handover"]
    need, declined = world["waiting_need"], world["declined_need"]
    accepted_episode = Handover.objects.get(pk=world["accepted_handover"].pk).episode_id
    gets = {
        "nurse": {
            "caseload": reverse("cases:caseload"),
            "board": reverse("cases:board"),
            "case page": reverse("cases:detail", args=[episode.pk]),
            "closed case page": reverse("cases:detail", args=[closed.pk]),
            "handover case page": reverse("cases:detail", args=[accepted_episode]),
            "team": reverse("cases:team", args=[episode.pk]),
            "closing": reverse("cases:close", args=[episode.pk]),
            "plan editor": reverse("plans:edit", args=[episode.pk]),
            "meeting": reverse("meetings:detail", args=[episode.pk, meeting.pk]),
            "new meeting": reverse("meetings:create", args=[episode.pk]),
            "scheduled meeting": reverse("meetings:detail", args=[episode.pk, scheduled.pk]),
            "meeting change": reverse("meetings:change", args=[episode.pk, scheduled.pk]),
            "new scheduled meeting": reverse("meetings:schedule", args=[episode.pk]),
            "follow-up": reverse("cases:follow_up", args=[closed.pk, world["follow_up"].pk]),
            "recorded follow-up": reverse("cases:follow_up", args=[closed.pk, world["recorded_follow_up"].pk]),
            "referral detail": reverse("referrals:detail", args=[episode.pk, referral.pk]),
            "outside referral detail": reverse("referrals:detail", args=[episode.pk, world["outside_referral"].pk]),
            "new referral": reverse("referrals:create", args=[episode.pk]),
            "intake queue": reverse("intake:queue"),
            "intake detail": reverse("intake:detail", args=[need.pk]),
            "declined intake detail": reverse("intake:detail", args=[declined.pk]),
            "handover list": reverse("handovers:list"),
            "handover detail": reverse("handovers:detail", args=[handover.pk]),
            "notifications": reverse("sweep:notifications"),
        },
        "partner": {
            "sent list": reverse("intake:sent"),
            "sent detail": reverse("intake:sent_detail", args=[need.pk]),
            "declined sent detail": reverse("intake:sent_detail", args=[declined.pk]),
            "received list": reverse("referrals:received"),
            "received detail": reverse("referrals:received_detail", args=[referral.pk]),
            "partner's meeting": reverse("meetings:detail", args=[episode.pk, scheduled.pk]),
            "partner's notifications": reverse("sweep:notifications"),
        },
        "sender": {
            "sender's handover list": reverse("handovers:list"),
            "sender's handover detail": reverse("handovers:detail", args=[handover.pk]),
            "handover preparation": reverse("handovers:prepare", args=[handover.pk]),
            "handover transfer": reverse("handovers:transfer", args=[handover.pk]),
            "sender's notifications": reverse("sweep:notifications"),
        },
    }
    for who, urls in gets.items():
        client.force_login(world[who])
        for name, url in urls.items():
            response = client.get(url)
            assert response.status_code == 200, (name, response.status_code)
            yield name, response.content.decode()
    client.force_login(world["nurse"])
    response = client.post(reverse("cases:intake"), {"q": payload})  # a name search shows the client's name
    assert response.status_code == 200
    yield "intake search", response.content.decode()


class _Elements(HTMLParser):
    """Every element of a page with its attributes, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k.lower(): v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag


def _assert_nothing_executable(name: str, body: str) -> None:
    parser = _Elements()
    parser.feed(body)
    for tag, attrs in parser.elements:
        where = (name, tag, attrs)
        assert not [a for a in attrs if a.startswith("on")], where  # no event-handler attribute
        assert tag not in ("svg", "img", "iframe", "object", "embed", "base"), where
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/") or attrs.get("type") == "application/json", where
        for attr in ("href", "src", "action", "formaction", "xlink:href"):
            value = attrs.get(attr, "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), where


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection__every_page_shows_the_payload_as_text(client, nurse, world, payload):
    stored = _fill(payload)
    client.force_login(nurse)

    shown_on = []
    for name, body in _pages(client, world, payload):
        _assert_nothing_executable(name, body)
        for value in stored:
            # A value cut to a short field (a postal code holds 5 characters: "<scri") is a prefix of the page's
            # own markup; it cannot form a tag, and _assert_nothing_executable covers what it could become.
            if value != escape(value) and len(value) > 5:
                assert value not in body, (name, value)  # only ever escaped
        if escape(payload) in body:
            shown_on.append(name)
        if payload == "{{7*7}}":
            assert ">49<" not in body, name
        if payload == "{% debug %}":
            assert "sql_queries" not in body and "{'csrf_token'" not in body, name

    assert {
        "caseload",
        "board",
        "case page",
        "plan editor",
        "meeting",
        "intake search",
        "scheduled meeting",
        "follow-up",
        "referral detail",
        "received detail",
        "intake queue",
        "intake detail",
        "sent list",
        "sent detail",
        "handover list",
        "handover detail",
        "sender's handover detail",
        "notifications",
    } <= set(shown_on), shown_on


def test_injection__payload_is_escaped_in_the_client_header(client, nurse, world):
    """One concrete rendering, so a reader sees what "escaped" means here."""
    Client.objects.update(last_name="<script>alert(1)</script>", first_names="{{7*7}}")
    client.force_login(nurse)

    body = client.get(reverse("cases:detail", args=[world["episode"].pk])).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{7*7}}" in body
    assert "<script>alert(1)</script>" not in body


# Shown nowhere as stored: the identity code only masked (first seven characters). Every other free-text
# field, including the new modules' (the follow-up note on the follow-up page, an outside participant's
# e-mail on the scheduled meeting's page), is shown somewhere and checked there.
NOT_SHOWN = {"Client.identity_code"}


def test_injection__each_field_reaches_a_page_and_is_escaped_there(client, nurse, world):
    """A distinct markup marker per field: every field shown is found escaped on at least one page."""
    markers = {}
    for model in MODELS:
        for field in free_text_fields(model):
            marker = f"<b>{model.__name__}.{field.name}</b>"[: field.max_length or None]
            _rows(model, field).update(**{field.attname: marker})
            markers[f"{model.__name__}.{field.name}"] = marker
    pages = list(_pages(client, world, "<b>"))

    not_shown = {key for key, marker in markers.items() if not any(escape(marker) in body for _n, body in pages)}
    assert not_shown == NOT_SHOWN
    for name, body in pages:
        assert "<b>" not in body, name
