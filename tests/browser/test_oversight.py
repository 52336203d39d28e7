"""The data protection officer in a real browser: reviews an emergency access with the keyboard only,
then finds a client by identity code and opens, prints and exports the client's access log report.
The identity code never appears in a requested URL; every page passes axe at 1280 and 375 px."""

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import axe_violations, login, shot
from tukipolku.audit.choices import AccessAction
from tukipolku.audit.models import PersonalDataAccess
from tukipolku.core.tests.factories import TeamFactory, UserFactory, member
from tukipolku.oversight.tests.helpers import log_rows, reviewer_group
from tukipolku.privacy import services as privacy_services
from tukipolku.privacy.choices import ReviewOutcome

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_accessible(page, name: str) -> None:
    violations = axe_violations(page)
    shot(page, name)
    assert violations == [], f"{name}: {violations}"


def both_widths(page, name: str) -> None:
    assert_accessible(page, f"{name}-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    assert_accessible(page, f"{name}-375")
    page.set_viewport_size({"width": 1280, "height": 900})


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab from the top of the page until the element matching `selector` has the focus."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


@pytest.fixture
def setting(org, episode, nurse):
    """An emergency access by a nurse of another team, the pages she opened, and the officer."""
    colleague = member(
        TeamFactory(organisation=org, name="Työkykytiimi B"),
        username="colleague",
        first_name="Kaisa",
        last_name="Kollega",
    )
    access = privacy_services.emergency_access_open(
        actor=colleague, client=episode.client, reason="Asiakas soitti päivystykseen, tarvitsen suunnitelman."
    )
    now = timezone.now()
    log_rows(colleague, episode.client_id, [now, now + datetime.timedelta(minutes=1)], flagged=True)
    log_rows(nurse, episode.client_id, [now - datetime.timedelta(days=3)])
    dpo = UserFactory(username="dpo", first_name="Tiina", last_name="Tietosuoja", profession="", organisation=org)
    dpo.groups.add(reviewer_group())
    return {"access": access, "colleague": colleague, "client": episode.client, "dpo": dpo}


def test_dpo_reviews_an_emergency_access_and_opens_a_log_report(page, setting):
    access, client = setting["access"], setting["client"]
    code = client.identity_code
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.add_init_script("window.print = function () { window.__printed = (window.__printed || 0) + 1; };")

    # The officer lands on the review queue.
    login(page, "dpo")
    assert page.url.endswith("/oversight/")
    assert page.get_by_role("heading", name="Review of exceptional accesses").is_visible()
    item = page.locator(".review-item").first
    assert "Kaisa Kollega" in item.inner_text()
    assert client.full_name in item.inner_text()
    assert "Asiakas soitti päivystykseen" in item.inner_text()
    both_widths(page, "oversight-01-review")

    # Review with the keyboard only: an outcome that needs a note, first without one.
    tab_to(page, f"select[name='e{access.pk}-outcome']")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == ReviewOutcome.QUESTIONABLE
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == f"e{access.pk}-note"
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    note = page.locator(f"textarea[name='e{access.pk}-note']")
    assert note.get_attribute("aria-invalid") == "true"
    assert "Write what needs to be clarified." in page.locator("div.field", has=note).inner_text()
    assert page.locator(f"select[name='e{access.pk}-outcome']").input_value() == ReviewOutcome.QUESTIONABLE
    assert_accessible(page, "oversight-02-review-error")

    # app.js moved the focus to the field with the error: write the note and send with Enter on the button.
    assert page.evaluate("document.activeElement.name") == f"e{access.pk}-note"
    page.keyboard.type("Kysytään esihenkilöltä, miksi tarvittiin.")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "The review is recorded." in page.content()
    assert "No emergency accesses await review." in page.content()
    access.refresh_from_db()
    assert access.review_outcome == ReviewOutcome.QUESTIONABLE

    # The client's log report: found by identity code, typed and sent with the keyboard.
    with page.expect_navigation():
        page.get_by_role("link", name="Log report").click()
    tab_to(page, "input[name='identity_code']")
    page.keyboard.type(code.lower())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name=client.full_name).is_visible()
    assert page.get_by_role("heading", name="Who viewed the data").is_visible()
    report = page.locator("table.report").first.inner_text()
    assert "Kollega" in report and "Case page: client relationship" in report
    assert "A refusal must be a written decision" in page.content()
    both_widths(page, "oversight-03-report")

    # An earlier start than 2 years needs a special reason: the field appears with the error.
    page.get_by_label("From").fill("1.1.2015")
    with page.expect_navigation():
        page.get_by_role("button", name="Show the period").click()
    reason = page.get_by_label("Special reason for logs older than 2 years")
    assert reason.is_visible()
    assert "write the special reason" in page.locator("div.field", has=reason).inner_text()
    assert page.get_by_label("From").input_value() == "1.1.2015"
    assert_accessible(page, "oversight-04-report-special-reason")
    reason.fill("Epäilty väärinkäyttö, asiakkaan kirjallinen pyyntö.")
    with page.expect_navigation():
        page.get_by_role("button", name="Show the period").click()
    assert "Report 1.1.2015" in page.locator("#report-heading").inner_text()

    # Print: a printable page that opens the print dialog; logged as a print.
    with page.expect_navigation():
        page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.__printed") == 1
    assert page.get_by_role("heading", name="Access log report").is_visible()
    assert_accessible(page, "oversight-05-report-print")
    page.emulate_media(media="print")
    shot(page, "oversight-06-report-as-printed")
    page.emulate_media(media="screen")
    with page.expect_navigation():
        page.get_by_role("link", name="Back to the report").click()

    # Export as CSV.
    with page.expect_download() as download:
        page.get_by_role("button", name="Export as CSV").click()
    assert download.value.suggested_filename.startswith(f"access-log-report-{client.pk}-")

    actions = list(
        PersonalDataAccess.objects.filter(user=setting["dpo"], client_id=client.pk, view="oversight:report")
        .values_list("action", flat=True)
        .distinct()
    )
    assert set(actions) == {AccessAction.SEARCH, AccessAction.VIEW, AccessAction.PRINT, AccessAction.EXPORT}
    assert urls
    assert not [u for u in urls if code.lower() in u.lower() or (code[:6] + code[7:]).lower() in u.lower()]
    assert page.dialogs == []


def test_dpo_searches_the_access_log(page, setting):
    client, colleague = setting["client"], setting["colleague"]
    code = client.identity_code
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    login(page, "dpo")

    with page.expect_navigation():
        page.get_by_role("link", name="Access log").click()
    assert "Choose the filters and press Show." in page.content()
    page.get_by_label("Client's personal identity code").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Find the client").click()
    assert page.url.endswith(f"/oversight/log/?client={client.pk}")
    assert client.full_name in page.locator(".client-line").inner_text()
    page.get_by_label("User").select_option(str(colleague.pk))
    page.get_by_label("Only reads flagged for review").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    rows = page.locator("table.log tbody tr")
    assert rows.count() == 2
    assert "flagged" in rows.first.inner_text()
    both_widths(page, "oversight-07-log")

    with page.expect_navigation():
        page.get_by_role("link", name="Disclosure log").click()
    assert "No rows match the filters." in page.content()
    assert_accessible(page, "oversight-08-disclosure-log")
    assert not [u for u in urls if code.lower() in u.lower() or (code[:6] + code[7:]).lower() in u.lower()]
