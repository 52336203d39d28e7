"""The sweep in a real browser: a nurse with an overdue action sees the unread badge, opens the
notification list, follows the notification (keyboard) to the case page and the badge drops; the team
manager opens the unfinished processes. axe (WCAG 2.1 AA) on every page, and 375 px without
horizontal scrolling."""

import datetime

import pytest
from django.utils import timezone

from conftest import open_episode
from tests.browser.conftest import axe_violations, login, shot
from tukipolku.core.choices import Profession, TeamRole
from tukipolku.core.tests.factories import member
from tukipolku.plans.models import Action, Plan
from tukipolku.sweep.services import run_sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = 375


def check_page(page, name: str) -> None:
    violations = axe_violations(page)
    shot(page, f"sweep-{name}")
    assert violations == [], f"{name}: {violations}"
    size = page.viewport_size
    page.set_viewport_size({"width": NARROW, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, f"sweep-{name}-{NARROW}")
    narrow = axe_violations(page)
    page.set_viewport_size(size)
    assert width <= NARROW, f"{name}: {width} px wide at {NARROW} px"
    assert narrow == [], f"{name} at {NARROW} px: {narrow}"


@pytest.fixture
def world(team, satakunta):
    nurse = member(team, username="nurse", first_name="Sanna", last_name="Lehtinen", email="nurse@example.test")
    manager = member(
        team,
        profession=Profession.TEAM_MANAGER,
        role=TeamRole.MANAGER,
        username="manager",
        first_name="Kari",
        last_name="Salminen",
        email="manager@example.test",
    )
    episode = open_episode(nurse, team, satakunta)
    plan = Plan.objects.create(episode=episode)
    Action.objects.create(
        plan=plan,
        title="Varaa aika työfysioterapeutille",
        owner=nurse,
        due_on=timezone.localdate() - datetime.timedelta(days=2),
    )
    # Run the sweep as of tomorrow: the action is overdue and nobody is the contact person yet.
    run_sweep(today=timezone.localdate() + datetime.timedelta(days=1))
    return {"nurse": nurse, "manager": manager, "episode": episode}


def badge(page):
    return page.get_by_role("navigation", name="Main").locator("a.nav-notifications")


def test_nurse_follows_a_notification_and_the_manager_sees_unfinished_work(page, world):
    episode = world["episode"]
    login(page, "nurse")
    # The accessible name carries the count in words, not only the red badge.
    assert page.get_by_role("link", name="Notifications 1 unread").is_visible()
    assert page.locator("[data-unread]").get_attribute("data-unread") == "1"
    badge(page).click()
    assert page.get_by_role("heading", name="Notifications").is_visible()
    row = page.get_by_role("row").filter(has_text=episode.client.full_name)
    assert row.get_by_text("New").is_visible()
    check_page(page, "notifications")

    # Keyboard: focus the notification's button and press Enter.
    button = row.get_by_role("button", name="An action you are responsible for is past its due date")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/episodes/{episode.pk}/**")
    assert page.get_by_role("heading", name="Service plan").is_visible()
    assert page.locator("[data-unread]").count() == 0  # the badge is gone

    # Back on the list, the row is read.
    badge(page).click()
    assert page.get_by_role("row").filter(has_text=episode.client.full_name).get_by_text("New").count() == 0

    # The manager: the navigation leads to the unfinished processes.
    page.context.clear_cookies()
    login(page, "manager")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Unfinished processes").click()
    assert page.get_by_role("heading", name="Unfinished processes").is_visible()
    row = page.get_by_role("row").filter(has_text=episode.client.full_name)
    assert row.get_by_text("No contact person").is_visible()
    assert row.get_by_text("1 overdue, due").is_visible()
    assert page.get_by_text("The sweep last ran at").is_visible()
    check_page(page, "unfinished")
    row.get_by_role("link", name=episode.client.full_name).click()
    page.wait_for_url(f"**/episodes/{episode.pk}/")
