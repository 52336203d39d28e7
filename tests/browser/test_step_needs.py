"""What a step needs, seen before the button, in a real browser (issue 10, item 4).

On step 3 of the Satakunta model the card says up front that a contact person is needed and links
to naming one; the button names the step it moves to. Recording a step whose needs are met takes
two actions (type what it produced, press the button), within the goal of four. Pages pass axe at
1280 px and fit 375 px; Finnish screenshots at both widths go to /tmp.
"""

import pytest
from django.urls import reverse

from conftest import open_episode
from tests.browser.conftest import Actions, axe_violations, login
from tests.browser.finnish import finnish_shots
from tests.browser.test_find_client import no_sideways_scroll
from tukipolku.cases.models import Episode
from tukipolku.clients.tests.factories import ClientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def episode(nurse, team, satakunta):
    episode = open_episode(nurse, team, satakunta, client=ClientFactory(first_names="Aino", last_name="Vaiheinen"))
    step = episode.pathway_version.steps.get(order=3)  # Team assembled: needs a contact person
    Episode.objects.filter(pk=episode.pk).update(current_step=step)
    episode.refresh_from_db()
    return episode


def test_the_card_lists_what_the_step_needs_and_a_step_takes_two_actions(page, nurse, episode):
    login(page, "nurse")
    case_url = reverse("cases:detail", args=[episode.pk])
    page.goto(case_url)
    card = page.locator("section.now")
    assert "Before this step can be marked done: A contact person is named." in card.inner_text()
    needs = card.locator(".needs-list")
    assert needs.locator("li").count() == 1
    button = card.get_by_role("button", name="Mark the step done and move on to step 4: Agreeing the assessment")
    assert button.is_visible()
    assert axe_violations(page) == []
    no_sideways_scroll(page)

    # Do what it asks: the link leads to naming the contact person.
    needs.get_by_role("link", name="Name the contact person").click()
    page.locator("#id_contact-user").select_option(str(nurse.pk))
    page.get_by_role("button", name="Name the contact person").click()
    page.goto(case_url)
    assert "✓ A contact person is named" in page.locator("section.now").inner_text()

    # Recording the step: type what it produced, press the button.
    actions = Actions(page)
    actions.type(page.get_by_label("What did this step produce?"), "Health check done, team assembled.")
    actions.click(page.get_by_role("button", name="Mark the step done and move on to step 4"))
    page.wait_for_load_state()
    assert "Now: step 4 of 9" in page.content()
    assert actions.count <= 4, actions.count
    assert actions.count == 2
    # Step 4 says up front that it needs a goal in the plan, with the link to write one.
    card = page.locator("section.now")
    assert "The service plan has at least one goal" in card.inner_text()
    assert card.get_by_role("link", name="Write a goal in the service plan").get_attribute("href") == reverse(
        "plans:edit", args=[episode.pk]
    )


def test_step_card_in_finnish(browser, live_server, episode):
    finnish_shots(browser, live_server, "nurse", reverse("cases:detail", args=[episode.pk]), "step-needs")
