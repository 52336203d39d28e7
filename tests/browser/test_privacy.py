"""The privacy flows in a real browser: recording and withdrawing a consent, registers kept apart until the
client consents, partner staff who see only what a consent covers, and break-the-glass access. Every page
is checked with axe (WCAG 2.1 AA), at 375 px without horizontal scrolling, and photographed."""

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import axe_violations, login, shot
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, TeamFactory, UserFactory, member
from tukipolku.entries import services as entry_services
from tukipolku.entries.choices import Register
from tukipolku.meetings import services as meeting_services
from tukipolku.meetings.choices import MeetingKind
from tukipolku.plans import services as plan_services
from tukipolku.plans.choices import GoalDomain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = 375
HEALTH_TEXT = "Selkäkipu pahentunut, lähete fysioterapiaan."
SOCIAL_TEXT = "Toimeentulotuen hakemus käsitelty."
GOAL_TEXT = "Paluu osa-aikatyöhön varastolla"


# ------------------------------------------------------------------ helpers


def check_page(page, name: str) -> None:
    """axe finds no WCAG 2.1 AA violation, the page fits 375 px without horizontal scrolling, and both
    widths are photographed for a person to look at."""
    violations = axe_violations(page)
    shot(page, f"privacy-{name}")
    assert violations == [], f"{name}: {violations}"
    size = page.viewport_size
    page.set_viewport_size({"width": NARROW, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, f"privacy-{name}-{NARROW}")
    narrow_violations = axe_violations(page)
    page.set_viewport_size(size)
    assert width <= NARROW, f"{name}: {width} px wide at {NARROW} px"
    assert narrow_violations == [], f"{name} at {NARROW} px: {narrow_violations}"


def field_group(page, control):
    """The div that holds a field's label, help, errors and input together."""
    return page.locator("div.field", has=control)


def switch_user(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)


def open_consents(page, episode) -> None:
    page.goto(f"/episodes/{episode.pk}/")
    page.get_by_role("navigation", name="Case actions").get_by_role("link", name="Consents").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Consents and prohibitions").is_visible()


def record_consent(page, *, recipient: str, categories: list[str], purpose: str) -> None:
    """Fill the consent form with one action per field and save it (the panel is open while none is in force)."""
    form = page.locator("form", has=page.get_by_role("button", name="Save", exact=True))
    if not form.is_visible():
        page.locator("summary", has_text="Record a consent or a prohibition").click()
    form.get_by_label("Recipient organisation").select_option(label=recipient)
    for category in categories:
        form.get_by_label(category).check()
    form.get_by_label("Purpose:", exact=True).select_option(purpose)
    form.get_by_label("In writing").check()
    form.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert "The consent is recorded." in page.content()


def withdraw_consent(page, recipient: str, note: str = "") -> None:
    card = in_force(page).locator("li.consent", has_text=recipient)
    if note:
        card.get_by_label("Note on the withdrawal").fill(note)
    card.get_by_role("button", name="Withdraw the consent").click()
    page.wait_for_load_state()
    assert "Withdrawn. It no longer applies from now on." in page.content()


def in_force(page):
    return page.locator("section[aria-labelledby='in-force-h']")


def press_enter_and_wait(page) -> None:
    """Submit the focused button with the keyboard and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def assert_stands_out(notice) -> None:
    """A notice is drawn as a box with a coloured edge, not as plain text among the rest."""
    style = notice.evaluate("el => [getComputedStyle(el).borderLeftWidth, getComputedStyle(el).backgroundColor]")
    assert style[0] != "0px" and style[1] != "rgba(0, 0, 0, 0)", style


def tab_to(page, locator, limit: int = 40) -> None:
    """Press Tab until `locator` has the keyboard focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


# ------------------------------------------------------------------ data


@pytest.fixture
def employment_services(db):
    return OrganisationFactory(name="Porin työllisyyspalvelut", kind=OrganisationKind.EMPLOYMENT_SERVICES)


@pytest.fixture
def coordinator(employment_services):
    return UserFactory(
        profession=Profession.EMPLOYMENT_COORDINATOR,
        organisation=employment_services,
        username="coordinator",
        first_name="Kaisa",
        last_name="Koordinaattori",
    )


@pytest.fixture
def full_episode(episode, nurse, social_worker):
    """An episode with a plan, a meeting and an entry in each register, written through the services."""
    plan_services.plan_save(
        actor=nurse,
        episode=episode,
        expected_revision=0,
        summary="Haluaa palata kevyeen työhön.",
        next_review_on=None,
        goals=[
            plan_services.GoalInput(
                id=None,
                domain=GoalDomain.WORK_CAPACITY,
                description=GOAL_TEXT,
                client_wording="Haluan töihin",
                actions=[
                    plan_services.ActionInput(
                        id=None,
                        title="Työkokeilun järjestäminen",
                        owner=nurse,
                        due_on=timezone.localdate() + datetime.timedelta(days=14),
                    )
                ],
            )
        ],
        loose_actions=[],
    )
    meeting_services.meeting_record(
        actor=nurse,
        episode=episode,
        kind=MeetingKind.TEAM,
        starts_at=timezone.now(),
        participants=[nurse, social_worker],
        minutes="Sovittiin työkokeilusta.",
        decisions=[meeting_services.DecisionInput(text="Varaa aika", owner=nurse, due_on=timezone.localdate())],
    )
    entry_services.entry_write(actor=nurse, episode=episode, register=Register.HEALTH, text=HEALTH_TEXT)
    entry_services.entry_write(actor=social_worker, episode=episode, register=Register.SOCIAL, text=SOCIAL_TEXT)
    return episode


# ------------------------------------------------------------------ 1. consent


def test_consent__record_with_errors_then_withdraw(page, episode, nurse, employment_services):
    login(page, "nurse")
    open_consents(page, episode)
    assert "No consents or prohibitions in force." in in_force(page).inner_text()
    check_page(page, "01-consents-empty")

    # First attempt: no recipient and no category. Errors sit next to the fields; what was typed stays.
    form = page.locator("form", has=page.get_by_role("button", name="Save", exact=True))
    form.get_by_label("Purpose:", exact=True).select_option("employment")
    form.get_by_label("Purpose in more detail").fill("Työkokeilu ja palkkatuki")
    form.get_by_label("In writing").check()
    form.get_by_label("Note:", exact=True).fill("Lomake asiakirjoissa")
    form.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()

    recipient = page.get_by_label("Recipient organisation")
    recipient_group = field_group(page, recipient)
    assert "has-error" in recipient_group.get_attribute("class")
    assert "Choose either one recipient organisation or every organisation of a kind." in (
        recipient_group.locator(".errorlist").inner_text()
    )
    assert recipient.get_attribute("aria-invalid") == "true"
    categories_group = page.locator("div.field", has=page.get_by_label("Employment data"))
    assert "has-error" in categories_group.get_attribute("class")
    assert "Choose at least one data category." in categories_group.locator(".errorlist").inner_text()
    assert page.locator(".errorlist").count() == 2
    assert page.get_by_label("Purpose:", exact=True).input_value() == "employment"
    assert page.get_by_label("Purpose in more detail").input_value() == "Työkokeilu ja palkkatuki"
    assert page.get_by_label("In writing").is_checked()
    assert page.get_by_label("Note:", exact=True).input_value() == "Lomake asiakirjoissa"
    assert page.get_by_label("Consent: the data may be disclosed").is_checked()
    check_page(page, "02-consent-errors")

    # Second attempt, by keyboard: choose the recipient, tick the categories with Space, save with Enter.
    recipient.focus()
    recipient.select_option(label=employment_services.name)
    for label in ["Shared plan and coordination", "Employment data"]:
        tab_to(page, page.get_by_label(label))
        page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Save", exact=True))
    press_enter_and_wait(page)
    assert "The consent is recorded." in page.content()

    card = in_force(page).locator("li.consent")
    assert card.count() == 1
    text = card.inner_text()
    for expected in [
        "Consent",
        employment_services.name,
        "Employment services (Työkokeilu ja palkkatuki)",
        "Shared plan and coordination, Employment data",
        "In writing: Lomake asiakirjoissa",
    ]:
        assert expected in text, expected
    assert page.locator("summary", has_text="not in force").count() == 0
    check_page(page, "03-consent-in-force")

    # Withdraw it: it leaves "In force" and moves to "not in force".
    withdraw_consent(page, employment_services.name, note="Asiakas soitti")
    assert "No consents or prohibitions in force." in in_force(page).inner_text()
    history = page.locator("summary", has_text="1 not in force")
    history.click()
    withdrawn = page.locator("section[aria-labelledby='history-h'] li.consent")
    assert withdrawn.count() == 1
    text = withdrawn.inner_text()
    assert employment_services.name in text
    assert "Withdrawn" in withdrawn.locator(".badge").all_inner_texts()
    assert f"by {nurse.display_name}: Asiakas soitti" in text
    assert withdrawn.locator(".badge-ok").count() == 0  # no longer looks like a consent in force
    assert withdrawn.get_by_role("button").count() == 0
    check_page(page, "04-consent-withdrawn")
    assert page.dialogs == []


# ------------------------------------------------------------------ 2. registers apart


def test_registers_apart__social_entry_shown_to_the_nurse_only_on_consent(page, episode, nurse, social_worker, org):
    login(page, "socialworker")
    page.goto(f"/episodes/{episode.pk}/")
    entries = page.locator("#entries")
    entries.get_by_label("Register").select_option("social")
    entries.locator("textarea[name='text']").fill(SOCIAL_TEXT)
    entries.get_by_role("button", name="Save the entry").click()
    page.wait_for_load_state()
    assert "The entry is saved." in page.content()
    assert SOCIAL_TEXT in page.locator("#entries").inner_text()

    # The nurse reads the health register: the social-care entry is not there, and the page says so.
    switch_user(page, "nurse")
    page.goto(f"/episodes/{episode.pk}/")
    entries = page.locator("#entries")
    assert SOCIAL_TEXT not in page.content()
    assert (
        "Not shown to you: Social care (client records). Reading another register needs the client's consent."
        in entries.inner_text()
    )
    check_page(page, "05-case-social-hidden")

    # The client consents to the team's own organisation reading social care data.
    open_consents(page, episode)
    record_consent(page, recipient=org.name, categories=["Social care data"], purpose="work_ability")
    page.get_by_role("link", name="Case page").click()
    page.wait_for_load_state()
    entries = page.locator("#entries")
    assert SOCIAL_TEXT in entries.inner_text()
    basis = entries.locator(".notice", has_text="shown on the basis of the client's consent")
    assert basis.inner_text().strip() == "Social care (client records): shown on the basis of the client's consent."
    assert_stands_out(basis)
    assert "Not shown to you" not in entries.inner_text()
    check_page(page, "06-case-social-on-consent")
    assert page.dialogs == []


# ------------------------------------------------------------------ 3. partner


def test_partner__sees_only_what_the_consent_covers(
    page, browser, live_server, full_episode, nurse, coordinator, employment_services
):
    episode = full_episode
    case_url = f"/episodes/{episode.pk}/"

    # The nurse adds the coordinator to the client's team.
    login(page, "nurse")
    page.goto(case_url)
    page.get_by_role("navigation", name="Case actions").get_by_role("link", name="Client's team").click()
    members = page.get_by_role("region", name="Members")
    members.get_by_label("Professional").select_option(str(coordinator.pk))
    members.get_by_label("Role in this case").fill("Työllisyyspalvelujen yhteyshenkilö")
    members.get_by_role("button", name="Add to the team").click()
    page.wait_for_load_state()
    assert coordinator.display_name in page.locator("section[aria-labelledby='members-h'] table").inner_text()

    # Without a consent the coordinator sees nothing and the case is "not found".
    switch_user(page, "coordinator")
    assert page.url.endswith("/shared/")
    assert page.get_by_role("heading", name="Clients shared with you").is_visible()
    assert "Nothing shared with you yet." in page.content()
    assert episode.client.last_name not in page.content()
    check_page(page, "07-partner-nothing-shared")
    response = page.goto(case_url)
    assert response.status == 404
    assert page.get_by_role("heading", name="Not found").is_visible()
    assert episode.client.last_name not in page.content()

    # The nurse records the client's consent for the employment services (shared plan).
    switch_user(page, "nurse")
    open_consents(page, episode)
    record_consent(
        page, recipient=employment_services.name, categories=["Shared plan and coordination"], purpose="employment"
    )

    # Now the client is on the coordinator's list, reached by keyboard.
    switch_user(page, "coordinator")
    assert page.url.endswith("/shared/")
    row = page.locator("table.list tbody tr")
    assert row.count() == 1
    assert episode.team.name in row.inner_text()
    assert "Shared plan and coordination" in row.inner_text()
    check_page(page, "08-partner-shared-list")
    tab_to(page, row.get_by_role("link", name=episode.client.full_name))
    press_enter_and_wait(page)
    assert page.url.endswith(case_url)

    # The case page: plan and meetings, no health or social entries, no identity code, no history.
    assert page.get_by_role("heading", name=episode.client.full_name).is_visible()
    notice = page.locator(".notice", has_text="Shared with your organisation.")
    assert "Shared plan and coordination" in notice.inner_text()
    assert_stands_out(notice)
    main = page.locator("main").inner_text()
    assert GOAL_TEXT in main
    assert "Team meeting" in main
    assert HEALTH_TEXT not in main and SOCIAL_TEXT not in main
    assert episode.client.identity_code not in page.content()
    assert episode.client.masked_identity_code not in main
    assert "Identity code" not in main
    assert page.get_by_role("heading", name="History").count() == 0
    assert page.get_by_role("button", name="Mark the step done and move on").count() == 0
    assert page.get_by_role("button", name="Save the entry").count() == 0
    assert page.get_by_role("link", name="Consents").count() == 0
    check_page(page, "09-partner-case-page")
    page.get_by_role("navigation", name="Case actions").get_by_role("link", name="Service plan").click()
    page.wait_for_load_state()
    assert GOAL_TEXT in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Save the plan").count() == 0
    page.go_back()

    # The nurse withdraws the consent in her own browser; the coordinator's next page load is "not found".
    partner = page
    nurse_context = browser.new_context(
        locale="en-GB", viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    try:
        nurse_page = nurse_context.new_page()
        login(nurse_page, "nurse")
        open_consents(nurse_page, episode)
        withdraw_consent(nurse_page, employment_services.name)
    finally:
        nurse_context.close()
    response = partner.reload()
    assert response.status == 404
    assert partner.get_by_role("heading", name="Not found").is_visible()
    assert GOAL_TEXT not in partner.content()
    check_page(partner, "10-partner-not-found")
    partner.goto("/shared/")
    assert "Nothing shared with you yet." in partner.content()
    assert partner.dialogs == []


# ------------------------------------------------------------------ 4. break the glass


def test_emergency_access__reason_required_then_read_only_case_page(page, episode, org):
    other = TeamFactory(organisation=org, name="Työkykytiimi B")
    member(other, profession=Profession.PUBLIC_HEALTH_NURSE, username="nurse2")
    client = episode.client

    login(page, "nurse2")
    page.get_by_role("link", name="New client relationship").first.click()
    page.get_by_label("Identity code or name").fill(client.identity_code)
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    hits = page.locator("ul.hits > li")
    assert hits.count() == 1
    assert client.full_name in hits.inner_text()
    assert episode.team.name not in hits.inner_text()
    check_page(page, "11-intake-hit-outside-team")
    hits.get_by_role("link", name="View the client's data with emergency access").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Emergency access").is_visible()

    # By keyboard: submitting without a reason puts the error next to the field.
    reason = page.get_by_label("Why do you need to see this client's data now?")
    submit = page.get_by_role("button", name="Open with emergency access")
    tab_to(page, submit)
    press_enter_and_wait(page)
    group = field_group(page, reason)
    assert "has-error" in group.get_attribute("class")
    assert group.locator(".errorlist").inner_text().strip()
    assert reason.get_attribute("aria-invalid") == "true"
    assert page.get_by_role("heading", name="Emergency access").is_visible()
    check_page(page, "12-emergency-reason-missing")

    tab_to(page, reason)
    page.keyboard.type("Asiakas päivystyksessä, tiimiä ei tavoiteta.")
    tab_to(page, submit)
    press_enter_and_wait(page)
    assert page.url.endswith(f"/episodes/{episode.pk}/")
    assert page.get_by_role("heading", name=client.full_name).is_visible()
    notice = page.locator(".notice-warn", has_text="Emergency access.")
    assert "Asiakas päivystyksessä, tiimiä ei tavoiteta." in notice.inner_text()
    assert_stands_out(notice)
    assert page.get_by_role("button", name="Mark the step done and move on").count() == 0
    assert page.locator("summary", has_text="Skip this step").count() == 0
    assert page.get_by_role("button", name="Save the entry").count() == 0
    assert page.get_by_role("link", name="Record a meeting").count() == 0
    check_page(page, "13-emergency-case-page")
    assert page.dialogs == []
