"""Consent at intake is a consent (issue 10 item 2), in a real browser: the nurse opens a relationship for
a new client who agreed to the team and to employment services; the help box follows the choice; a
wrong end date is told next to its field with the input kept; the consent is on the consents page; the
referral to employment services goes without another consent step. Also without JavaScript, and the
form's risk factors (item 7). Every page is checked with axe (WCAG 2.1 AA) and fits 375 px; Finnish
screenshots at 375 and 1280 px."""

from __future__ import annotations

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from tests.browser.conftest import axe_violations, login, shot
from tests.browser.finnish import finnish_shots
from tests.browser.test_find_client import no_sideways_scroll
from tukipolku.cases.models import Episode
from tukipolku.clients.tests.factories import make_identity_code
from tukipolku.core.choices import OrganisationKind
from tukipolku.core.tests.factories import OrganisationFactory
from tukipolku.intake.tests.factories import partner_user
from tukipolku.privacy.models import Consent
from tukipolku.referrals.models import Referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = 375


@pytest.fixture
def employment_services(db):
    return OrganisationFactory(name="Porin työllisyyspalvelut", kind=OrganisationKind.EMPLOYMENT_SERVICES)


def check_page(page, name: str) -> None:
    """axe at desktop width (WCAG 2.1 AA), a screenshot, and no sideways scrolling at 375 px."""
    violations = axe_violations(page)
    shot(page, f"intake-consent-{name}")
    assert violations == [], f"{name}: {violations}"
    no_sideways_scroll(page, NARROW)


def fill_new_client(page, code: str, satakunta) -> None:
    page.get_by_role("link", name="New client relationship").first.click()
    page.get_by_label("Identity code or name").fill(code)
    page.get_by_role("button", name="Search").click()
    page.get_by_label("First names").fill("Saara")
    page.get_by_label("Last name").fill("Suostuja")
    page.get_by_label("Employment situation").select_option("unemployed")
    page.get_by_label("Operating model").select_option(str(satakunta.pk))
    page.get_by_label("Where was the need noticed?").select_option("employment_services")
    page.get_by_label("Describe the need for support").fill("Työttömyys pitkittyy, uupumusta.")
    page.get_by_label("The client agreed to be taken to the work ability team").check()
    page.get_by_label("How the client agreed").select_option("oral")


def test_intake_with_consent_to_employment_services__then_the_referral_just_works(
    page, nurse, team, satakunta, employment_services
):
    login(page, "nurse")
    fill_new_client(page, make_identity_code(datetime.date(1990, 5, 3), 962), satakunta)
    page.get_by_label("Repeated sick leave").check()

    # The help box says what the agreement covers, and changes as partners are ticked.
    team_box, partners_box = page.locator("[data-scope='team']"), page.locator("[data-scope='partners']")
    assert team_box.is_visible() and not partners_box.is_visible()
    assert "does not cover" in team_box.inner_text()
    assert not page.get_by_label("Purpose of sharing").is_visible()  # details only once a partner is ticked
    partner = page.get_by_role("checkbox", name="Municipal employment services")
    partner.check()
    assert partners_box.is_visible() and not team_box.is_visible()
    assert page.get_by_label("Shared plan and coordination").is_checked()  # the defaults: no clicks
    assert page.get_by_label("Purpose of sharing").input_value() == "work_ability"
    until = timezone.localdate() + relativedelta(months=12)
    assert page.get_by_label("Sharing allowed until").input_value() == f"{until.day}.{until.month}.{until.year}"
    check_page(page, "form")

    # An end date in the past: told next to the field, everything typed is kept.
    page.get_by_label("Sharing allowed until").fill("1.1.2020")
    page.get_by_role("button", name="Open the client relationship").click()
    page.wait_for_load_state()
    assert "The consent cannot end in the past." in page.locator("#id_ep-share_until_error").inner_text()
    assert page.get_by_label("Sharing allowed until").input_value() == "1.1.2020"
    assert page.get_by_label("Last name").input_value() == "Suostuja"
    assert page.get_by_role("checkbox", name="Municipal employment services").is_checked()
    assert page.get_by_label("Repeated sick leave").is_checked()
    assert partners_box.is_visible()
    check_page(page, "error")
    assert not Episode.objects.exists() and not Consent.objects.exists()

    page.get_by_label("Sharing allowed until").fill(f"{until.day}.{until.month}.{until.year}")
    page.get_by_role("button", name="Open the client relationship").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Suostuja Saara").is_visible()
    assert "Repeated sick leave" in page.locator("section[aria-labelledby='need-h']").inner_text()
    episode = Episode.objects.get()

    # The consent is on the consents page, in force.
    page.get_by_role("link", name="Consents", exact=True).click()
    page.wait_for_load_state()
    in_force = page.locator("section[aria-labelledby='in-force-h']").inner_text()
    assert "Municipal employment services" in in_force and "Shared plan and coordination" in in_force
    check_page(page, "consents")

    # The referral to employment services: the shared plan can be ticked, no consent step.
    page.goto(reverse("referrals:create", args=[episode.pk]))
    page.get_by_label("Kind of referral").select_option(label="Employment services")
    page.get_by_label("Recipient organisation:", exact=True).select_option(
        label=f"{employment_services.name} (Municipal employment services)"
    )
    page.get_by_label("Health care data – no consent").wait_for()
    shared = page.get_by_label("Shared plan and coordination")
    assert shared.is_enabled()
    shared.check()
    page.get_by_label("Reason").fill("Työnhaun tuki osa-aikatyöhön.")
    page.get_by_role("button", name="Send the referral").click()
    page.wait_for_load_state()
    assert "The referral is sent." in page.content()
    referral = Referral.objects.get()
    assert (referral.recipient_organisation, referral.categories) == (employment_services, ["shared_plan"])


def test_intake_without_partners__the_referral_asks_for_consent(page, nurse, team, satakunta, employment_services):
    login(page, "nurse")
    fill_new_client(page, make_identity_code(datetime.date(1991, 6, 4), 963), satakunta)
    page.get_by_role("button", name="Open the client relationship").click()
    page.wait_for_load_state()
    episode = Episode.objects.get()
    assert not Consent.objects.exists()

    page.goto(reverse("referrals:create", args=[episode.pk]))
    page.get_by_label("Recipient organisation:", exact=True).select_option(
        label=f"{employment_services.name} (Municipal employment services)"
    )
    shared = page.get_by_label("Shared plan and coordination – no consent")
    shared.wait_for()
    assert shared.is_disabled()


def test_without_javascript__the_help_box_follows_what_was_sent(browser, live_server, nurse, team, satakunta):
    context = browser.new_context(
        locale="en-GB", viewport={"width": 1280, "height": 900}, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    try:
        login(page, "nurse")
        page.goto(reverse("cases:intake_new"))
        assert page.locator("[data-scope='team']").is_visible()
        assert not page.locator("[data-scope='partners']").is_visible()
        assert page.get_by_label("Purpose of sharing").is_visible()  # every field is there without JS
        page.get_by_label("Personal identity code").fill(make_identity_code(datetime.date(1992, 7, 5), 964))
        page.get_by_label("First names").fill("Niko")
        page.get_by_label("Last name").fill("Skriptitön")
        page.get_by_label("Describe the need for support").fill("Tuen tarve.")
        page.get_by_label("The client agreed to be taken to the work ability team").check()
        page.get_by_role("checkbox", name="Kela").check()
        page.get_by_label("Shared plan and coordination").uncheck()
        page.get_by_role("button", name="Open the client relationship").click()
        page.wait_for_load_state()
        assert "Choose at least one data category." in page.locator("#id_ep-share_categories_error").inner_text()
        assert page.locator("[data-scope='partners']").is_visible()
        assert not page.locator("[data-scope='team']").is_visible()
        page.get_by_label("Shared plan and coordination").check()
        page.get_by_role("button", name="Open the client relationship").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="Skriptitön Niko").is_visible()
        (consent,) = Consent.objects.all()
        assert consent.recipient_kind == OrganisationKind.KELA
    finally:
        context.close()


def test_notification_of_need__the_senders_consent_carries_to_the_referral(
    page, team, nurse, satakunta, employment_services
):
    partner_user(organisation=employment_services, username="employment", first_name="Antti", last_name="Ahkera")
    login(page, "employment")
    page.goto(reverse("intake:send"))
    # The need is about working with the sender's own organisation: it is offered ticked.
    assert page.get_by_role("checkbox", name="Municipal employment services").is_checked()
    assert page.locator("[data-scope='partners']").is_visible()
    page.get_by_label("Work ability support team").select_option(str(team.pk))
    page.get_by_label("Personal identity code").fill(make_identity_code(datetime.date(1987, 2, 8), 965))
    page.get_by_label("First names").fill("Into")
    page.get_by_label("Last name").fill("Ilmoitettu")
    page.get_by_label("Chronic illness").check()
    page.get_by_label("The need for support in your words").fill("Pitkä sairausloma, paluu töihin mietityttää.")
    page.get_by_label("The client consented to passing this notification on to the team").check()
    check_page(page, "need-form")
    page.get_by_role("button", name="Send the notification").click()
    page.wait_for_url("**/need/sent/")
    page.context.clear_cookies()

    login(page, "nurse")
    page.goto("/need/queue/")
    page.get_by_role("link", name="Ilmoitettu Into").click()
    page.wait_for_load_state()
    assert "Municipal employment services" in page.locator("section[aria-labelledby='sender-h']").inner_text()
    check_page(page, "need-detail")
    page.get_by_label("Operating model").select_option(str(satakunta.pk))
    page.get_by_role("button", name="Accept and open a client relationship").click()
    page.wait_for_load_state()
    episode = Episode.objects.get()
    assert episode.risk_factors == ["chronic_illness"]

    page.goto(reverse("referrals:create", args=[episode.pk]))
    page.get_by_label("Kind of referral").select_option(label="Employment services")
    page.get_by_label("Recipient organisation:", exact=True).select_option(
        label=f"{employment_services.name} (Municipal employment services)"
    )
    page.get_by_label("Health care data – no consent").wait_for()
    page.get_by_label("Shared plan and coordination").check()
    page.get_by_label("Reason").fill("Työhön paluun tuki.")
    page.get_by_role("button", name="Send the referral").click()
    page.wait_for_load_state()
    assert "The referral is sent." in page.content()
    assert Referral.objects.get().recipient_organisation == employment_services


def test_screenshots_in_finnish(browser, live_server, nurse, team, satakunta, employment_services):
    def tick(page):
        page.locator("input[name='ep-share_with'][value='employment_services']").check()

    taken = finnish_shots(browser, live_server, "nurse", reverse("cases:intake_new"), "intake-consent", tick)
    partner_user(organisation=employment_services, username="employment")
    taken += finnish_shots(browser, live_server, "employment", reverse("intake:send"), "intake-consent-need")
    assert len(taken) == 4
