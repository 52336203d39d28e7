"""Follow-up after closing in a real browser: the nurse sees a follow-up due in her caseload, opens the
closed client's case page, records with the keyboard that the client is working, and the follow-up
leaves the due list. Every page passes axe (WCAG 2.1 AA) and has no horizontal scroll at 375 px."""

import datetime

import pytest
from django.utils import timezone

from conftest import open_episode
from tests.browser.conftest import axe_violations, login, shot
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import FollowUpSituation, FollowUpStatus, Outcome
from tukipolku.cases.models import Episode, FollowUp
from tukipolku.clients.tests.factories import ClientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = 375
FIRST, LAST = "Sylvikki", "Näkymätön"


def check_page(page, name: str) -> None:
    """No axe violation at 1280 px; no horizontal scrolling at 375 px; both widths photographed."""
    violations = axe_violations(page)
    shot(page, f"followup-{name}")
    assert violations == [], f"{name}: {violations}"
    size = page.viewport_size
    page.set_viewport_size({"width": NARROW, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, f"followup-{name}-{NARROW}")
    page.set_viewport_size(size)
    assert width <= NARROW, f"{name}: {width} px wide at {NARROW} px"


@pytest.fixture
def closed(nurse, team, satakunta):
    """A relationship that closed about three months ago with follow-ups at 3, 6 and 12 months."""
    nurse.first_name, nurse.last_name = "Noora", "Hoitaja"
    nurse.save()
    episode = open_episode(nurse, team, satakunta, client=ClientFactory(first_names=FIRST, last_name=LAST))
    today = timezone.localdate()
    case_services.episode_close(
        confirm_early=True,
        actor=nurse,
        episode=episode,
        outcome=Outcome.STUDIES,
        outcome_on=today,
        outcome_detail="Datanomin opinnot",
        follow_ups=[(today + datetime.timedelta(days=30 * m), nurse) for m in (3, 6, 12)],
    )
    shift = datetime.timedelta(days=95)  # closed 95 days ago: the 3-month follow-up is overdue
    Episode.objects.filter(pk=episode.pk).update(outcome_on=today - shift)
    for f in FollowUp.objects.filter(episode=episode):
        FollowUp.objects.filter(pk=f.pk).update(due_on=f.due_on - shift)
    return episode


def test_nurse_records_a_follow_up_due_in_her_caseload(page, closed, nurse):
    login(page, "nurse")
    page.goto("/caseload/")
    due = page.locator("section.follow-ups-due")
    assert due.get_by_role("heading", name="Follow-ups after closing").is_visible()
    row = due.locator("tbody tr")
    assert row.count() == 1
    assert f"{FIRST} {LAST}" in row.inner_text() or LAST in row.inner_text()
    assert "Follow-up due" in row.inner_text() and "Overdue" in row.inner_text()
    check_page(page, "caseload")

    # The client's name opens the closed case page; it offers recording the follow-up.
    row.get_by_role("link", name=LAST, exact=False).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Closed").is_visible()
    check_page(page, "case-page")
    page.get_by_role("link", name="Record the follow-up").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Follow-up after closing").is_visible()
    check_page(page, "form")

    # Saving without a situation tells what is missing, next to the field.
    page.get_by_role("button", name="Save the follow-up").click()
    page.wait_for_load_state()
    assert page.get_by_text("Choose the client's situation.").is_visible()
    check_page(page, "form-error")

    # With the keyboard: choose "working", write a note, send the form with Enter.
    page.get_by_label("Working in the open labour market").focus()
    page.keyboard.press("Space")
    page.get_by_label("Note").fill("Kesätyö IT-tuessa, jatkuu syksyllä.")
    page.get_by_label("Note").press("Enter")
    page.wait_for_load_state()
    assert page.get_by_text("The follow-up is recorded.").is_visible()
    assert "Working in the open labour market" in page.locator("ul.follow-ups").inner_text()

    follow_up = FollowUp.objects.filter(episode=closed).order_by("due_on").first()
    assert (follow_up.status, follow_up.situation) == (FollowUpStatus.DONE, FollowUpSituation.WORKING)

    page.goto("/caseload/")
    assert page.locator("section.follow-ups-due").count() == 0
    check_page(page, "caseload-after")
