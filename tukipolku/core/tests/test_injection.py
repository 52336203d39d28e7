"""HTML and template injection through every free-text field of client data (research/reliability.md §5.3).

The free-text fields are discovered with `_meta.get_fields()`: every CharField and TextField without
choices of the client-data models. One client relationship (an open and a closed episode) with a
plan, a meeting, an entry, a team and a follow-up is built through the services, then every such
field of every row is overwritten with one payload (cut to the field's max_length). Every page that
shows that data is rendered for a team member and must show the payload as text: escaped, not
evaluated, with no element or attribute that could run script.
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
from tukipolku.cases.choices import AssignmentKind, Outcome
from tukipolku.cases.models import Assignment, CaseTeamMember, Episode, FollowUp, StepRecord
from tukipolku.clients.models import Client
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.entries import services as entry_services
from tukipolku.entries.choices import Register
from tukipolku.entries.models import Entry
from tukipolku.meetings import services as meeting_services
from tukipolku.meetings.choices import MeetingKind
from tukipolku.meetings.models import Decision, Meeting, Participant
from tukipolku.plans import services as plan_services
from tukipolku.plans.choices import GoalDomain
from tukipolku.plans.models import Action, Goal, Plan

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
]
CLIENT_DATA_APPS = ["clients", "cases", "plans", "meetings", "entries"]


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
    } <= found
    assert "Episode.outcome" not in found  # a choice, not free text


def _today():
    return timezone.localdate()


@pytest.fixture
def world(nurse, physician, team, satakunta):
    """A client with a closed and an open relationship and something in every free-text field."""
    person = ClientFactory()
    closed = open_episode(nurse, team, satakunta, client=person)
    case_services.episode_close(
        actor=nurse,
        episode=closed,
        outcome=Outcome.STUDIES,
        outcome_on=_today(),
        outcome_detail="x",
        follow_ups=[(_today() + datetime.timedelta(days=90), nurse)],
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
    return {"client": person, "episode": episode, "closed": closed, "meeting": meeting}


def _fill(payload: str) -> list[str]:
    """Overwrite every free-text field of every row with the payload; returns the stored values."""
    stored = set()
    for model in MODELS:
        assert model.objects.exists(), f"the world has no {model.__name__}"
        for field in free_text_fields(model):
            value = payload[: field.max_length] if field.max_length else payload
            model.objects.update(**{field.attname: value})
            stored.add(value)
    return sorted(stored)


def _pages(client, world, payload):
    episode, closed, meeting = world["episode"], world["closed"], world["meeting"]
    gets = {
        "caseload": reverse("cases:caseload"),
        "board": reverse("cases:board"),
        "case page": reverse("cases:detail", args=[episode.pk]),
        "closed case page": reverse("cases:detail", args=[closed.pk]),
        "team": reverse("cases:team", args=[episode.pk]),
        "closing": reverse("cases:close", args=[episode.pk]),
        "plan editor": reverse("plans:edit", args=[episode.pk]),
        "meeting": reverse("meetings:detail", args=[episode.pk, meeting.pk]),
        "new meeting": reverse("meetings:create", args=[episode.pk]),
    }
    for name, url in gets.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        yield name, response.content.decode()
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
            if value != escape(value):
                assert value not in body, (name, value)  # only ever escaped
        if escape(payload) in body:
            shown_on.append(name)
        if payload == "{{7*7}}":
            assert ">49<" not in body, name
        if payload == "{% debug %}":
            assert "sql_queries" not in body and "{'csrf_token'" not in body, name

    assert {"caseload", "board", "case page", "plan editor", "meeting", "intake search"} <= set(shown_on), shown_on


def test_injection__payload_is_escaped_in_the_client_header(client, nurse, world):
    """One concrete rendering, so a reader sees what "escaped" means here."""
    Client.objects.update(last_name="<script>alert(1)</script>", first_names="{{7*7}}")
    client.force_login(nurse)

    body = client.get(reverse("cases:detail", args=[world["episode"].pk])).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{7*7}}" in body
    assert "<script>alert(1)</script>" not in body


# Shown nowhere as stored: the identity code only masked (first seven characters), the follow-up note not yet.
# An outside participant's address goes only into invitations.
NOT_SHOWN = {"Client.identity_code", "FollowUp.note", "Participant.email"}


def test_injection__each_field_reaches_a_page_and_is_escaped_there(client, nurse, world):
    """A distinct markup marker per field: every field shown is found escaped on at least one page."""
    markers = {}
    for model in MODELS:
        for field in free_text_fields(model):
            marker = f"<b>{model.__name__}.{field.name}</b>"[: field.max_length or None]
            model.objects.update(**{field.attname: marker})
            markers[f"{model.__name__}.{field.name}"] = marker
    client.force_login(nurse)

    pages = list(_pages(client, world, "<b>"))

    not_shown = {key for key, marker in markers.items() if not any(escape(marker) in body for _n, body in pages)}
    assert not_shown == NOT_SHOWN
    for name, body in pages:
        assert "<b>" not in body, name
