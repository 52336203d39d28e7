"""Finding one's clients from the caseload in a real browser (issue 10, item 1).

A nurse with older clients opens a new relationship: it is the caseload's top row, marked new, one
click away. Any other of her or her team's clients is two actions away: type part of the name (or
the identity code's end) into the search field, pick the result. The shortcut `/` moves focus to the
field and says so on screen. What was typed never enters a URL. Every page passes axe at 1280 px
and does not scroll sideways at 375 px; Finnish screenshots at both widths go to /tmp.
"""

import pytest
from django.urls import reverse

from conftest import open_episode
from tests.browser.conftest import Actions, axe_violations, login
from tests.browser.finnish import finnish_shots
from tukipolku.audit.choices import AccessAction
from tukipolku.audit.models import PersonalDataAccess
from tukipolku.cases import services as case_services
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.choices import Profession
from tukipolku.core.tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page, width=375):
    size = page.viewport_size
    page.set_viewport_size({"width": width, "height": 800})
    scroll = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(size)
    assert scroll <= width, f"{scroll} px wide at {width} px"


@pytest.fixture
def caseload(team, nurse, satakunta):
    colleague = member(team, profession=Profession.SOCIAL_WORKER, username="sw")
    older = []
    for last in ("Aaltonen", "Björklund", "Carlsson"):
        e = open_episode(nurse, team, satakunta, client=ClientFactory(last_name=last, first_names="Olli"))
        e = case_services.episode_step_complete(
            actor=nurse, episode=e, expected_step_id=e.current_step_id, output="Tehty."
        )
        older.append(e)
    teams = open_episode(
        colleague, team, satakunta, client=ClientFactory(first_names="Eeva Liisa", last_name="Rautiainen")
    )
    case_services.episode_step_complete(
        actor=colleague, episode=teams, expected_step_id=teams.current_step_id, output="Tehty."
    )
    return {"older": older, "teams": teams}


def test_a_just_opened_client_is_one_click_and_any_client_two_actions_away(page, nurse, team, satakunta, caseload):
    login(page, "nurse")
    new = open_episode(nurse, team, satakunta, client=ClientFactory(first_names="Aino", last_name="Uusitalo"))

    # Just created: the top row of the caseload, marked new.
    page.goto(reverse("cases:caseload"))
    top = page.locator("table.caseload tbody tr").first
    assert "Uusitalo Aino" in top.inner_text() and "new" in top.inner_text()
    assert axe_violations(page) == []
    no_sideways_scroll(page)
    actions = Actions(page)
    actions.click(top.get_by_role("link", name="Uusitalo Aino"))
    page.wait_for_url(f"**{reverse('cases:detail', args=[new.pk])}")
    assert actions.count <= 2, actions.count
    assert actions.count == 1

    # Any of the team's clients: type part of the name, pick the result.
    page.goto(reverse("cases:caseload"))
    actions = Actions(page)
    field = page.get_by_label("Find a client")
    actions.type(field, "rauti")
    result = page.locator("#caseload-found").get_by_role("link", name="Rautiainen Eeva Liisa")
    result.wait_for()
    assert page.locator("#caseload-found li").count() == 1
    assert axe_violations(page) == []
    no_sideways_scroll(page)
    actions.click(result)
    page.wait_for_url(f"**{reverse('cases:detail', args=[caseload['teams'].pk])}")
    assert actions.count <= 2, actions.count

    # By the end of the identity code, with the keyboard only: `/`, type, Enter on the result.
    page.goto(reverse("cases:caseload"))
    assert "press / to come here" in page.get_by_text("Shortcut").inner_text()
    code = new.client.identity_code
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    actions = Actions(page)
    actions.press("/")
    assert page.evaluate("document.activeElement.id") == "id_q"
    actions.type(page.locator("#id_q"), code[-4:])
    page.locator("#caseload-found").get_by_role("link", name="Uusitalo Aino").wait_for()
    actions.press("Tab")  # to the Find button, then the result
    actions.press("Tab")
    actions.press("Enter")
    page.wait_for_url(f"**{reverse('cases:detail', args=[new.pk])}")
    assert actions.count == 5, actions.count  # every key counts: /, the code's end, Tab, Tab, Enter
    assert not [u for u in requests if code[-4:].lower() in u.lower()], "the identity code end went into a URL"
    # Each search was logged as a list read of what it showed; the other team's clients never.
    searched = PersonalDataAccess.objects.filter(view="cases:caseload_search")
    assert set(searched.values_list("action", flat=True)) == {AccessAction.LIST}
    assert set(searched.values_list("episode_id", flat=True)) == {new.pk, caseload["teams"].pk}


def test_screenshots_in_finnish(browser, live_server, nurse, team, satakunta, caseload):
    """The caseload with a new client on top and search results, in Finnish, at 375 and 1280 px."""
    open_episode(nurse, team, satakunta, client=ClientFactory(first_names="Aino", last_name="Uusitalo"))

    def search(page):
        assert page.locator("table.caseload tbody tr").first.locator(".badge-new").count() == 1
        page.locator("#id_q").press_sequentially("rauti")
        page.locator("#caseload-found li").first.wait_for()

    finnish_shots(browser, live_server, "nurse", reverse("cases:caseload"), "caseload-search", search)
