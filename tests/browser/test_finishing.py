"""Small finishing touches in a real browser (issue 10, item 7): the header menu that folds on phones,
the client's team page at 320 px, a plan's earlier version and its comparison with the current one,
and the public accessibility statement with its feedback form. Every page passes axe (WCAG 2.1 AA);
Finnish screenshots at 375 and 1280 px (and 320 px for the team page) go to /tmp/tukipolku-shots/."""

import pytest

from conftest import open_episode
from tests.browser.conftest import axe_violations
from tests.browser.finnish import SHOTS
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import AssignmentKind
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def finnish_page(browser, live_server, width, username=None, javascript=True):
    context = browser.new_context(
        locale="fi-FI",
        viewport={"width": width, "height": 800},
        base_url=live_server.url,
        java_script_enabled=javascript,
    )
    context.add_cookies([{"name": "django_language", "value": "fi", "url": live_server.url}])
    page = context.new_page()
    if username:
        page.goto("/login/")
        page.locator("#id_login").fill(username)
        page.locator("#id_password").fill("test-password-123")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state()
    return context, page


def photograph(page, name, widths=(375, 1280)):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in widths:
        page.set_viewport_size({"width": width, "height": 800})
        scroll = page.evaluate("document.scrollingElement.scrollWidth")
        assert scroll <= width, f"{name}: {scroll} px wide at {width} px"
        page.screenshot(path=str(SHOTS / f"{name}-fi-{width}.png"), full_page=True)


# ------------------------------------------------------------------ b. the header menu on phones


def test_header_menu__folds_behind_a_button_at_375_px(browser, live_server, nurse):
    context, page = finnish_page(browser, live_server, 375, username="nurse")
    page.goto("/caseload/")
    toggle = page.get_by_role("button", name="Valikko")
    caseload_link = page.get_by_role("link", name="Omat asiakkaat")

    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not caseload_link.is_visible()
    assert not page.get_by_role("button", name="Kirjaudu ulos").is_visible()
    assert axe_violations(page) == []
    photograph(page, "menu-closed", widths=(375,))

    # Keyboard only: Tab from the brand link to the button, Enter opens, Tab reaches the links.
    page.get_by_role("link", name="Tukipolku", exact=True).focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "menu-toggle"
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert caseload_link.is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Omat asiakkaat"
    assert axe_violations(page) == []
    photograph(page, "menu-open", widths=(375,))

    # Escape closes it again and gives focus back to the button; a link opens its page.
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.className") == "menu-toggle"
    toggle.click()
    page.get_by_role("link", name="Tiimin tilannetaulu").click()
    page.wait_for_load_state()
    assert page.url.endswith("/board/")
    context.close()


def test_header_menu__stays_open_on_wide_screens_and_without_javascript(browser, live_server, nurse):
    context, page = finnish_page(browser, live_server, 1280, username="nurse")
    page.goto("/caseload/")
    assert not page.get_by_role("button", name="Valikko").is_visible()
    assert page.get_by_role("link", name="Omat asiakkaat").is_visible()
    context.close()

    context, page = finnish_page(browser, live_server, 375, username="nurse", javascript=False)
    page.goto("/caseload/")
    assert not page.get_by_role("button", name="Valikko").is_visible()
    assert page.get_by_role("link", name="Omat asiakkaat").is_visible()
    assert page.get_by_role("button", name="Kirjaudu ulos").is_visible()
    context.close()


# ------------------------------------------------------------------ a. the client's team page at 320 px


def test_team_page__fits_320_px_with_its_table_reflowed(browser, live_server, team, nurse, satakunta):
    social = member(
        team,
        profession=Profession.SOCIAL_WORKER,
        username="sosiaali",
        first_name="Anna-Kaisa",
        last_name="Hämäläinen-Väisänen",
    )
    partner = UserFactory(
        profession=Profession.EMPLOYMENT_COORDINATOR,
        organisation=OrganisationFactory(
            name="Satakunnan työllisyyspalveluiden yhteispalvelupiste", kind=OrganisationKind.EMPLOYMENT_SERVICES
        ),
    )
    client = ClientFactory(first_names="Ilmari Johannes", last_name="Korpela-Vähämäki")
    episode = open_episode(nurse, team, satakunta, client=client)
    for user in (social, partner):
        case_services.case_member_add(actor=nurse, episode=episode, user=user)
    case_services.assignment_set(actor=nurse, episode=episode, kind=AssignmentKind.CONTACT_PERSON, user=social)

    context, page = finnish_page(browser, live_server, 320, username="nurse")
    page.goto(f"/episodes/{episode.pk}/team/")
    assert page.get_by_role("heading", name="Asiakkaan tiimi").first.is_visible()
    for width in (320, 375, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        scroll = page.evaluate("document.scrollingElement.scrollWidth")
        assert scroll <= width, f"team page: {scroll} px wide at {width} px"
        assert axe_violations(page) == [], width
    page.set_viewport_size({"width": 320, "height": 800})
    # Stacked rows: each cell says what it is, the remove button sits under the name.
    row = page.locator("table.team-members tbody tr").filter(has_text="Hämäläinen-Väisänen")
    assert row.locator("td[data-label]").count() >= 1
    box = row.get_by_role("button", name="Poista").bounding_box()
    assert box["x"] + box["width"] <= 320
    photograph(page, "team-page", widths=(320, 375, 1280))
    context.close()


# ------------------------------------------------------------------ d. a plan's earlier version


def test_plan_version__open_an_earlier_version_and_compare_it(browser, live_server, nurse, episode):
    from tukipolku.plans.tests.test_versions import save

    plan = save(
        nurse, episode, [(None, "Työkokeilu kaupassa", [(None, "Soita TE-toimistoon")]), (None, "Liikunta", [])]
    )
    kept, dropped = plan.goals.order_by("id")
    save(
        nurse,
        episode,
        [
            (kept.pk, "Työkokeilu kaupunginkirjastossa syksyllä", [(plan.actions.get().pk, "Soita TE-toimistoon")]),
            (dropped.pk, None, []),
            (None, "Ammattikoulun yhteishaku keväällä", []),
        ],
        summary="Tilanne muuttui.",
    )
    context, page = finnish_page(browser, live_server, 1280, username="nurse")
    page.goto(f"/episodes/{episode.pk}/plan/")
    page.get_by_role("link", name="Versio 1", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Palvelusuunnitelma, versio 1").is_visible()
    assert page.get_by_text("Liikunta").is_visible()
    assert axe_violations(page) == []
    photograph(page, "plan-version")

    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("link", name="Vertaa versiota 1 nykyiseen versioon").click()
    page.wait_for_load_state()
    main = page.locator("main")
    assert main.locator("del", has_text="Liikunta").count() >= 1
    assert main.locator("ins", has_text="Työkokeilu kaupunginkirjastossa syksyllä").count() >= 1
    for label in ("Lisätty", "Poistettu", "Muutettu"):
        assert main.locator(".change-label", has_text=label).count() >= 1, label
    assert axe_violations(page) == []
    photograph(page, "plan-version-compare")
    page.set_viewport_size({"width": 375, "height": 800})
    assert axe_violations(page) == []
    context.close()


# ------------------------------------------------------------------ e. the accessibility statement


def test_accessibility_statement__from_the_footer_with_its_feedback_form(browser, live_server, mailoutbox):
    context, page = finnish_page(browser, live_server, 375)
    page.goto("/login/")  # public: from the login page's footer, without logging in
    page.locator("footer").get_by_role("link", name="Saavutettavuusseloste").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Saavutettavuusseloste", level=1).is_visible()
    for section in ("Vaatimustenmukaisuus", "Mikä ei vielä ole saavutettavaa", "Valvontaviranomainen"):
        assert page.get_by_role("heading", name=section).is_visible()
    assert axe_violations(page) == []
    photograph(page, "accessibility-statement")

    # A message left empty is told next to the field and the rest is kept; then it goes.
    page.set_viewport_size({"width": 375, "height": 800})
    page.get_by_label("Millä sivulla (vapaaehtoinen)").fill("Tiimin tilannetaulu")
    page.get_by_role("button", name="Lähetä palaute").click()
    page.wait_for_load_state()
    assert page.get_by_text("Kirjoita, mikä ei toiminut.").is_visible()
    assert page.get_by_label("Millä sivulla (vapaaehtoinen)").input_value() == "Tiimin tilannetaulu"
    assert page.evaluate("document.activeElement.name") == "message"  # focus on the field to fix
    assert axe_violations(page) == []
    page.keyboard.type("Sarakkeita ei voi vierittää näppäimistöllä.")
    page.get_by_role("button", name="Lähetä palaute").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Kiitos. Palautteesi on lähetetty palvelun ylläpitäjille.").is_visible()
    assert [m.to for m in mailoutbox] == [["saavutettavuus@tukipolku.example"]]
    assert "Sarakkeita ei voi vierittää" in mailoutbox[0].body
    context.close()
