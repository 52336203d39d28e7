"""Referrals out in a real browser: a nurse refers a client to employment services with the shared plan
(the client's consent in place), the employment services coordinator marks it received and then done,
and the nurse sees the status; an overdue referral is marked on the caseload and the case page. Every
page is checked with axe (WCAG 2.1 AA) and at 375 px without horizontal scrolling, and photographed."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import axe_violations, login, shot
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import AssignmentKind
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory
from tukipolku.privacy.choices import DataCategory, Purpose
from tukipolku.privacy.tests.helpers import consent_for
from tukipolku.referrals import services as referral_services
from tukipolku.referrals.models import Referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = 375
REASON = "Työnhaun tuki: asiakas toivoo osa-aikatyötä varastolta."


def check_page(page, name: str) -> None:
    violations = axe_violations(page)
    shot(page, f"referrals-{name}")
    assert violations == [], f"{name}: {violations}"
    size = page.viewport_size
    page.set_viewport_size({"width": NARROW, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, f"referrals-{name}-{NARROW}")
    narrow = axe_violations(page)
    page.set_viewport_size(size)
    assert width <= NARROW, f"{name}: {width} px wide at {NARROW} px"
    assert narrow == [], f"{name} at {NARROW} px: {narrow}"


def switch_user(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)


def tab_to(page, locator, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


@pytest.fixture
def employment_services(db):
    return OrganisationFactory(name="Porin työllisyyspalvelut", kind=OrganisationKind.EMPLOYMENT_SERVICES)


@pytest.fixture
def coordinator(employment_services):
    return UserFactory(
        username="employment",
        first_name="Eeva",
        last_name="Työllinen",
        profession=Profession.EMPLOYMENT_COORDINATOR,
        organisation=employment_services,
    )


def test_referral_to_employment_services__sent_received_done(page, nurse, episode, employment_services, coordinator):
    consent_for(
        episode,
        nurse,
        [DataCategory.SHARED_PLAN, DataCategory.EMPLOYMENT],
        recipient=employment_services,
        purpose=Purpose.EMPLOYMENT,
    )
    client_name = episode.client.full_name

    # The nurse finds the referrals section on the case page, empty, with what to do.
    login(page, "nurse")
    page.goto(f"/episodes/{episode.pk}/")
    section = page.locator("section#referrals")
    assert "No referrals yet." in section.inner_text()
    section.get_by_role("link", name="New referral").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="New referral").is_visible()

    page.get_by_label("Kind of referral").select_option(label="Employment services")
    page.get_by_label("Recipient organisation:", exact=True).select_option(
        label=f"{employment_services.name} (Municipal employment services)"
    )
    # htmx replaces the categories with what the consent allows for the organisation.
    health = page.get_by_label("Health care data – no consent")
    health.wait_for()
    assert health.is_disabled()
    page.get_by_label("Shared plan and coordination").check()
    page.get_by_label("Reason").fill(REASON)
    due = timezone.localdate() + datetime.timedelta(days=10)
    page.get_by_label("Due").fill(f"{due.day}.{due.month}.{due.year}")
    check_page(page, "new")

    send = page.get_by_role("button", name="Send the referral")
    tab_to(page, send)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "The referral is sent." in page.content()
    row = page.locator("section#referrals tbody tr")
    assert "Sent" in row.inner_text() and employment_services.name in row.inner_text()
    check_page(page, "case-section")

    # The coordinator of employment services sees it among the referrals to the organisation.
    switch_user(page, "employment")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals to your organisation").click()
    page.wait_for_load_state()
    assert client_name in page.locator("table").inner_text()
    check_page(page, "received-list")
    page.get_by_role("link", name=client_name).click()
    page.wait_for_load_state()
    assert REASON in page.content()
    check_page(page, "received-detail")

    page.get_by_label("Received", exact=True).check()
    page.get_by_role("button", name="Save the status").click()
    page.wait_for_load_state()
    assert "The status is updated." in page.content()
    page.get_by_label("Done", exact=True).check()
    page.get_by_label("Note").fill("Asiakas aloittaa työnhakuvalmennuksen.")
    page.get_by_role("button", name="Save the status").click()
    page.wait_for_load_state()
    history = page.locator("ol.history").inner_text()
    assert "Received" in history and "Done" in history

    # The nurse sees the status, and the recipient's note in the history.
    switch_user(page, "nurse")
    page.goto(f"/episodes/{episode.pk}/")
    row = page.locator("section#referrals tbody tr")
    assert "Done" in row.inner_text()
    row.get_by_role("link").click()
    page.wait_for_load_state()
    assert "Asiakas aloittaa työnhakuvalmennuksen." in page.content()
    check_page(page, "team-detail")
    assert Referral.objects.get().status == "done"


def test_overdue_referral__marked_on_caseload_and_case_page(page, nurse, episode):
    case_services.assignment_set(actor=nurse, episode=episode, kind=AssignmentKind.CONTACT_PERSON, user=nurse)
    referral = referral_services.referral_send(
        actor=nurse,
        episode=episode,
        kind="specialist_care",
        reason="Fysiatrin arvio",
        categories=[],
        due_on=timezone.localdate(),
        recipient_name="Keskussairaalan fysiatrian poliklinikka",
    )
    Referral.objects.filter(pk=referral.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=5))
    login(page, "nurse")
    page.goto("/caseload/")
    row = page.locator("tr", has_text=episode.client.full_name)
    assert "Overdue" in row.inner_text()
    assert "Referral: Specialist care" in row.inner_text()
    check_page(page, "caseload-overdue")

    page.goto(f"/episodes/{episode.pk}/")
    ref_row = page.locator("section#referrals tbody tr")
    assert "Overdue" in ref_row.inner_text()
    # The team records the outside recipient's answer.
    ref_row.get_by_role("link").click()
    page.wait_for_load_state()
    page.get_by_label("Done", exact=True).check()
    page.get_by_role("button", name="Save the status").click()
    page.wait_for_load_state()
    assert "The status is updated." in page.content()
    check_page(page, "team-detail-outside")
