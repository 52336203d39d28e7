"""The client's details in a real browser: the nurse corrects the client's phone (a bad value is told
next to the field and kept), adds an address and turns address protection on; the case page marks the
protection and the contact person alone sees the address. Every page passes axe (WCAG 2.1 AA), has no
horizontal scroll at 320 and 375 px, and is photographed in Finnish at 320, 375 and 1280 px under
/tmp/tukipolku-shots/."""

import tempfile
from pathlib import Path

import pytest

from conftest import open_episode
from tests.browser.conftest import CHROMIUM, axe_violations, login, shot
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import AssignmentKind
from tukipolku.clients.models import Client
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.choices import Profession
from tukipolku.core.tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(tempfile.gettempdir()) / "tukipolku-shots"
WIDTHS = (320, 375)
STREET = "Isojoentie 14 A 3"


def fits(page, name: str) -> None:
    """axe finds nothing at 1280 px and at the narrow widths, which have no horizontal scrolling."""
    violations = axe_violations(page)
    shot(page, f"client-details-{name}")
    assert violations == [], f"{name}: {violations}"
    size = page.viewport_size
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        scroll = page.evaluate("document.documentElement.scrollWidth")
        narrow = axe_violations(page)
        assert scroll <= width, f"{name}: {scroll} px wide at {width} px"
        assert narrow == [], f"{name} at {width} px: {narrow}"
    page.set_viewport_size(size)


def finnish_shots(browser, live_server, username: str, path: str, name: str) -> None:
    """Photograph a page in Finnish at 320, 375 and 1280 px for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="fi-FI", base_url=live_server.url, extra_http_headers={"Accept-Language": "fi"}
    )
    page = context.new_page()
    page.goto("/login/")
    page.locator("input[name=login], input[name=username]").first.fill(username)
    page.locator("input[type=password]").fill("test-password-123")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.goto(path)
    for width in (320, 375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-fi-{width}.png"), full_page=True)
    context.close()


@pytest.fixture
def world(team, nurse, satakunta):
    social_worker = member(
        team, profession=Profession.SOCIAL_WORKER, username="sosiaali", first_name="Sanna", last_name="Sosiaali"
    )
    client = ClientFactory(first_names="Ilmari", last_name="Korpela", phone="040 123 4567", email="")
    episode = open_episode(nurse, team, satakunta, client=client)
    case_services.assignment_set(actor=nurse, episode=episode, kind=AssignmentKind.CONTACT_PERSON, user=social_worker)
    return {"episode": episode, "client": client, "social_worker": social_worker}


def test_edit_client_details_with_address_protection(page, browser, live_server, world, nurse):
    assert Path(CHROMIUM).exists()
    episode, client = world["episode"], world["client"]
    login(page, "nurse")
    page.goto(f"/episodes/{episode.pk}/")
    page.get_by_role("link", name="Edit the client's details").click()  # 1 action from the case page
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Client's details").is_visible()
    fits(page, "form")

    # A bad phone number: told next to the field, what was typed kept.
    page.get_by_label("Phone").fill("soita minulle")
    page.get_by_label("Street address").fill(STREET)
    page.get_by_role("button", name="Save the details").click()
    page.wait_for_load_state()
    phone_group = page.locator("div.field", has=page.get_by_label("Phone"))
    assert "Enter a phone number" in phone_group.inner_text()
    assert page.get_by_label("Phone").input_value() == "soita minulle"
    assert page.get_by_label("Street address").input_value() == STREET
    fits(page, "error")

    page.get_by_label("Phone").fill("040 765 4321")
    page.get_by_label("Postal code").fill("28100")
    page.get_by_label("Post office").fill("Pori")
    page.get_by_label("Address protection (turvakielto)").check()
    page.get_by_role("button", name="Save the details").click()
    page.wait_for_load_state()
    assert "The client's details are saved." in page.content()
    client.refresh_from_db()
    assert (client.phone, client.street_address, client.address_protected) == ("040 765 4321", STREET, True)

    # The nurse is not the contact person: the case page marks the protection and hides the address.
    assert page.locator(".case-head .address-protected").is_visible()
    assert STREET not in page.content()
    fits(page, "case-page-protected")

    # The contact person sees the address and the history with its earlier values.
    page.context.clear_cookies()
    login(page, "sosiaali")
    page.goto(f"/episodes/{episode.pk}/client/")
    assert page.get_by_label("Street address").input_value() == STREET
    history = page.locator("section", has=page.get_by_role("heading", name="History of changes"))
    assert "040 123 4567" in history.inner_text()
    fits(page, "history")

    finnish_shots(browser, live_server, "sosiaali", f"/episodes/{episode.pk}/client/", "client-details")
    finnish_shots(browser, live_server, "nurse", f"/episodes/{episode.pk}/", "case-page-protected")
    assert Client.objects.get(pk=client.pk).revision == 1
