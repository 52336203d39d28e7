"""Escorted handovers in a real browser: (b) occupational health opens a handover, records the
preparatory meeting and the transfer meeting, and the receiving nurse accepts it and lands on the new
case page; (c) a handover nobody accepts escalates to the team manager after the set days. Every page
is checked with axe (WCAG 2.1 AA) and at 375 px without horizontal scrolling."""

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import axe_violations, login, shot
from tukipolku.clients.tests.factories import make_identity_code
from tukipolku.core.choices import OrganisationKind, Profession, TeamRole
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory, member
from tukipolku.handovers.models import Handover
from tukipolku.handovers.services import pathway_default
from tukipolku.handovers.tests.factories import open_handover
from tukipolku.notifications.choices import NotificationKind
from tukipolku.notifications.models import Notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = 375


def check_page(page, name: str) -> None:
    """No axe violation, no horizontal scrolling at 375 px; both widths photographed."""
    violations = axe_violations(page)
    shot(page, f"handovers-{name}")
    assert violations == [], f"{name}: {violations}"
    size = page.viewport_size
    page.set_viewport_size({"width": NARROW, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, f"handovers-{name}-{NARROW}")
    narrow = axe_violations(page)
    page.set_viewport_size(size)
    assert width <= NARROW, f"{name}: {width} px wide at {NARROW} px"
    assert narrow == [], f"{name} at {NARROW} px: {narrow}"


def switch_user(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)


def d(days_ago: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days_ago)).strftime("%-d.%-m.%Y")


@pytest.fixture
def world(team, satakunta):
    oh = OrganisationFactory(name="Työterveys Satama Oy", kind=OrganisationKind.OCCUPATIONAL_HEALTH)
    return {
        "team": team,
        "sender": UserFactory(
            username="occupational",
            profession=Profession.OCCUPATIONAL_HEALTH,
            organisation=oh,
            first_name="Outi",
            last_name="Kallio",
            title="Työkykykoordinaattori",
        ),
        "nurse": member(team, username="nurse", first_name="Sanna", last_name="Lehtinen"),
        "manager": member(
            team,
            profession=Profession.TEAM_MANAGER,
            role=TeamRole.MANAGER,
            username="manager",
            first_name="Kari",
            last_name="Salminen",
        ),
    }


def test_escorted_handover_from_occupational_health_to_the_team(page, world):
    code = make_identity_code(datetime.date(1971, 3, 8), 952)
    login(page, "occupational")

    # The sending side's list: empty, with the one action to take.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Escorted handovers").click()
    assert "You have not sent any handovers yet." in page.content()
    check_page(page, "01-sent-empty")
    page.get_by_role("link", name="Open a handover").click()

    # Open: the person, the reason, the sending contact person (themselves) and the consent.
    page.get_by_label("Personal identity code").fill(code.lower())
    page.get_by_label("First names").fill("Jari Ilmari")
    page.get_by_label("Last name").fill("Siirtola")
    page.get_by_label("Phone").fill("040 000 0000")
    page.get_by_label("Receiving work ability team").select_option(
        label=f"{world['team'].name} – {world['team'].organisation.name}"
    )
    page.get_by_label("Employment ends on work-ability grounds").check()
    page.get_by_label("Background").fill("No suitable work found after back surgery; employment ends 31.5.")
    assert page.get_by_label("Sending contact person:").input_value() == str(world["sender"].pk)
    check_page(page, "02-open-form")
    page.get_by_role("button", name="Open the handover").click()
    page.wait_for_load_state()
    # The agreement is required: the error is next to the field and what was typed stays.
    assert "The person's agreement is needed" in page.content()
    assert page.get_by_label("Last name").input_value() == "Siirtola"
    page.get_by_label("The person agreed to the escorted handover").check()
    page.get_by_label("In writing").check()
    page.get_by_label("The person also agreed that the sending contact person may follow the shared plan").check()
    page.get_by_role("button", name="Open the handover").click()
    page.wait_for_load_state()
    assert code not in page.url and code.lower() not in page.url
    assert "Next: record the preparatory meeting." in page.content()
    check_page(page, "03-detail-opened")

    # The preparatory meeting: checkboxes dated by the meeting (today unless changed), the agreed time and place.
    page.get_by_role("link", name="Record the preparatory meeting").click()
    assert page.get_by_label("Preparatory meeting held on").input_value() == d(0)
    page.get_by_label("Preparatory meeting held on").fill(d(3))
    for item in (
        "Agenda agreed",
        "Health information collected",
        "Information on rehabilitation so far collected",
        "Statement on work and functional capacity collected",
        "The team's public health nurse invited",
        "Employment services' work ability coordinator invited",
        "Time and place of the transfer meeting agreed",
    ):
        page.get_by_label(item).check()
    agreed = timezone.localtime() - datetime.timedelta(hours=1)
    page.get_by_label("Transfer meeting date and time").fill(agreed.strftime("%-d.%-m.%Y %H:%M"))
    page.get_by_label("Transfer meeting place").fill("Terveysasema, neuvotteluhuone 2")
    check_page(page, "04-prep-form")
    page.get_by_role("button", name="Save the preparatory meeting").click()
    page.wait_for_load_state()
    assert "7 of 7 checklist items done." in page.content()

    # The transfer meeting: the person's view first, the topics, WAS, the receiving side, job search.
    page.get_by_role("link", name="Record the transfer meeting").click()
    assert page.get_by_label("Place:", exact=True).input_value() == "Terveysasema, neuvotteluhuone 2"
    page.get_by_label("Participants").fill("Jari Siirtola\nOuti Kallio, työterveys\nSanna Lehtinen, tiimi")
    page.get_by_label("The person's own view").fill("I want to try lighter work, part-time at first.")
    page.get_by_label("Readiness to return to work").fill("Ready for part-time work in two months.")
    page.get_by_label("Own assessment of work ability").fill("Lifting is hard, otherwise fine.")
    page.get_by_label("Work ability score (0–10)").fill("11")
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    page.get_by_label("Date and time").fill(tomorrow.strftime("%-d.%-m.%Y %H:%M"))
    page.get_by_label("Resources and limitations").fill("Motivated; no heavy lifting.")
    page.get_by_label("Skills, education and work experience").fill("Warehouse work 20 years, forklift licence.")
    page.get_by_label("Receiving nurse").select_option(label="Sanna Lehtinen")
    page.get_by_label("Service area").fill("Pori north")
    page.get_by_label("Started at the transfer meeting").check()
    page.get_by_label("Other help secured").fill("Kela rehabilitation allowance application.")
    page.get_by_role("button", name="Save the transfer meeting").click()
    page.wait_for_load_state()
    assert "The work ability score is a whole number from 0 to 10." in page.content()
    assert "The transfer meeting is still ahead" in page.content()
    assert page.get_by_label("Readiness to return to work").input_value() == "Ready for part-time work in two months."
    check_page(page, "05-transfer-form-error")
    page.get_by_label("Work ability score (0–10)").fill("6")
    page.get_by_label("Date and time").fill(agreed.strftime("%-d.%-m.%Y %H:%M"))
    page.get_by_role("button", name="Save the transfer meeting").click()
    page.wait_for_load_state()
    assert "6 / 10" in page.content()
    assert "Waiting for the receiving team to accept the handover." in page.content()
    check_page(page, "06-detail-waiting")

    # The receiving nurse sees it among the incoming handovers and accepts it with the keyboard.
    switch_user(page, "nurse")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Escorted handovers").click()
    assert "Waiting for acceptance" in page.content()
    check_page(page, "07-incoming-list")
    page.get_by_role("link", name="Siirtola Jari Ilmari").click()
    check_page(page, "08-detail-to-accept")
    accept = page.get_by_role("button", name="Accept the handover")
    accept.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()

    # The case page of the new episode on the escorted handover pathway.
    assert page.get_by_role("heading", name="Siirtola Jari Ilmari").is_visible()
    assert "The handover is accepted and the client relationship is open." in page.content()
    handover = Handover.objects.get()
    pathway = pathway_default(handover=handover)
    assert pathway is not None
    assert pathway.name_en in page.content()
    section = page.locator("section#handover")
    assert section.get_by_role("heading", name="Escorted handover").is_visible()
    assert "Warehouse work 20 years" in section.inner_text()
    check_page(page, "09-case-page")
    handover = Handover.objects.get()
    assert handover.episode is not None and handover.episode.pathway_version.pathway == pathway
    assert handover.episode.assignments.get(ended_at__isnull=True, kind="contact_person").user == world["nurse"]

    # The sending side sees it accepted, and is told.
    switch_user(page, "occupational")
    page.goto("/handovers/")
    assert "Accepted" in page.locator("table").inner_text()
    assert Notification.objects.filter(recipient=world["sender"], kind=NotificationKind.HANDOVER_ACCEPTED).exists()


def test_unaccepted_handover_escalates_to_the_team_manager(page, world, settings):
    from tukipolku.sweep.services import run_sweep

    days = settings.TUKIPOLKU_HANDOVER_ESCALATION_DAYS
    handover = open_handover(world["sender"], world["team"], first_names="Ella", last_name="Odottaja")
    # Time moves: the handover was opened the set days and one more ago, and nobody accepted it.
    Handover.objects.filter(pk=handover.pk).update(opened_at=timezone.now() - datetime.timedelta(days=days + 1))
    result = run_sweep()
    assert result.counts.get("handovers") == 1 and "handovers" not in result.errors
    run_sweep()  # a rerun tells nobody twice
    assert Notification.objects.filter(kind=NotificationKind.HANDOVER_NOT_ACCEPTED).count() == 1

    login(page, "manager")
    nav = page.get_by_role("navigation", name="Main")
    assert "2 unread" in nav.inner_text()  # the handover was opened to the team, and then not accepted
    nav.locator("a.nav-notifications").click()
    assert "An escorted handover has not been accepted in time" in page.content()
    page.get_by_role("button", name="An escorted handover has not been accepted in time").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/handovers/{handover.pk}/")
    assert "Not accepted in time: the team manager was told" in page.content()
    check_page(page, "10-escalated-detail")

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Escorted handovers").click()
    row = page.locator("tr", has_text="Odottaja Ella")
    assert "Escalated to the manager" in row.inner_text()
    assert f"{days + 1} days" in row.inner_text()
    check_page(page, "11-escalated-list")
