"""The nurse's whole client process in a real browser: open, team, nine steps, plan, meeting, close."""

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import Actions, axe_violations, shot
from tukipolku.clients.tests.factories import make_identity_code
from tukipolku.core.choices import Profession
from tukipolku.core.tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(team, nurse, satakunta, eura):
    satakunta.teams.add(team)  # the team works on the Satakunta model (set by the administrator)
    return {
        "satakunta": satakunta,
        "nurse": nurse,
        "physician": member(
            team, profession=Profession.PHYSICIAN, username="doc", first_name="Lea", last_name="Lääkäri"
        ),
        "social": member(
            team, profession=Profession.SOCIAL_WORKER, username="sw", first_name="Sami", last_name="Sosiaali"
        ),
    }


def complete_step(act, output: str) -> None:
    act.fill(act.page.get_by_label("What did this step produce?"), output)
    act.click(act.page.get_by_role("button", name="Mark the step done and move on"))
    act.page.wait_for_load_state()


def assert_accessible(page, name: str) -> None:
    violations = axe_violations(page)
    shot(page, name)
    assert violations == [], f"{name}: {violations}"


# The whole journey from the login page to the closed relationship, in user actions (each click, field
# filled, choice picked, box ticked, key pressed or address typed; tests/browser/conftest.py Actions).
# The goal is 80 and the brief's 60; the budget is what the product achieves now, so that any
# change that adds work for the user fails here. docs/usability.md lists what each part takes.
JOURNEY_BUDGET = 60


def test_nurse_walks_the_whole_satakunta_process(page, people):
    nurse, physician, social = people["nurse"], people["physician"], people["social"]
    nurse.first_name, nurse.last_name = "Noora", "Terveydenhoitaja"
    nurse.save()
    code = make_identity_code(datetime.date(1988, 4, 12), 941)
    act = Actions(page)
    act.goto("/login/")
    act.fill(page.get_by_label("Username"), "nurse")
    act.fill(page.get_by_label("Password"), "test-password-123")
    act.click(page.get_by_role("button", name="Log in"))
    page.wait_for_load_state()
    act.mark("log in")
    assert_accessible(page, "01-caseload-empty")

    # Open an episode for a new client: the caseload's search field takes the identity code; none of the
    # caseload has it, so it offers the lookup among all clients (POST), then the one-screen form.
    act.type(page.get_by_label("Find a client"), code.lower())
    act.click(page.get_by_role("button", name="Look it up among all clients"))
    page.wait_for_load_state()
    assert code.lower() not in page.url and code not in page.url
    assert page.get_by_label("Personal identity code").input_value() == code
    act.fill(page.get_by_label("First names"), "Aino Maria")
    act.fill(page.get_by_label("Last name"), "Testinen")
    act.select(page.get_by_label("Employment situation"), "unemployed")
    assert page.get_by_label("Operating model").input_value() == str(people["satakunta"].pk)  # the team's
    act.select(page.get_by_label("Where was the need noticed?"), "employment_services")
    act.check(page.get_by_label("Unemployment threatens to become long"))
    act.fill(page.get_by_label("Describe the need for support"), "Unemployed for 14 months, back pain and low mood.")
    act.check(page.get_by_label("The client agreed to be taken to the work ability team"))
    act.select(page.get_by_label("How the client agreed"), "oral")
    act.click(page.get_by_role("button", name="Open the client relationship"))
    page.wait_for_load_state()
    act.mark("find the client by identity code and open the relationship")
    assert page.get_by_role("heading", name="Testinen Aino Maria").is_visible()
    assert "Now: step 1 of 9" in page.content()
    assert_accessible(page, "02-case-page-new")
    case_url = page.url

    complete_step(act, "Need recorded at the employment services' referral.")
    complete_step(act, "Appointment booked with the public health nurse.")
    act.mark("steps 1-2")

    # Step 3 needs a contact person: the page says so.
    act.fill(page.get_by_label("What did this step produce?"), "Health check done, team assembled.")
    act.click(page.get_by_role("button", name="Mark the step done and move on"))
    assert "Name the contact person first." in page.content()
    assert page.get_by_label("What did this step produce?").input_value() == "Health check done, team assembled."

    needs = page.locator(".needs-list")
    assert "A contact person is named" in needs.inner_text()
    act.click(needs.get_by_role("link", name="Name the contact person"))
    act.select(page.locator("#id_user"), str(physician.pk))
    act.fill(page.get_by_label("Role in this case"), "Work ability assessment")
    act.click(page.get_by_role("button", name="Add to the team"))
    # Naming the contact person adds her to the client's team too, as the field says.
    assert "also adds them to the client's team" in page.locator("#id_contact-user_helptext").inner_text()
    act.select(page.locator("#id_contact-user"), str(social.pk))
    act.click(page.get_by_role("button", name="Name the contact person"))
    assert "Responsibility recorded." in page.content()
    assert "Sami Sosiaali" in page.locator("table.list").inner_text()
    act.select(page.locator("#id_contact-user"), str(nurse.pk))
    act.fill(page.locator("#id_contact-note"), "Nurse coordinates during the assessment")
    act.click(page.get_by_role("button", name="Change the contact person"))
    history = page.get_by_role("heading", name="History of responsibilities").locator("xpath=following-sibling::ol[1]")
    assert history.locator("li").count() == 2
    assert_accessible(page, "03-team")
    act.goto(case_url)
    # What was typed before the refusal waits in the step's field.
    assert page.get_by_label("What did this step produce?").input_value() == "Health check done, team assembled."
    act.click(page.get_by_role("button", name="Mark the step done and move on"))
    assert "Now: step 4 of 9" in page.content()
    act.mark("step 3: the refusal, the client's team and the contact person")

    # Step 4 needs a goal in the plan: the card links to the plan, whose second button saves and marks the
    # step done (the step's output names the plan version).
    act.click(page.locator(".needs-list").get_by_role("link", name="Write a goal in the service plan"))
    act.fill(page.get_by_label("Situation and the client's own view"), "Wants to return to warehouse work part time.")
    goal = page.locator("fieldset.goal").first
    act.select(goal.get_by_label("Domain"), "work_capacity")
    act.fill(
        goal.locator("input[name='goals-0-description']"), "Back pain under control so that light work is possible"
    )
    act.fill(goal.get_by_label("In the client's own words"), "I want to lift boxes again")
    act.fill(goal.locator("input[name='goals-0-actions-0-title']"), "Physiotherapy assessment")
    act.select(goal.locator("select[name='goals-0-actions-0-owner']"), str(physician.pk))
    act.fill(
        goal.locator("input[name='goals-0-actions-0-due_on']"),
        (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
    )
    assert_accessible(page, "04-plan-form")
    act.click(page.get_by_role("button", name="Save and mark step 4 done"))
    assert "The plan is saved." in page.content()
    assert "Now: step 5 of 9" in page.content()
    assert page.url == case_url
    act.mark("step 4: the service plan")

    # Step 5 needs the client's agreement to the current plan version: the same in one press.
    act.click(page.locator(".needs-list").get_by_role("link", name="Record the client's agreement"))
    assert page.get_by_label("How the client agreed").input_value() == "in_meeting"  # the first choice
    act.click(page.get_by_role("button", name="Record and mark step 5 done"))
    assert "The client's agreement is recorded." in page.content()
    assert "Now: step 6 of 9" in page.content()
    act.mark("step 5: the client's agreement")
    complete_step(act, "Physiotherapy assessment and laboratory tests done.")
    act.mark("step 6")

    # Step 7 needs a meeting with the client: the form starts as a joint meeting the client took part in.
    act.click(page.get_by_role("link", name="Record a meeting").first)
    assert page.get_by_label("Kind of meeting").input_value() == "joint"
    assert page.get_by_label("The client took part").is_checked()
    act.fill(page.get_by_label("Minutes"), "Agreed on a work trial at a warehouse.")
    act.fill(page.locator("input[name='decisions-0-text']"), "Arrange a work trial")
    act.select(page.locator("select[name='decisions-0-owner']"), str(social.pk))
    act.fill(
        page.locator("input[name='decisions-0-due_on']"),
        (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
    )
    act.click(page.get_by_role("button", name="Save and mark step 7 done"))
    assert "The meeting is recorded." in page.content()
    assert "Now: step 8 of 9" in page.content()
    act.mark("step 7: the joint meeting")

    # An entry in the nurse's own (health) register, offered first to a nurse: registers stay apart.
    assert page.get_by_label("Register").input_value() == "health"
    act.fill(page.locator("textarea[name='text']"), "Income support application discussed.")
    act.click(page.get_by_role("button", name="Save the entry"))
    assert "The entry is saved." in page.content()
    complete_step(act, "Followed the work trial; it went well.")
    act.mark("step 8 and an entry in the health register")

    # Step 9: close with an outcome and a follow-up.
    assert "Now: step 9 of 9" in page.content()
    act.click(page.get_by_role("link", name="Close the client relationship with an outcome"))
    act.click(page.get_by_role("button", name="Close the client relationship"))
    assert "Choose the outcome" in page.content()
    act.select(page.locator("select[name='outcome']"), "open_labour_market")
    act.fill(page.get_by_label("Details"), "Warehouse assistant, 25 h/week")
    act.click(page.get_by_role("button", name="Close the client relationship"))
    assert "The client relationship is closed." in page.content()
    act.mark("step 9: closing with the outcome and the follow-ups")
    print(f"\nThe Satakunta journey from the login page to the closed relationship:\n{act.summary()}")
    assert act.count <= 80, f"{act.count} actions: over the issue's goal of 80\n{act.summary()}"
    assert act.count <= JOURNEY_BUDGET, f"{act.count} actions, budget {JOURNEY_BUDGET}\n{act.summary()}"

    # The case page shows all of it.
    text = page.content()
    for expected in [
        "Employed in the open labour market",
        "Warehouse assistant, 25 h/week",
        "Agreed follow-up",
        "Back pain under control",
        "Arrange a work trial",
        "Joint meeting with the client",
        "Income support application discussed.",
        "Client relationship opened",
        "Contact person named",
        "Client agreed to the plan",
        "Client relationship closed",
    ]:
        assert expected in text, expected
    assert page.locator(".timeline li.is-done").count() == 9
    assert page.dialogs == []
    assert_accessible(page, "05-case-page-closed")
    page.set_viewport_size({"width": 375, "height": 800})
    shot(page, "06-case-page-375")
    page.get_by_role("button", name="Menu").click()  # the header menu folds on phones
    page.get_by_role("link", name="My caseload").first.click()
    assert_accessible(page, "07-caseload")


def test_save_and_mark_done_and_the_lookup_in_finnish(browser, live_server, nurse, team, satakunta):
    """The plan's and the meeting's second button and the caseload's lookup, in Finnish at 375 and 1280 px."""
    from django.urls import reverse

    from conftest import open_episode
    from tests.browser.finnish import finnish_shots
    from tukipolku.cases.models import Episode

    episode = open_episode(nurse, team, satakunta)
    steps = {s.completion_check: s for s in episode.pathway_version.steps.all()}

    def at(check):
        Episode.objects.filter(pk=episode.pk).update(current_step=steps[check])

    def accessible_with(button):
        def act(page):
            assert page.get_by_role("button", name=button).is_visible()
            assert axe_violations(page) == []

        return act

    at("plan")
    finnish_shots(
        browser,
        live_server,
        "nurse",
        reverse("plans:edit", args=[episode.pk]),
        "finish-plan",
        accessible_with("Tallenna ja merkitse vaihe 4 tehdyksi"),
    )
    at("joint_meeting")
    finnish_shots(
        browser,
        live_server,
        "nurse",
        reverse("meetings:create", args=[episode.pk]),
        "finish-meeting",
        accessible_with("Tallenna ja merkitse vaihe 7 tehdyksi"),
    )

    def lookup(page):
        page.locator("#id_q").press_sequentially(make_identity_code(datetime.date(1990, 1, 1), 955))
        page.get_by_role("button", name="Hae kaikista asiakkaista").wait_for()
        assert axe_violations(page) == []

    finnish_shots(browser, live_server, "nurse", reverse("cases:caseload"), "caseload-lookup", lookup)
