"""Intake from anywhere in a real browser (issue 4, journey a): an employment-services coordinator
sends a notification of need, the team's public health nurse accepts it on the Satakunta pathway and
lands on the new case page, and the coordinator sees it accepted. Then a declined notification and its
reason on the sender's side. Every page passes axe at 1280 px and has no horizontal scroll at 375 px;
the consent is given and the form sent with the keyboard; no identity code ever appears in a URL."""

import datetime

import pytest

from tests.browser.conftest import axe_violations, login, shot
from tukipolku.clients.tests.factories import make_identity_code
from tukipolku.intake.tests.factories import partner_user, send_need

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONSENT = "The client consented to passing this notification on to the team"


def assert_accessible(page, name: str) -> None:
    violations = axe_violations(page)
    shot(page, f"intake-{name}")
    assert violations == [], f"{name}: {violations}"


def assert_fits_375(page, name: str) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    shot(page, f"intake-{name}-375")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert overflow <= 0, f"{name}: {overflow}px of horizontal scroll at 375 px"


def logout(page) -> None:
    page.get_by_role("button", name="Log out", exact=True).first.click()
    page.wait_for_load_state()


@pytest.fixture
def coordinator(db):
    return partner_user(username="employment", first_name="Antti", last_name="Työllisyys")


def test_coordinator_sends_nurse_accepts_coordinator_sees_it(page, coordinator, team, nurse, satakunta):
    code = make_identity_code(datetime.date(1979, 11, 23), 957)
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))

    login(page, "employment")
    page.get_by_role("link", name="Send a notification of need").first.click()
    page.wait_for_load_state()
    assert_accessible(page, "01-send-form")
    assert_fits_375(page, "01-send-form")

    page.get_by_label("Work ability support team").select_option(str(team.pk))
    page.get_by_label("Personal identity code").fill(code.lower())
    page.get_by_label("First names").fill("Aino Maria")
    page.get_by_label("Last name").fill("Testinen")
    page.get_by_label("Unemployment threatens to become long").check()
    page.get_by_label("Repeated sick leave").check()
    page.get_by_label("What has been done already").fill("Two work trials, both ended by back pain.")
    page.get_by_label("The need for support in your words").fill("Unemployed for 14 months, back pain, low mood.")
    page.get_by_label("How the client consented").select_option("oral")
    # First without the consent: the error is next to the field and what was typed stays.
    page.get_by_role("button", name="Send the notification").click()
    page.wait_for_load_state()
    consent_field = page.locator(".field.has-error", has=page.get_by_label(CONSENT))
    assert "consent is needed" in consent_field.inner_text()
    assert page.get_by_label("Last name").input_value() == "Testinen"
    assert page.get_by_label("Personal identity code").input_value() == code.lower()  # as typed
    assert page.get_by_label("Repeated sick leave").is_checked()
    assert_accessible(page, "02-send-error")

    # Give the consent and send with the keyboard.
    page.get_by_label(CONSENT).focus()
    page.keyboard.press("Space")
    assert page.get_by_label(CONSENT).is_checked()
    page.get_by_role("button", name="Send the notification").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/need/sent/")
    assert page.get_by_role("heading", name="Sent notifications").is_visible()
    assert "Testinen Aino Maria" in page.content()
    assert "Waiting for the team" in page.content()
    assert_accessible(page, "03-sent-waiting")
    assert_fits_375(page, "03-sent-waiting")
    logout(page)

    # The nurse sees it in the queue, opens it and accepts it on the Satakunta pathway.
    login(page, "nurse")
    queue_link = page.get_by_role("link", name="Intake queue")
    assert "1 waiting" in queue_link.first.inner_text()
    queue_link.first.click()
    page.wait_for_load_state()
    assert_accessible(page, "04-queue")
    assert_fits_375(page, "04-queue")
    page.get_by_role("link", name="Testinen Aino Maria").click()
    page.wait_for_load_state()
    assert "Unemployed for 14 months" in page.content()
    assert "Two work trials" in page.content()
    assert code not in page.content()  # masked
    assert_accessible(page, "05-detail")
    assert_fits_375(page, "05-detail")
    page.get_by_label("Operating model").select_option(str(satakunta.pk))
    page.get_by_role("button", name="Accept and open a client relationship").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Testinen Aino Maria").is_visible()
    assert "/episodes/" in page.url
    assert "Now: step 1 of 9" in page.content()
    assert page.get_by_role("heading", name="Where the client came from").is_visible()
    assert "Notification of need from Antti Työllisyys" in page.content()
    assert_accessible(page, "06-case-page")
    logout(page)

    # The coordinator sees it accepted.
    login(page, "employment")
    page.get_by_role("link", name="Sent notifications").first.click()
    page.wait_for_load_state()
    row = page.get_by_role("row", name="Testinen Aino Maria")
    assert "Accepted" in row.inner_text()
    assert_accessible(page, "07-sent-accepted")

    assert page.dialogs == []
    assert not [u for u in urls if code in u.upper()], "identity code in a URL"


def test_declined_notification_reason_reaches_the_sender(page, coordinator, team, nurse):
    send_need(coordinator, team, first_names="Eino", last_name="Ei-Meille")

    login(page, "nurse")
    page.goto("/need/queue/")
    page.get_by_role("link", name="Ei-Meille Eino").click()
    page.wait_for_load_state()
    # Declining without a reason is refused next to the field.
    page.get_by_role("button", name="Decline the notification").click()
    page.wait_for_load_state()
    assert "Write the reason: the sender sees it." in page.content()
    assert_accessible(page, "08-decline-error")
    page.get_by_label("Reason for declining").fill("Already in mental health services: contact them first.")
    page.get_by_role("button", name="Decline the notification").click()
    page.wait_for_load_state()
    assert "Declined. The sender sees your reason." in page.content()
    assert "Recently decided" in page.content()
    logout(page)

    login(page, "employment")
    page.goto("/need/sent/")
    row = page.get_by_role("row", name="Ei-Meille Eino")
    assert "Declined" in row.inner_text()
    assert "Already in mental health services" in row.inner_text()
    row.get_by_role("link").click()
    page.wait_for_load_state()
    assert "The team's reason:" in page.content()
    assert_accessible(page, "09-sent-declined-detail")
