"""The HTML interface of the client process, through the test client.

Every URL of cases, plans, meetings and entries gets the permission matrix (STYLE.md §7): anonymous,
a user without client work (administrator, partner staff), a professional of another team, and a
member of the team. Then the flows whose errors matter to the user, and query counts that must not
grow with the number of clients.
"""

import datetime
import html
import re
from html.parser import HTMLParser
from types import SimpleNamespace
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, reverse
from django.utils import timezone

from conftest import open_episode
from tukipolku.access.choices import AccessGround
from tukipolku.audit import chain
from tukipolku.audit.choices import AccessAction, EventType
from tukipolku.audit.models import AuditEvent, PersonalDataAccess
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import AssignmentKind, EpisodeStatus, Outcome, StepStatus
from tukipolku.cases.models import Episode, StepRecord
from tukipolku.clients.models import Client
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.models import TeamMembership
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory
from tukipolku.entries import services as entry_services
from tukipolku.entries.choices import Register
from tukipolku.meetings import services as meeting_services
from tukipolku.meetings.choices import MeetingKind
from tukipolku.meetings.models import Decision, Meeting
from tukipolku.plans import services as plan_services
from tukipolku.plans.choices import ActionSource, ActionStatus, AgreementMethod, GoalDomain
from tukipolku.plans.models import Action, Goal, Plan

FIRST_NAMES = "Sylvikki"
LAST_NAME = "Näkymätön"


def today():
    return timezone.localdate()


def days(n):
    return datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _english(client):
    """Pages in English, so that messages can be compared as written in the code."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def browser(user=None):
    """A second, independent browser session."""
    c = HttpClient()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def partner(db):
    return UserFactory(
        profession=Profession.EMPLOYMENT_COORDINATOR,
        organisation=OrganisationFactory(kind=OrganisationKind.EMPLOYMENT_SERVICES),
    )


# ---------------------------------------------------------------- payload builders


def _formset(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def plan_payload(revision, goals=(), loose=(), summary=""):
    """What the plan editor posts: the plan, goals with their nested actions, and loose actions."""
    data = {"revision": str(revision), "summary": summary, "next_review_on": ""}
    goal_rows = []
    for goal in goals:
        row = {"id": "", "domain": GoalDomain.EMPLOYMENT, "description": "", "client_wording": "", "target_on": ""}
        row["status"] = "open"
        row.update({k: v for k, v in goal.items() if k != "actions"})
        goal_rows.append(row)
    data.update(_formset("goals", goal_rows, initial=sum(1 for g in goals if g.get("id"))))
    for i, goal in enumerate(goals):
        actions = [
            {"id": "", "title": "", "owner": "", "due_on": "", "status": "open", **a} for a in goal.get("actions", [])
        ]
        data.update(_formset(f"goals-{i}-actions", actions, initial=sum(1 for a in actions if a.get("id"))))
    loose = [{"id": "", "title": "", "owner": "", "due_on": "", "status": "open", **a} for a in loose]
    data.update(_formset("loose", loose, initial=sum(1 for a in loose if a.get("id"))))
    return data


def meeting_payload(participants, decisions=(), **kw):
    data = {
        "kind": MeetingKind.TEAM,
        "starts_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "location": "Neuvotteluhuone 2",
        "participants": [str(u.pk) for u in participants],
        "outside_participants": "Maija Meikäläinen, TE-palvelut",
        "agenda": "Tilannekatsaus",
        "minutes": "Sovittiin jatkosta.",
    }
    data.update(kw)
    rows = [{"text": "", "owner": "", "due_on": ""} for _ in range(3)]
    for i, d in enumerate(decisions):
        rows[i] = {"text": d.get("text", ""), "owner": d.get("owner", ""), "due_on": d.get("due_on", "")}
    data.update(_formset("decisions", rows))
    return data


def episode_fields(team, pathway, **kw):
    data = {
        "ep-team": str(team.pk),
        "ep-pathway": str(pathway.pk),
        "ep-source": "employment_services",
        "ep-situations": ["long_unemployment"],
        "ep-need_description": "Pitkittynyt työttömyys.",
        "ep-consent_given": "on",
        "ep-consent_on": today().isoformat(),
        "ep-consent_method": "oral",
    }
    data.update(kw)
    return data


def new_client_fields(code, **kw):
    data = {
        "cl-identity_code": code,
        "cl-first_names": "Tiina",
        "cl-last_name": "Testinen",
        "cl-language": "fi",
        "cl-employment_status": "unemployed",
        "cl-phone": "040 000 0000",
        "cl-email": "",
        "cl-municipality": "Eura",
    }
    data.update(kw)
    return data


def input_value(body, name):
    """The value attribute of the <input> called `name`, unescaped; None when it has none."""
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', body)
    assert tag is not None, name
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def field_errors(body, field_id):
    """The error list Django renders just before the field with this id."""
    found = re.search(rf'<ul class="errorlist" id="{re.escape(field_id)}_error">(.*?)</ul>', body, re.S)
    return html.unescape(found.group(1)) if found else ""


class _FormParser(HTMLParser):
    """Collects what a browser would submit for each <form> of a page, unchanged by the user."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "fields": []}
            self.forms.append(self._form)
        if self._form is None or ("name" not in a and tag in ("input", "select", "textarea")):
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((a["name"], a.get("value") or "on"))
                return
            self._form["fields"].append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select = {"name": a["name"], "multiple": "multiple" in a, "options": [], "selected": []}
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            self._select["options"].append(value)
            if "selected" in a:
                self._select["selected"].append(value)
        elif tag == "textarea":
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            sel = self._select
            chosen = sel["selected"] or ([] if sel["multiple"] else sel["options"][:1])
            self._form["fields"].extend((sel["name"], v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self._form["fields"].append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def browser_form(body, containing):
    """Where and what a browser posts from the form that has a field called `containing` (a dict of lists)."""
    parser = _FormParser()
    parser.feed(body)
    for form in parser.forms:
        names = [n for n, _v in form["fields"]]
        if containing in names:
            data = {}
            for name, value in form["fields"]:
                data.setdefault(name, []).append(value)
            return form["action"], data
    raise AssertionError(f"no form with {containing}")


def urls_in(body):
    """Every URL-like attribute of the page: links, form targets, scripts, htmx targets."""
    return re.findall(r'(?:href|action|src|hx-get|hx-post|hx-push-url|formaction)="([^"]*)"', body)


# ---------------------------------------------------------------- a team with one client in every state


@pytest.fixture
def world(nurse, physician, social_worker, team, satakunta):
    person = ClientFactory(first_names=FIRST_NAMES, last_name=LAST_NAME)
    episode = open_episode(nurse, team, satakunta, client=person)
    plan = plan_services.plan_save(
        actor=nurse,
        episode=episode,
        expected_revision=0,
        summary="Asiakas haluaa töihin.",
        next_review_on=None,
        goals=[
            plan_services.GoalInput(
                id=None,
                domain=GoalDomain.EMPLOYMENT,
                description="Työkokeilu",
                actions=[plan_services.ActionInput(id=None, title="Varaa aika", owner=nurse, due_on=today() + days(7))],
            )
        ],
        loose_actions=[],
    )
    meeting = meeting_services.meeting_record(
        actor=nurse, episode=episode, kind=MeetingKind.TEAM, starts_at=timezone.now(), participants=[nurse]
    )
    closed = open_episode(nurse, team, satakunta)
    case_services.episode_close(
        confirm_early=True,
        actor=nurse,
        episode=closed,
        outcome=Outcome.STUDIES,
        outcome_on=today(),
        follow_ups=[(today() + days(90), nurse)],
    )
    episode.refresh_from_db()
    closed.refresh_from_db()
    return SimpleNamespace(
        client=person,
        episode=episode,
        plan=plan,
        goal=plan.goals.get(),
        action=plan.actions.get(),
        meeting=meeting,
        closed=closed,
        nurse=nurse,
        physician=physician,
        social_worker=social_worker,
        team=team,
        pathway=satakunta,
    )


# (url name, method, what the URL points at)
ROUTES = [
    ("cases:caseload", "get", None),
    ("cases:board", "get", None),
    ("cases:intake", "get", None),
    ("cases:intake", "post", None),
    ("cases:intake_new", "get", None),
    ("cases:intake_new", "post", None),
    ("cases:episode_open", "get", "client"),
    ("cases:episode_open", "post", "closed_client"),
    ("cases:detail", "get", "episode"),
    ("cases:step", "post", "episode"),
    ("cases:team", "get", "episode"),
    ("cases:team", "post", "episode"),
    ("cases:close", "get", "episode"),
    ("cases:close", "post", "episode"),
    ("cases:reopen", "post", "closed"),
    ("plans:edit", "get", "episode"),
    ("plans:edit", "post", "episode"),
    ("plans:agree", "post", "episode"),
    ("plans:action_status", "post", "action"),
    ("meetings:create", "get", "episode"),
    ("meetings:create", "post", "episode"),
    ("meetings:detail", "get", "meeting"),
    ("entries:create", "post", "episode"),
]
ROUTE_IDS = [f"{name}:{method}" for name, method, _target in ROUTES]


def route_url(w, name, target):
    args = {
        None: [],
        "client": [w.client.pk],
        "closed_client": [w.closed.client_id],
        "episode": [w.episode.pk],
        "closed": [w.closed.pk],
        "action": [w.episode.pk, w.action.pk],
        "meeting": [w.episode.pk, w.meeting.pk],
    }[target]
    return reverse(name, args=args)


def route_payload(w, name):
    """Valid input for a member of the team."""
    return {
        "cases:intake": {"q": w.client.last_name},
        "cases:intake_new": {
            **new_client_fields(ClientFactory.build().identity_code),
            **episode_fields(w.team, w.pathway),
        },
        "cases:episode_open": episode_fields(w.team, w.pathway),
        "cases:step": {
            "action": "complete",
            "complete-step_id": str(w.episode.current_step_id),
            "complete-output": "Tarve kirjattu.",
        },
        "cases:team": {"op": "add", "user": str(w.physician.pk), "role_in_case": "Työkyvyn arvio"},
        "cases:close": {
            "outcome": Outcome.OPEN_LABOUR_MARKET,
            "outcome_on": today().isoformat(),
            "outcome_detail": "",
            "follow_up_owner": str(w.nurse.pk),
            "follow_up_months": ["3", "6"],
            "follow_up_on": "",
            "confirm_early": "on",
        },
        "cases:reopen": {"reason": "Asiakas otti uudelleen yhteyttä."},
        "plans:edit": plan_payload(
            w.plan.revision,
            goals=[
                {
                    "id": str(w.goal.pk),
                    "domain": w.goal.domain,
                    "description": "Työkokeilu kaupan alalla",
                    "actions": [
                        {
                            "id": str(w.action.pk),
                            "title": w.action.title,
                            "owner": str(w.nurse.pk),
                            "due_on": w.action.due_on.isoformat(),
                            "status": "open",
                        }
                    ],
                }
            ],
            summary="Päivitetty tilanne.",
        ),
        "plans:agree": {"revision": str(w.plan.revision), "agreed_on": today().isoformat(), "method": "oral"},
        "plans:action_status": {"status": ActionStatus.DONE},
        "meetings:create": meeting_payload([w.nurse]),
        "entries:create": {"register": Register.SHARED, "text": "Soitettu asiakkaalle.", "ehr_reference": ""},
    }.get(name, {})


def call(c, w, name, method, target, **extra):
    url = route_url(w, name, target)
    if method == "get":
        return c.get(url, **extra)
    return c.post(url, route_payload(w, name), **extra)


# ================================================================ the permission matrix


def _url_names(module):
    urlconf = __import__(f"tukipolku.{module}.urls", fromlist=["urlpatterns", "app_name"])
    return {f"{urlconf.app_name}:{p.name}" for p in urlconf.urlpatterns if isinstance(p, URLPattern)}


def test_matrix__covers_every_url_of_the_client_process():
    every = set().union(*(_url_names(m) for m in ("cases", "plans", "meetings", "entries")))

    # The privacy routes (consents, legal basis, emergency access, partner list) are covered by the
    # table-driven access matrix in tests/access/.
    assert {name for name, _method, _target in ROUTES} <= every


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "target"), ROUTES, ids=ROUTE_IDS)
def test_matrix__anonymous_is_sent_to_log_in(client, world, name, method, target):
    events_before = AuditEvent.objects.count()

    response = call(client, world, name, method, target)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert AuditEvent.objects.count() == events_before
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "target"), ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("who", ["admin_user", "partner"])
def test_matrix__no_client_work_is_403(client, world, request, who, name, method, target):
    user = request.getfixturevalue(who)
    client.force_login(user)
    events_before = AuditEvent.objects.count()

    response = call(client, world, name, method, target)

    # Partner staff may open the pages they could read with a consent; without one they are not found.
    assert response.status_code == 403 or (who == "partner" and method == "get" and response.status_code == 404)
    body = response.content.decode()
    assert FIRST_NAMES not in body
    assert LAST_NAME not in body
    assert AuditEvent.objects.count() == events_before
    assert not PersonalDataAccess.objects.filter(outcome="allowed").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "target"), ROUTES, ids=ROUTE_IDS)
def test_matrix__other_teams_professional_cannot_reach_the_client(client, world, outsider, name, method, target):
    client.force_login(outsider)

    response = call(client, world, name, method, target)

    body = response.content.decode()
    if target is None:  # pages without an object: they work, but show none of this team's clients
        assert response.status_code in (200, 400)
    else:
        assert response.status_code == 404
    assert FIRST_NAMES not in body
    assert world.client.full_name not in body
    if name != "cases:intake":  # the search box shows back what was typed
        assert LAST_NAME not in body
    assert world.client.identity_code not in body
    assert not AuditEvent.objects.filter(actor=outsider).exclude(verb=EventType.CLIENT_CREATED).exists()
    allowed = PersonalDataAccess.objects.filter(user=outsider, outcome="allowed")
    assert not allowed.filter(client_id__in=[world.client.pk, world.closed.client_id]).exists()
    if target is not None:  # the refusal itself is logged (ASVS 16.3.2)
        assert PersonalDataAccess.objects.filter(user=outsider, outcome="denied").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "target"), ROUTES, ids=ROUTE_IDS)
def test_matrix__team_member_gets_the_page_or_a_success_redirect(client, world, name, method, target):
    client.force_login(world.nurse)
    events_before = AuditEvent.objects.filter(actor=world.nurse).count()
    reads_before = PersonalDataAccess.objects.filter(user=world.nurse).count()

    response = call(client, world, name, method, target)

    if method == "get" or name == "cases:intake":
        assert response.status_code == 200
        if target is not None or (name, method) == ("cases:intake", "post"):
            assert PersonalDataAccess.objects.filter(user=world.nurse).count() > reads_before
        return
    assert response.status_code == 302, response.content.decode()[:2000]
    expected = {
        "cases:intake_new": "/episodes/",
        "cases:episode_open": "/episodes/",
        "cases:step": reverse("cases:detail", args=[world.episode.pk]),
        "cases:team": reverse("cases:team", args=[world.episode.pk]),
        "cases:close": reverse("cases:detail", args=[world.episode.pk]),
        "cases:reopen": reverse("cases:detail", args=[world.closed.pk]),
        "plans:edit": reverse("plans:edit", args=[world.episode.pk]),
        "plans:agree": reverse("plans:edit", args=[world.episode.pk]),
        "plans:action_status": reverse("cases:detail", args=[world.episode.pk]),
        "meetings:create": reverse("cases:detail", args=[world.episode.pk]) + "#meetings",
        "entries:create": reverse("cases:detail", args=[world.episode.pk]) + "#entries",
    }[name]
    assert response["Location"].startswith(expected)
    assert AuditEvent.objects.filter(actor=world.nurse).count() > events_before  # every change is audited


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "target"),
    [
        (n, t)
        for n, m, t in ROUTES
        if m == "post" and t is not None and (n, "get") not in {(a, b) for a, b, _c in ROUTES}
    ],
)
def test_matrix__post_only_urls_refuse_get(client, world, name, target):
    client.force_login(world.nurse)

    response = client.get(route_url(world, name, target))

    assert response.status_code == 405


@pytest.mark.django_db
def test_matrix__member_whose_team_membership_ended_gets_404(client, world):
    TeamMembership.objects.filter(user=world.physician, team=world.team).update(ended_on=today() - days(1))
    client.force_login(world.physician)

    for name in ("cases:detail", "cases:team", "cases:close", "plans:edit", "meetings:create"):
        response = client.get(reverse(name, args=[world.episode.pk]))
        assert response.status_code == 404, name
        assert FIRST_NAMES not in response.content.decode()
    assert client.get(reverse("cases:caseload")).status_code == 200


@pytest.mark.django_db
def test_htmx__successful_post_answers_hx_location(client, world):
    client.force_login(world.nurse)

    response = call(client, world, "cases:step", "post", "episode", HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Location"] == reverse("cases:detail", args=[world.episode.pk])
    world.episode.refresh_from_db()
    assert world.episode.current_step.order == 2


@pytest.mark.django_db
def test_htmx__entry_post_answers_hx_location(client, world):
    client.force_login(world.nurse)

    response = call(client, world, "entries:create", "post", "episode", HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Location"] == reverse("cases:detail", args=[world.episode.pk]) + "#entries"


@pytest.mark.django_db
def test_pages__client_data_is_never_cached(client, world):
    client.force_login(world.nurse)

    response = client.get(reverse("cases:detail", args=[world.episode.pk]))

    assert "no-store" in response["Cache-Control"]


# ================================================================ intake


@pytest.mark.django_db
def test_intake__search_by_unknown_identity_code_offers_a_prefilled_new_client_form(client, nurse, team, satakunta):
    code = ClientFactory.build().identity_code
    client.force_login(nurse)

    response = client.post(reverse("cases:intake"), {"q": f" {code.lower()} "})

    assert response.status_code == 200
    body = response.content.decode()
    assert "No client has this identity code yet." in body
    assert input_value(body, "cl-identity_code") == code
    assert re.search(r'<form[^>]*action="/intake/new/"', body)
    for url in urls_in(body):
        assert code not in url.upper()
        assert code[:6] not in url
    assert response.wsgi_request.path == reverse("cases:intake")
    assert response.wsgi_request.META.get("QUERY_STRING", "") == ""
    assert not PersonalDataAccess.objects.exists()  # nobody was found, nobody's data was shown


def selected_pathway(body):
    select = body[body.index('name="ep-pathway"') :]
    select = select[: select.index("</select>")]
    found = re.search(r'<option value="(\d+)" selected>', select)
    return int(found.group(1)) if found else None


@pytest.mark.django_db
def test_intake__operating_model_preselected_from_the_team(client, nurse, team, satakunta, eura):
    client.force_login(nurse)
    url = reverse("cases:intake_new")
    assert selected_pathway(client.get(url).content.decode()) in (None, satakunta.pk)  # the first one offered

    open_episode(nurse, team, eura)  # most of the team's open relationships follow Eura
    assert selected_pathway(client.get(url).content.decode()) == eura.pk

    satakunta.teams.add(team)  # the administrator set the team's operating model
    assert selected_pathway(client.get(url).content.decode()) == satakunta.pk

    eura.teams.add(team)  # two of them: the open relationships decide again
    assert selected_pathway(client.get(url).content.decode()) == eura.pk


@pytest.mark.django_db
def test_intake__search_by_identity_code_finds_a_client_of_another_team(
    client, nurse, physician, outsider, team, other_team, satakunta
):
    foreign = open_episode(
        outsider, other_team, satakunta, client=ClientFactory(first_names="Ulla", last_name="Ulkonen")
    )
    code = foreign.client.identity_code
    client.force_login(nurse)

    response = client.post(reverse("cases:intake"), {"q": code.replace("-", "\u2212")})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Ulkonen Ulla" in body
    assert "has no relationship with your teams" in body
    open_url = reverse("cases:episode_open", args=[foreign.client_id])
    assert f'href="{open_url}"' in body
    assert reverse("cases:detail", args=[foreign.pk]) not in body  # the other team's episode stays hidden
    assert all(code not in url and code[:6] not in url for url in urls_in(body))
    (row,) = PersonalDataAccess.objects.filter(user=nurse)
    assert (row.client_id, row.basis, row.action, row.view) == (
        foreign.client_id,
        AccessGround.IDENTITY_CODE,
        AccessAction.SEARCH,
        "cases:intake",
    )
    assert code not in row.view
    # The looked-up client can now be taken into this team, in this session only.
    assert client.get(open_url).status_code == 200
    assert browser(physician).get(open_url).status_code == 404
    response = client.post(open_url, episode_fields(team, satakunta))
    assert response.status_code == 302
    assert Episode.objects.filter(client=foreign.client, team=team).count() == 1


@pytest.mark.django_db
def test_intake__search_is_not_done_by_get(client, world):
    client.force_login(world.nurse)

    response = client.get(reverse("cases:intake"), {"q": world.client.identity_code})

    assert response.status_code == 200
    assert FIRST_NAMES not in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.django_db
def test_intake__search_by_name_lists_own_clients(client, world):
    client.force_login(world.nurse)

    response = client.post(reverse("cases:intake"), {"q": LAST_NAME.lower()})

    body = response.content.decode()
    assert world.client.full_name in body
    assert f'href="{reverse("cases:detail", args=[world.episode.pk])}"' in body


@pytest.mark.django_db
def test_intake__invalid_identity_code_in_search_is_explained(client, nurse):
    client.force_login(nurse)

    response = client.post(reverse("cases:intake"), {"q": "310299-901X"})

    assert response.status_code == 200
    assert "Invalid identity code: " in field_errors(response.content.decode(), "id_q")


@pytest.mark.django_db
def test_intake_new__opens_a_relationship_for_a_new_client(client, nurse, team, satakunta):
    code = ClientFactory.build().identity_code
    client.force_login(nurse)

    response = client.post(
        reverse("cases:intake_new"),
        {**new_client_fields(code.lower()), **episode_fields(team, satakunta)},
    )

    created = Client.objects.get()
    episode = Episode.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[episode.pk])
    assert code not in response["Location"]
    assert created.identity_code == code
    assert (episode.client, episode.team, episode.opened_by) == (created, team, nurse)
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {EventType.CLIENT_CREATED, EventType.EPISODE_OPENED} <= verbs


@pytest.mark.django_db
def test_intake_new__bad_identity_code_keeps_what_was_typed(client, nurse, team, satakunta):
    client.force_login(nurse)
    typed = "310299-901X"

    response = client.post(
        reverse("cases:intake_new"),
        {
            **new_client_fields(typed, **{"cl-last_name": "Kirjoitettu", "cl-first_names": "Teksti"}),
            **episode_fields(team, satakunta),
        },
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Invalid identity code: " in field_errors(body, "id_cl-identity_code")
    assert re.search(r'<input[^>]*name="cl-identity_code"[^>]*aria-invalid="true"', body)
    assert input_value(body, "cl-identity_code") == typed
    assert input_value(body, "cl-last_name") == "Kirjoitettu"
    assert input_value(body, "cl-first_names") == "Teksti"
    assert input_value(body, "cl-municipality") == "Eura"
    assert "Pitkittynyt työttömyys." in body  # the need description textarea keeps its text
    assert field_errors(body, "id_cl-last_name") == ""
    assert not Client.objects.exists()
    assert not Episode.objects.exists()


@pytest.mark.django_db
def test_intake_new__duplicate_identity_code_offers_the_existing_client(
    client, nurse, outsider, other_team, team, satakunta
):
    existing = open_episode(
        outsider, other_team, satakunta, client=ClientFactory(first_names="Olli", last_name="Olemassa")
    )
    client.force_login(nurse)

    response = client.post(
        reverse("cases:intake_new"),
        {**new_client_fields(existing.client.identity_code.lower()), **episode_fields(team, satakunta)},
    )

    assert response.status_code == 400
    body = response.content.decode()
    errors = field_errors(body, "id_cl-identity_code")
    assert "A client with this identity code already exists." in errors
    open_url = reverse("cases:episode_open", args=[existing.client_id])
    assert f'href="{open_url}"' in errors
    assert "Open a relationship for Olemassa Olli instead" in errors
    assert Client.objects.count() == 1
    assert Episode.objects.count() == 1
    # Showing the existing client's name is a read of client data: it is in the access log.
    (row,) = PersonalDataAccess.objects.filter(user=nurse)
    assert (row.client_id, row.episode_id, row.basis) == (existing.client_id, None, AccessGround.IDENTITY_CODE)
    # The offer works: the existing client can be taken into this team.
    assert client.get(open_url).status_code == 200


@pytest.mark.django_db
def test_intake_new__consent_is_required(client, nurse, team, satakunta):
    client.force_login(nurse)
    data = {**new_client_fields(ClientFactory.build().identity_code), **episode_fields(team, satakunta)}
    del data["ep-consent_given"]

    response = client.post(reverse("cases:intake_new"), data)

    assert response.status_code == 400
    assert "agreement is needed" in field_errors(response.content.decode(), "id_ep-consent_given")
    assert not Client.objects.exists()


@pytest.mark.django_db
def test_episode_open__a_second_open_relationship_is_refused_with_a_message(client, world):
    client.force_login(world.nurse)

    response = client.post(
        reverse("cases:episode_open", args=[world.client.pk]), episode_fields(world.team, world.pathway)
    )

    assert response.status_code == 400
    assert "The client already has an open relationship with this team." in response.content.decode()
    assert Episode.objects.filter(client=world.client).count() == 1


# ================================================================ the case page: steps, closing, reopening


def _step_post(client, episode, **data):
    payload = {"action": "complete", "complete-step_id": str(episode.current_step_id), "complete-output": ""}
    payload.update({f"complete-{key}": value for key, value in data.items()})
    return client.post(reverse("cases:step", args=[episode.pk]), payload)


@pytest.mark.django_db
def test_step__complete_without_output_is_400_with_the_error(client, world):
    client.force_login(world.nurse)

    response = _step_post(client, world.episode, output="   ")

    assert response.status_code == 400
    assert "This field is required." in field_errors(response.content.decode(), "id_complete-output")
    world.episode.refresh_from_db()
    assert world.episode.current_step.order == 1
    assert not AuditEvent.objects.filter(verb=EventType.STEP_COMPLETED).exists()


@pytest.mark.django_db
def test_step__completion_check_failure_is_shown(client, world):
    episode = world.episode
    for _ in range(2):
        episode = case_services.episode_step_skip(
            actor=world.nurse, episode=episode, expected_step_id=episode.current_step_id, reason="Ohitettu."
        )
    client.force_login(world.nurse)

    response = _step_post(client, episode, output="Tiimi koottu.")

    assert response.status_code == 400
    body = response.content.decode()
    assert body.count("Name the contact person first.") >= 1
    assert re.search(r'class="form-errors" role="alert">.*Name the contact person first\.', body, re.S)
    assert "Tiimi koottu." in body  # what was typed stays in the form
    episode.refresh_from_db()
    assert episode.current_step.order == 3


@pytest.mark.django_db
def test_step__stale_page_is_refused_with_a_message(client, world):
    stale_step_id = world.episode.current_step_id
    case_services.episode_step_complete(
        actor=world.physician, episode=world.episode, expected_step_id=stale_step_id, output="Tehty."
    )
    client.force_login(world.nurse)

    response = client.post(
        reverse("cases:step", args=[world.episode.pk]),
        {"action": "skip", "skip-step_id": str(stale_step_id), "skip-reason": "Ei tarvita."},
    )

    assert response.status_code == 400
    assert "Someone else moved this client relationship to another step meanwhile." in response.content.decode()
    world.episode.refresh_from_db()
    assert world.episode.current_step.order == 2


@pytest.mark.django_db
def test_step__skip_and_return_through_the_page(client, world):
    client.force_login(world.nurse)
    first_step_id = world.episode.current_step_id

    skipped = client.post(
        reverse("cases:step", args=[world.episode.pk]),
        {"action": "skip", "skip-step_id": str(first_step_id), "skip-reason": "Tarve tiedossa."},
    )
    world.episode.refresh_from_db()
    returned = client.post(
        reverse("cases:step", args=[world.episode.pk]),
        {
            "action": "return",
            "return-step_id": str(world.episode.current_step_id),
            "return-to_step": str(first_step_id),
            "return-reason": "Korjaus.",
        },
    )

    assert skipped.status_code == returned.status_code == 302
    statuses = list(StepRecord.objects.filter(episode=world.episode).order_by("id").values_list("status", flat=True))
    assert statuses == [StepStatus.SKIPPED, StepStatus.RETURNED, StepStatus.ACTIVE]


@pytest.mark.django_db
def test_step__unknown_action_is_400(client, world):
    client.force_login(world.nurse)

    response = client.post(reverse("cases:step", args=[world.episode.pk]), {"action": "teleport"})

    assert response.status_code == 400


@pytest.mark.django_db
def test_close__without_outcome_is_400_choose_the_outcome(client, world):
    client.force_login(world.nurse)
    data = route_payload(world, "cases:close")
    data["outcome"] = ""

    response = client.post(reverse("cases:close", args=[world.episode.pk]), data)

    assert response.status_code == 400
    assert "Choose the outcome" in field_errors(response.content.decode(), "id_outcome")
    world.episode.refresh_from_db()
    assert world.episode.status == EpisodeStatus.OPEN


@pytest.mark.django_db
def test_close__follow_up_needed_unless_deceased_or_moved_away(client, world):
    client.force_login(world.nurse)
    url = reverse("cases:close", args=[world.episode.pk])
    base = {
        "outcome_on": today().isoformat(),
        "outcome_detail": "",
        "follow_up_owner": "",
        "follow_up_on": "",
        "confirm_early": "on",
    }

    refused = client.post(url, {**base, "outcome": Outcome.STUDIES})
    accepted = client.post(url, {**base, "outcome": Outcome.MOVED_AWAY})

    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Agree on when the client is followed up." in field_errors(body, "id_follow_up_months")
    assert "Choose who follows up." in field_errors(body, "id_follow_up_owner")
    assert accepted.status_code == 302
    world.episode.refresh_from_db()
    assert (world.episode.status, world.episode.outcome) == (EpisodeStatus.CLOSED, Outcome.MOVED_AWAY)


@pytest.mark.django_db
def test_close__creates_the_follow_ups_chosen(client, world):
    client.force_login(world.nurse)

    response = client.post(reverse("cases:close", args=[world.episode.pk]), route_payload(world, "cases:close"))

    assert response.status_code == 302
    dues = list(world.episode.follow_ups.order_by("due_on").values_list("due_on", "owner"))
    assert len(dues) == 2
    assert all(owner == world.nurse.pk and due > today() for due, owner in dues)


@pytest.mark.django_db
def test_reopen__without_reason_is_400(client, world):
    client.force_login(world.nurse)

    response = client.post(reverse("cases:reopen", args=[world.closed.pk]), {"reason": ""})

    assert response.status_code == 400
    assert "This field is required." in field_errors(response.content.decode(), "id_reason")
    world.closed.refresh_from_db()
    assert world.closed.status == EpisodeStatus.CLOSED


@pytest.mark.django_db
def test_case_page__shows_the_history(client, world):
    case_services.assignment_set(
        actor=world.nurse, episode=world.episode, kind=AssignmentKind.CONTACT_PERSON, user=world.social_worker
    )
    client.force_login(world.nurse)

    body = client.get(reverse("cases:detail", args=[world.episode.pk])).content.decode()

    for label in ("Client relationship opened", "Service plan updated", "Meeting recorded", "Contact person named"):
        assert label in body
    assert world.client.masked_identity_code in body
    assert world.client.identity_code not in body


# ================================================================ the client's team


@pytest.mark.django_db
def test_team__contact_person_is_named_and_cannot_be_removed(client, world):
    client.force_login(world.nurse)
    url = reverse("cases:team", args=[world.episode.pk])

    named = client.post(
        url, {"op": "contact", "contact-kind": "contact_person", "contact-user": str(world.social_worker.pk)}
    )
    member = world.episode.members.get(user=world.social_worker, removed_at__isnull=True)
    removal = client.post(url, {"op": "remove", "member": str(member.pk)})

    assert named.status_code == 302
    assert removal.status_code == 400
    assert "Name another contact person or own worker before removing this professional." in removal.content.decode()
    member.refresh_from_db()
    assert member.removed_at is None


@pytest.mark.django_db
def test_team__another_organisations_user_cannot_be_added(client, world, outsider):
    client.force_login(world.nurse)

    response = client.post(reverse("cases:team", args=[world.episode.pk]), {"op": "add", "user": str(outsider.pk)})

    assert response.status_code == 400
    assert not world.episode.members.filter(user=outsider).exists()


# ================================================================ the plan editor


@pytest.mark.django_db
def test_plan_edit__concurrent_edit_second_save_is_refused_and_nothing_is_lost(client, nurse, physician, episode):
    url = reverse("plans:edit", args=[episode.pk])
    client.force_login(nurse)
    second = browser(physician)
    first_get, second_get = client.get(url), second.get(url)
    first_revision = input_value(first_get.content.decode(), "revision")
    second_revision = input_value(second_get.content.decode(), "revision")
    assert first_revision == second_revision == "0"

    saved = client.post(url, plan_payload(first_revision, goals=[{"description": "Työkokeilu kahvilassa"}]))
    refused = second.post(
        url,
        plan_payload(
            second_revision,
            goals=[{"description": "Ammatillinen kuntoutusselvitys", "domain": GoalDomain.WORK_CAPACITY}],
            summary="Lääkärin näkemys tilanteesta.",
        ),
    )

    assert saved.status_code == 302
    assert refused.status_code == 409
    body = refused.content.decode()
    assert "Someone else saved this plan while you were editing it." in html.unescape(body)
    assert input_value(body, "goals-0-description") == "Ammatillinen kuntoutusselvitys"
    assert "Lääkärin näkemys tilanteesta." in body
    assert "Työkokeilu kahvilassa" in body  # what the other person saved is shown for comparison
    plan = Plan.objects.get(episode=episode)
    assert plan.revision == 1
    assert list(plan.goals.values_list("description", flat=True)) == ["Työkokeilu kahvilassa"]

    # Saving again from the conflict page, deliberately, keeps both people's goals.
    again = second.post(
        url,
        plan_payload(
            input_value(body, "revision"),
            goals=[{"description": "Ammatillinen kuntoutusselvitys", "domain": GoalDomain.WORK_CAPACITY}],
            summary="Lääkärin näkemys tilanteesta.",
        ),
    )
    assert again.status_code == 302
    plan.refresh_from_db()
    assert plan.revision == 2
    assert sorted(plan.goals.values_list("description", flat=True)) == [
        "Ammatillinen kuntoutusselvitys",
        "Työkokeilu kahvilassa",
    ]


@pytest.mark.django_db
def test_plan_edit__actions_under_goals_and_agreement(client, world):
    client.force_login(world.nurse)
    url = reverse("plans:edit", args=[world.episode.pk])
    data = plan_payload(
        world.plan.revision,
        goals=[
            {
                "id": str(world.goal.pk),
                "domain": world.goal.domain,
                "description": world.goal.description,
                "actions": [
                    {
                        "id": str(world.action.pk),
                        "title": world.action.title,
                        "owner": str(world.nurse.pk),
                        "due_on": world.action.due_on.isoformat(),
                        "status": ActionStatus.DONE,
                    }
                ],
            },
            {
                "description": "Arki sujuu",
                "domain": GoalDomain.EVERYDAY_LIFE,
                "actions": [
                    {
                        "title": "Kotikäynti",
                        "owner": str(world.social_worker.pk),
                        "due_on": (today() + days(14)).isoformat(),
                    }
                ],
            },
        ],
        loose=[{"title": "Soita TE-palveluihin", "owner": str(world.physician.pk), "due_on": today().isoformat()}],
    )

    assert client.post(url, data).status_code == 302
    agreed = client.post(
        reverse("plans:agree", args=[world.episode.pk]),
        {"revision": str(world.plan.revision + 1), "agreed_on": today().isoformat(), "method": AgreementMethod.WRITTEN},
    )

    plan = Plan.objects.get(episode=world.episode)
    assert plan.revision == world.plan.revision + 1
    everyday = Goal.objects.get(plan=plan, domain=GoalDomain.EVERYDAY_LIFE)
    assert list(everyday.actions.values_list("title", "owner")) == [("Kotikäynti", world.social_worker.pk)]
    world.action.refresh_from_db()
    assert world.action.status == ActionStatus.DONE
    assert world.action.completed_at is not None
    assert Action.objects.get(plan=plan, goal__isnull=True).title == "Soita TE-palveluihin"
    assert agreed.status_code == 302
    assert plan.versions.get(number=plan.revision).agreement_method == AgreementMethod.WRITTEN


@pytest.mark.django_db
def test_plan_edit__actions_without_a_goal_text_are_refused(client, episode, nurse):
    client.force_login(nurse)

    response = client.post(
        reverse("plans:edit", args=[episode.pk]),
        plan_payload(
            0,
            goals=[
                {
                    "description": "",
                    "domain": GoalDomain.WORK_CAPACITY,  # the select's first option, as a browser sends it untouched
                    "actions": [{"title": "Jotain", "owner": str(nurse.pk), "due_on": today().isoformat()}],
                }
            ],
        ),
    )

    assert response.status_code == 400
    assert "Write the goal that these actions serve." in field_errors(
        response.content.decode(), "id_goals-0-description"
    )
    assert not Plan.objects.filter(episode=episode).exists()


@pytest.mark.django_db
def test_plan_agree__stale_revision_is_refused_with_a_message(client, world):
    client.force_login(world.nurse)

    response = client.post(
        reverse("plans:agree", args=[world.episode.pk]),
        {"revision": str(world.plan.revision - 1), "agreed_on": today().isoformat(), "method": "oral"},
        follow=True,
    )

    assert "The plan changed after you opened it." in html.unescape(response.content.decode())
    assert not world.plan.versions.filter(agreed_on__isnull=False).exists()


@pytest.mark.django_db
def test_action_status__next_must_stay_on_this_site(client, world):
    client.force_login(world.nurse)

    response = client.post(
        reverse("plans:action_status", args=[world.episode.pk, world.action.pk]),
        {"status": "done", "next": "https://evil.example/steal"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[world.episode.pk])


@pytest.mark.django_db
def test_action_status__action_of_another_episode_is_not_touched(client, world, nurse, team, satakunta):
    other = open_episode(nurse, team, satakunta)
    foreign_action = plan_services.action_create(
        actor=nurse, episode=other, title="Toisen asiakkaan tehtävä", owner=nurse, due_on=today()
    )
    client.force_login(world.nurse)

    client.post(reverse("plans:action_status", args=[world.episode.pk, foreign_action.pk]), {"status": "done"})

    foreign_action.refresh_from_db()
    assert foreign_action.status == ActionStatus.OPEN


# ================================================================ meetings and entries


@pytest.mark.django_db
def test_meeting_create__decision_with_owner_and_due_creates_an_action(client, world):
    case_services.case_member_add(actor=world.nurse, episode=world.episode, user=world.physician)
    client.force_login(world.nurse)
    due = today() + days(10)

    response = client.post(
        reverse("meetings:create", args=[world.episode.pk]),
        meeting_payload(
            [world.nurse, world.physician],
            decisions=[
                {"text": "Lääkäri tekee B-lausunnon", "owner": str(world.physician.pk), "due_on": due.isoformat()},
                {"text": "Asiakas miettii työkokeilupaikkaa"},
            ],
            kind=MeetingKind.JOINT,
            client_participated="on",
        ),
    )

    assert response.status_code == 302
    meeting = Meeting.objects.exclude(pk=world.meeting.pk).get()
    assert meeting.client_participated
    assert {str(p.user_id or p.name) for p in meeting.participants.all()} == {
        str(world.nurse.pk),
        str(world.physician.pk),
        "Maija Meikäläinen",
    }
    action = Action.objects.get(title="Lääkäri tekee B-lausunnon")
    assert (action.owner, action.due_on, action.source, action.status) == (
        world.physician,
        due,
        ActionSource.MEETING,
        ActionStatus.OPEN,
    )
    decisions = list(Decision.objects.filter(meeting=meeting).order_by("id"))
    assert [(d.text, d.action) for d in decisions] == [
        ("Lääkäri tekee B-lausunnon", action),
        ("Asiakas miettii työkokeilupaikkaa", None),
    ]


@pytest.mark.django_db
def test_meeting_create__decision_with_owner_but_no_due_date_is_400(client, world):
    client.force_login(world.nurse)

    response = client.post(
        reverse("meetings:create", args=[world.episode.pk]),
        meeting_payload([world.nurse], decisions=[{"text": "Puolikas päätös", "owner": str(world.physician.pk)}]),
    )

    assert response.status_code == 400
    assert "give both the responsible person and the due date" in response.content.decode()
    assert Meeting.objects.count() == 1
    assert not Action.objects.filter(title="Puolikas päätös").exists()


@pytest.mark.django_db
def test_meeting_create__joint_meeting_needs_the_client(client, world):
    client.force_login(world.nurse)

    response = client.post(
        reverse("meetings:create", args=[world.episode.pk]), meeting_payload([world.nurse], kind=MeetingKind.JOINT)
    )

    assert response.status_code == 400
    assert "tick that the client took part" in field_errors(response.content.decode(), "id_client_participated")


@pytest.mark.django_db
def test_meeting_create__closed_episode_is_404(client, world):
    client.force_login(world.nurse)

    assert client.get(reverse("meetings:create", args=[world.closed.pk])).status_code == 404


@pytest.mark.django_db
def test_meeting_detail__meeting_of_another_episode_is_404(client, world, nurse, team, satakunta):
    other = open_episode(nurse, team, satakunta)
    client.force_login(world.nurse)

    response = client.get(reverse("meetings:detail", args=[other.pk, world.meeting.pk]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_entry_create__empty_text_is_400_and_shown_on_the_case_page(client, world):
    client.force_login(world.nurse)

    response = client.post(
        reverse("entries:create", args=[world.episode.pk]),
        {"register": Register.HEALTH, "text": "", "ehr_reference": "Käynti 1.2."},
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in field_errors(body, "id_text")
    assert input_value(body, "ehr_reference") == "Käynti 1.2."
    assert not world.episode.entries.exists()


# ================================================================ caseload order


@pytest.mark.django_db
def test_caseload__next_due_first_and_overdue_on_top(client, nurse, team, satakunta):
    later = open_episode(nurse, team, satakunta)  # only the step, due in 14 days
    soon = open_episode(nurse, team, satakunta)
    plan_services.action_create(actor=nurse, episode=soon, title="Soita", owner=nurse, due_on=today() + days(3))
    action_overdue = open_episode(nurse, team, satakunta)
    plan_services.action_create(
        actor=nurse, episode=action_overdue, title="Lausunto", owner=nurse, due_on=today() - days(2)
    )
    TeamMembership.objects.filter(user=nurse).update(started_on=today() - days(365))
    with mock.patch("django.utils.timezone.localdate", return_value=today() - days(30)):
        step_overdue = open_episode(nurse, team, satakunta, consent_on=today() - days(31))  # step due 16 days ago
    for e in (later, soon, action_overdue, step_overdue):  # none is new: a first step is behind each
        StepRecord.objects.create(
            episode=e,
            step=e.current_step,
            status=StepStatus.COMPLETED,
            started_by=nurse,
            started_at=timezone.now() - days(40),
            ended_at=timezone.now() - days(35),
        )
    client.force_login(nurse)

    response = client.get(reverse("cases:caseload"))

    rows = response.context["rows"]
    assert [r.episode.pk for r in rows] == [step_overdue.pk, action_overdue.pk, soon.pk, later.pk]
    assert not any(r.is_new for r in rows)
    assert [r.overdue for r in rows] == [True, True, False, False]
    assert [r.is_step_next for r in rows] == [True, False, False, True]
    assert rows[1].next_title == "Lausunto"
    assert response.content.decode().count('class="is-overdue"') == 2


# ================================================================ query counts


def _fill(nurse, physician, social_worker, team, satakunta, n, start=0):
    """`n` episodes in every state the pages show: steps done, contact person, plan, meetings, entries."""
    made = []
    for i in range(start, start + n):
        episode = open_episode(nurse, team, satakunta)
        if i % 2 == 0:
            episode = case_services.episode_step_complete(
                actor=nurse, episode=episode, expected_step_id=episode.current_step_id, output="Tehty."
            )
        if i % 3 == 0:
            case_services.assignment_set(
                actor=nurse, episode=episode, kind=AssignmentKind.CONTACT_PERSON, user=social_worker if i % 2 else nurse
            )
        if i % 4 == 0:
            plan_services.plan_save(
                actor=nurse,
                episode=episode,
                expected_revision=0,
                summary="",
                next_review_on=None,
                goals=[
                    plan_services.GoalInput(
                        id=None,
                        domain=GoalDomain.EMPLOYMENT,
                        description=f"Tavoite {i}",
                        actions=[
                            plan_services.ActionInput(
                                id=None, title=f"Tehtävä {i}", owner=physician, due_on=today() + days(i % 9 - 3)
                            )
                        ],
                    )
                ],
                loose_actions=[],
            )
        if i % 5 == 0:
            meeting_services.meeting_record(
                actor=nurse,
                episode=episode,
                kind=MeetingKind.JOINT,
                client_participated=True,
                starts_at=timezone.now(),
                participants=[nurse, physician],
                decisions=[
                    meeting_services.DecisionInput(text=f"Päätös {i}", owner=physician, due_on=today() + days(5))
                ],
            )
        if i % 6 == 0:
            entry_services.entry_write(actor=nurse, episode=episode, register=Register.HEALTH, text=f"Kirjaus {i}")
        made.append(episode)
    return made


CASELOAD_QUERIES = 19  # session, user, the gate, the rows, the navigation, the log (chain head, one INSERT)


def _measure(client, url, log_inserts=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    if log_inserts is not None:  # the access-log rows go in as one COPY or multi-row INSERT (audit/chain.py)
        table = '"audit_personaldataaccess"'
        writes = [
            q["sql"] for q in ctx.captured_queries if q["sql"].startswith((f"INSERT INTO {table}", f"COPY {table}"))
        ]
        assert len(writes) == 1
        if writes[0].startswith("COPY"):
            assert writes[0].endswith(f"-- {log_inserts} rows")
        else:
            assert writes[0].count("), (") == log_inserts - 1
    return len(ctx.captured_queries), response


@pytest.mark.django_db
def test_caseload__same_number_of_queries_for_5_and_50_clients(
    client, django_assert_max_num_queries, nurse, physician, social_worker, team, satakunta
):
    url = reverse("cases:caseload")
    client.force_login(nurse)
    client.get(url)  # warm up: session, content types
    _fill(nurse, physician, social_worker, team, satakunta, 5)

    reads_before = PersonalDataAccess.objects.count()
    few, response = _measure(client, url, log_inserts=5)
    assert len(response.context["rows"]) == 5
    listed = list(PersonalDataAccess.objects.order_by("id")[reads_before:])
    assert len(listed) == 5
    assert {r.episode_id for r in listed} == {r.episode.pk for r in response.context["rows"]}
    assert {(r.view, r.action) for r in listed} == {("cases:caseload", AccessAction.LIST)}

    _fill(nurse, physician, social_worker, team, satakunta, 45, start=5)
    reads_before = PersonalDataAccess.objects.count()
    with django_assert_max_num_queries(few):
        many, response = _measure(client, url, log_inserts=50)

    assert len(response.context["rows"]) == 50
    assert many == few == CASELOAD_QUERIES
    assert list(chain.verify(PersonalDataAccess)) == []
    listed = list(PersonalDataAccess.objects.order_by("id")[reads_before:])
    assert len(listed) == 50
    assert len({r.episode_id for r in listed}) == 50
    assert {r.episode_id for r in listed} == {r.episode.pk for r in response.context["rows"]}


@pytest.mark.django_db
def test_case_page__same_number_of_queries_for_5_and_50_clients(
    client, django_assert_max_num_queries, nurse, physician, social_worker, team, satakunta
):
    (target, *_rest) = _fill(nurse, physician, social_worker, team, satakunta, 5)
    target.refresh_from_db()
    url = reverse("cases:detail", args=[target.pk])
    client.force_login(nurse)
    client.get(url)  # warm up

    reads_before = PersonalDataAccess.objects.count()
    few, _response = _measure(client, url)
    (row,) = PersonalDataAccess.objects.order_by("id")[reads_before:]
    assert (row.client_id, row.episode_id, row.view, row.action) == (
        target.client_id,
        target.pk,
        "cases:detail",
        "view",
    )

    # 45 more clients, and much more on this one: steps back and forth, team, plan, meetings, entries.
    _fill(nurse, physician, social_worker, team, satakunta, 45, start=5)
    first_step = StepRecord.objects.filter(episode=target).order_by("id").first().step
    target.refresh_from_db()
    target = case_services.episode_step_return(
        actor=nurse, episode=target, expected_step_id=target.current_step_id, to_step_id=first_step.pk, reason="Korjaus"
    )
    target = case_services.episode_step_complete(
        actor=nurse, episode=target, expected_step_id=target.current_step_id, output="Uudelleen."
    )
    case_services.case_member_add(actor=nurse, episode=target, user=physician)
    case_services.assignment_set(actor=nurse, episode=target, kind=AssignmentKind.CONTACT_PERSON, user=social_worker)
    case_services.assignment_set(actor=nurse, episode=target, kind=AssignmentKind.OWN_WORKER, user=social_worker)
    for i in range(4):
        plan_services.plan_save(
            actor=nurse,
            episode=target,
            expected_revision=Plan.objects.get(episode=target).revision,
            summary="",
            next_review_on=None,
            goals=[
                plan_services.GoalInput(
                    id=None,
                    domain=list(GoalDomain)[i],
                    description=f"Lisätavoite {i}",
                    actions=[
                        plan_services.ActionInput(
                            id=None, title=f"Lisätehtävä {i}", owner=social_worker, due_on=today()
                        )
                    ],
                )
            ],
            loose_actions=[
                plan_services.ActionInput(id=None, title=f"Irrallinen {i}", owner=physician, due_on=today())
            ],
        )
        meeting_services.meeting_record(
            actor=nurse,
            episode=target,
            kind=MeetingKind.NETWORK,
            starts_at=timezone.now(),
            participants=[nurse, physician, social_worker],
            outside_participants=[meeting_services.OutsideParticipant(name=f"Kumppani {i}", organisation="Kela")],
            decisions=[meeting_services.DecisionInput(text=f"Lisäpäätös {i}", owner=nurse, due_on=today())],
        )
        entry_services.entry_write(
            actor=social_worker, episode=target, register=Register.SHARED, text=f"Lisäkirjaus {i}"
        )
    target.refresh_from_db()
    assert target.current_step.order == 2  # the same step (and completion check) as before

    reads_before = PersonalDataAccess.objects.count()
    with django_assert_max_num_queries(few):
        many, response = _measure(client, url)

    assert many == few
    body = response.content.decode()
    assert "Lisätavoite 3" in body and "Lisäpäätös 3" in body and "Lisäkirjaus 3" in body
    (row,) = PersonalDataAccess.objects.order_by("id")[reads_before:]
    assert (row.client_id, row.episode_id) == (target.client_id, target.pk)


# ================================================================ forms as a browser submits them


def _submit(client, url, containing, **typed):
    """GET the page, take the form a browser would submit, type into some fields, POST it back."""
    page = client.get(url)
    assert page.status_code == 200
    action, data = browser_form(page.content.decode(), containing)
    for name, value in typed.items():
        data[name.replace("__", "-")] = value if isinstance(value, list) else [value]
    return client.post(action or url, data)


@pytest.mark.django_db
def test_roundtrip__plan_editor_saved_unchanged_except_the_summary(client, world):
    client.force_login(world.nurse)

    response = _submit(
        client, reverse("plans:edit", args=[world.episode.pk]), "goals-TOTAL_FORMS", summary="Uusi teksti"
    )

    assert response.status_code == 302, field_errors(response.content.decode(), "id_goals-1-description")
    plan = Plan.objects.get(episode=world.episode)
    assert plan.summary == "Uusi teksti"
    assert list(plan.goals.values_list("description", flat=True)) == ["Työkokeilu"]
    assert list(plan.actions.values_list("title", flat=True)) == ["Varaa aika"]


@pytest.mark.django_db
def test_roundtrip__first_goal_of_a_new_plan(client, nurse, episode):
    client.force_login(nurse)

    response = _submit(
        client,
        reverse("plans:edit", args=[episode.pk]),
        "goals-TOTAL_FORMS",
        goals__0__description="Työkokeilu",
        goals__0__domain=GoalDomain.EMPLOYMENT,
    )

    assert response.status_code == 302
    assert list(Goal.objects.filter(plan__episode=episode).values_list("domain", "description")) == [
        (GoalDomain.EMPLOYMENT, "Työkokeilu")
    ]


@pytest.mark.django_db
def test_roundtrip__meeting_with_the_prefilled_agenda_and_participants(client, world):
    client.force_login(world.nurse)

    response = _submit(client, reverse("meetings:create", args=[world.episode.pk]), "kind", minutes="Sovittiin.")

    assert response.status_code == 302
    meeting = Meeting.objects.exclude(pk=world.meeting.pk).get()
    assert meeting.agenda.startswith("1. ")
    assert [p.user for p in meeting.participants.all()] == [world.nurse]


@pytest.mark.django_db
def test_roundtrip__close_with_the_default_follow_ups(client, world):
    client.force_login(world.nurse)

    response = _submit(
        client,
        reverse("cases:close", args=[world.episode.pk]),
        "outcome",
        outcome=Outcome.SELF_EMPLOYED,
        follow_up_owner=str(world.nurse.pk),
        confirm_early="on",
    )

    assert response.status_code == 302
    world.episode.refresh_from_db()
    assert world.episode.outcome == Outcome.SELF_EMPLOYED
    assert world.episode.follow_ups.count() == 3  # 3, 6 and 12 months are ticked by default


@pytest.mark.django_db
def test_roundtrip__name_the_contact_person(client, world):
    client.force_login(world.nurse)

    response = _submit(
        client, reverse("cases:team", args=[world.episode.pk]), "contact-user", contact__user=str(world.physician.pk)
    )

    assert response.status_code == 302
    current = world.episode.assignments.get(ended_at__isnull=True)
    assert (current.kind, current.user) == (AssignmentKind.CONTACT_PERSON, world.physician)


@pytest.mark.django_db
def test_roundtrip__complete_the_step_and_write_an_entry(client, world):
    client.force_login(world.nurse)
    url = reverse("cases:detail", args=[world.episode.pk])

    stepped = _submit(client, url, "complete-output", complete__output="Tarve kirjattu.")
    entry = _submit(client, url, "register", text="Soitin asiakkaalle.")

    assert stepped.status_code == entry.status_code == 302
    world.episode.refresh_from_db()
    assert world.episode.current_step.order == 2
    assert world.episode.entries.get().register == Register.HEALTH  # a nurse's entry goes to the health register


@pytest.mark.django_db
def test_roundtrip__new_client_from_the_intake_page(client, nurse, team, satakunta):
    code = ClientFactory.build().identity_code
    client.force_login(nurse)

    response = _submit(
        client,
        reverse("cases:intake_new"),
        "cl-identity_code",
        cl__identity_code=code,
        cl__first_names="Tiina",
        cl__last_name="Testinen",
        ep__need_description="Tuen tarve.",
        ep__consent_given="on",
    )

    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Episode.objects.get().client.identity_code == code


@pytest.mark.django_db
def test_caseload_and_case_page__same_number_of_queries_for_5_and_500_episodes(
    client, nurse, physician, social_worker, team, satakunta
):
    """The issue's scale: 500 episodes in the nurse's caseload (the page shows the first 50)."""
    made = _fill(nurse, physician, social_worker, team, satakunta, 5)
    target = made[0]
    client.force_login(nurse)
    client.get(reverse("cases:caseload"))  # warm up: session, content types
    client.get(reverse("cases:detail", args=[target.pk]))  # and the per-process cache of pathway steps
    caseload_few, _ = _measure(client, reverse("cases:caseload"))
    case_few, _ = _measure(client, reverse("cases:detail", args=[target.pk]))

    for _ in range(495):
        open_episode(nurse, team, satakunta)
    assert Episode.objects.filter(members__user=nurse).count() == 500

    caseload_many, response = _measure(client, reverse("cases:caseload"))
    case_many, _ = _measure(client, reverse("cases:detail", args=[target.pk]))
    assert len(response.context["rows"]) == 50
    assert response.context["page"].paginator.count == 500
    assert (caseload_many, case_many) == (caseload_few, case_few)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["cases:detail", "cases:team", "cases:close", "plans:edit", "meetings:create"])
def test_pages__element_ids_are_unique(client, nurse, episode, url_name):
    """Labels point at ids: a duplicate id leaves a field without its label for screen readers."""
    import re
    from collections import Counter

    case_services.episode_step_complete(
        actor=nurse, episode=episode, expected_step_id=episode.current_step_id, output="Tehty."
    )  # from step 2 on, the case page has complete, skip and return forms
    client.force_login(nurse)
    html = client.get(reverse(url_name, args=[episode.pk])).content.decode()
    duplicates = [i for i, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1]
    assert duplicates == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target", ["0", "cases:caseload", "board", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", " /x"]
)
def test_action_status__next_that_is_no_path_here_goes_to_the_episode(client, world, target):
    """`redirect()` took a `next` without a slash as a view name: 500 (issue 9)."""
    client.force_login(world.nurse)

    response = client.post(
        reverse("plans:action_status", args=[world.episode.pk, world.action.pk]), {"status": "done", "next": target}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[world.episode.pk])


@pytest.mark.django_db
def test_action_status__next_on_this_site_is_followed(client, world):
    client.force_login(world.nurse)
    target = reverse("cases:detail", args=[world.episode.pk]) + "?tab=plan#plan"

    response = client.post(
        reverse("plans:action_status", args=[world.episode.pk, world.action.pk]), {"status": "done", "next": target}
    )

    assert response.status_code == 302 and response["Location"] == target
