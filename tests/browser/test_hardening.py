"""Hardening seen from a real browser: the Content-Security-Policy is never violated by our own pages or
the Django admin, and script payloads stored in client data never run (research/reliability.md §5.3).

CSP violations are collected twice: the `securitypolicyviolation` DOM event (an init script reports
each one to the test through an exposed function, so none is lost on navigation) and Chromium's
console messages ("Refused to ... Content Security Policy").
"""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from conftest import open_episode
from tests.browser.conftest import login
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.entries import services as entry_services
from tukipolku.entries.choices import Register
from tukipolku.meetings import services as meeting_services
from tukipolku.meetings.choices import MeetingKind
from tukipolku.pathways.models import PathwayVersion
from tukipolku.plans import services as plan_services
from tukipolku.plans.choices import GoalDomain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolation({
    page: document.location.pathname, directive: e.violatedDirective, blocked: e.blockedURI,
    sample: e.sample, source: e.sourceFile, line: e.lineNumber,
  });
});
"""


def watch(page) -> SimpleNamespace:
    """Start collecting CSP violations, CSP console messages and uncaught script errors of `page`."""
    seen = SimpleNamespace(violations=[], console=[], errors=[])
    page.expose_function("__cspViolation", lambda violation: seen.violations.append(violation))
    page.add_init_script(REPORT_VIOLATIONS)

    def on_console(message) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            seen.console.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    return seen


def visit(page, url: str) -> None:
    """Open `url`, let late violation events arrive, and check the page got the policy header."""
    response = page.goto(url)
    assert response is not None and response.ok, (url, response and response.status)
    assert page.url.endswith(url), (url, page.url)  # the page itself, not a redirect to somewhere else
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy, (url, policy)
    page.wait_for_load_state("networkidle")
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 50))")


def assert_clean(seen: SimpleNamespace) -> None:
    assert seen.violations == []
    assert seen.console == []
    assert seen.errors == []


@pytest.fixture
def meeting(episode, nurse):
    return meeting_services.meeting_record(
        actor=nurse,
        episode=episode,
        kind=MeetingKind.TEAM,
        starts_at=timezone.now(),
        participants=[nurse],
        minutes="Sovittiin jatkosta.",
        decisions=[meeting_services.DecisionInput(text="Varaa aika", owner=nurse, due_on=timezone.localdate())],
    )


# ------------------------------------------------------------------ the policy holds on every page


def test_csp__the_watcher_sees_a_violation(page, nurse):
    """Control: an inline style attribute inserted into the page is reported, so silence below means something."""
    seen = watch(page)
    visit(page, "/login/")

    page.evaluate("() => document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_timeout(200)

    assert [v["directive"] for v in seen.violations] == ["style-src-attr"]
    assert any("Content Security Policy" in m for m in seen.console)


def test_csp__no_violation_on_the_professionals_pages(page, nurse, episode, meeting):
    seen = watch(page)
    visit(page, "/login/")
    login(page, "nurse")
    pages = [
        "/caseload/",
        "/board/",
        "/intake/",
        f"/episodes/{episode.pk}/",
        f"/episodes/{episode.pk}/team/",
        f"/episodes/{episode.pk}/plan/",
        f"/episodes/{episode.pk}/meetings/new/",
        f"/episodes/{episode.pk}/meetings/{meeting.pk}/",
        f"/episodes/{episode.pk}/close/",
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",  # the QR code is an <img> with a data: URI (img-src allows data:)
        "/accounts/sessions/",
    ]
    for url in pages:
        visit(page, url)
        # htmx is loaded, and its indicator style comes from app.css, not from an injected <style>.
        assert page.evaluate("() => typeof htmx === 'object' && htmx.config.includeIndicatorStyles === false"), url
        assert page.locator("style").count() == 0, url

    # A form post and its re-rendered errors (the intake search) stay within the policy too.
    visit(page, "/intake/")
    page.get_by_label("Identity code or name").fill("010190-999X")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_q_error").is_visible()

    assert_clean(seen)
    assert page.dialogs == []


def test_csp__no_violation_in_the_admin(page, admin_user, satakunta):
    """Django 5.2's admin uses only static scripts: its index, lists and forms work under the policy."""
    version = PathwayVersion.objects.filter(pathway=satakunta).order_by("number").first()
    seen = watch(page)
    login(page, "admin")
    for url in [
        "/admin/",
        "/admin/pathways/pathway/",
        f"/admin/pathways/pathway/{satakunta.pk}/change/",
        f"/admin/pathways/pathwayversion/{version.pk}/change/",
        "/admin/core/user/",
        "/admin/core/user/add/",
        "/admin/core/team/add/",
    ]:
        visit(page, url)
    # The admin's own scripts ran: the change list's select-all box works.
    visit(page, "/admin/core/user/")
    page.locator("#action-toggle").check()
    assert page.locator("input[name=_selected_action]:checked").count() >= 1

    assert_clean(seen)
    assert page.dialogs == []


# ------------------------------------------------------------------ stored payloads never run


PAYLOAD_NAME = '<img src=x onerror=alert("first-names")>'
PAYLOAD_LAST = '<script>alert("last-name")</script>'
PAYLOAD_GOAL = '"><svg onload=alert("goal")>'
PAYLOAD_ENTRY = '<img src=x onerror=alert("entry")>'


@pytest.fixture
def poisoned(nurse, team, satakunta):
    """A client whose name, need, plan and entry are script payloads, stored through the services."""
    episode = open_episode(
        nurse,
        team,
        satakunta,
        client=ClientFactory(first_names=PAYLOAD_NAME, last_name=PAYLOAD_LAST),
        need_description='<script>alert("need")</script>',
    )
    plan_services.plan_save(
        actor=nurse,
        episode=episode,
        expected_revision=0,
        summary="<iframe src=javascript:alert('summary')>",
        next_review_on=None,
        goals=[
            plan_services.GoalInput(
                id=None,
                domain=GoalDomain.WORK_CAPACITY,
                description=PAYLOAD_GOAL,
                client_wording="{{7*7}}",
                actions=[
                    plan_services.ActionInput(
                        id=None,
                        title="<img src=x onerror=alert('action')>",
                        owner=nurse,
                        due_on=timezone.localdate() + datetime.timedelta(days=3),
                    )
                ],
            )
        ],
        loose_actions=[],
    )
    entry_services.entry_write(
        actor=nurse, episode=episode, register=Register.SHARED, text=PAYLOAD_ENTRY, ehr_reference="javascript:alert(1)"
    )
    return episode


def _look_at_the_client(page, episode) -> None:
    login(page, "nurse")
    for url in ["/caseload/", f"/episodes/{episode.pk}/", f"/episodes/{episode.pk}/plan/", "/board/"]:
        visit(page, url)
    visit(page, f"/episodes/{episode.pk}/")


def test_payloads__no_dialog_and_no_violation_under_the_policy(page, poisoned):
    seen = watch(page)

    _look_at_the_client(page, poisoned)

    assert page.dialogs == []
    assert_clean(seen)  # nothing even tried to run: the payloads were text, not markup
    heading = page.get_by_role("heading", level=1).first.inner_text()
    assert PAYLOAD_LAST in heading and PAYLOAD_NAME in heading  # shown to the user as typed
    assert page.get_by_text(PAYLOAD_ENTRY).count() >= 1
    assert page.locator("img, svg, iframe").count() == 0


def test_payloads__no_dialog_even_with_the_policy_bypassed(browser, live_server, poisoned):
    """Escaping alone keeps the payloads inert: the same pages in a browser that ignores the CSP."""
    context = browser.new_context(locale="en-GB", base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(15000)
    try:
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

        _look_at_the_client(page, poisoned)

        assert dialogs == []
        assert page.locator("img, svg, iframe").count() == 0
        assert "{{7*7}}" in page.content()
    finally:
        context.close()
