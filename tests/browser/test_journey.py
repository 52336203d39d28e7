"""The nurse's whole client process in a real browser: open, team, nine steps, plan, meeting, close."""

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import axe_violations, login, shot
from tukipolku.clients.tests.factories import make_identity_code
from tukipolku.core.choices import Profession
from tukipolku.core.tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(team, nurse, satakunta):
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


def complete_step(page, output: str) -> None:
    page.get_by_label("What did this step produce?").fill(output)
    page.get_by_role("button", name="Mark the step done and move on").click()
    page.wait_for_load_state()


def assert_accessible(page, name: str) -> None:
    violations = axe_violations(page)
    shot(page, name)
    assert violations == [], f"{name}: {violations}"


def test_nurse_walks_the_whole_satakunta_process(page, people):
    nurse, physician, social = people["nurse"], people["physician"], people["social"]
    nurse.first_name, nurse.last_name = "Noora", "Terveydenhoitaja"
    nurse.save()
    code = make_identity_code(datetime.date(1988, 4, 12), 941)
    login(page, "nurse")
    assert_accessible(page, "01-caseload-empty")

    # Open an episode for a new client: search by identity code (POST), then the one-screen form.
    page.get_by_role("link", name="New client relationship").first.click()
    page.get_by_label("Identity code or name").fill(code.lower())
    page.get_by_role("button", name="Search").click()
    assert code.lower() not in page.url and code not in page.url
    assert page.get_by_label("Personal identity code").input_value() == code
    page.get_by_label("First names").fill("Aino Maria")
    page.get_by_label("Last name").fill("Testinen")
    page.get_by_label("Employment situation").select_option("unemployed")
    page.get_by_label("Operating model").select_option(str(people["satakunta"].pk))
    page.get_by_label("Where was the need noticed?").select_option("employment_services")
    page.get_by_label("Unemployment threatens to become long").check()
    page.get_by_label("Describe the need for support").fill("Unemployed for 14 months, back pain and low mood.")
    page.get_by_label("The client agreed to be taken to the work ability team").check()
    page.get_by_label("How the client agreed").select_option("oral")
    page.get_by_role("button", name="Open the client relationship").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Testinen Aino Maria").is_visible()
    assert "Now: step 1 of 9" in page.content()
    assert_accessible(page, "02-case-page-new")
    case_url = page.url

    complete_step(page, "Need recorded at the employment services' referral.")
    complete_step(page, "Appointment booked with the public health nurse.")

    # Step 3 needs a contact person: the page says so.
    page.get_by_label("What did this step produce?").fill("Health check done, team assembled.")
    page.get_by_role("button", name="Mark the step done and move on").click()
    assert "Name the contact person first." in page.content()
    assert page.get_by_label("What did this step produce?").input_value() == "Health check done, team assembled."

    needs = page.locator(".needs-list")
    assert "A contact person is named" in needs.inner_text()
    needs.get_by_role("link", name="Name the contact person").click()
    page.locator("#id_user").select_option(str(physician.pk))
    page.get_by_label("Role in this case").fill("Work ability assessment")
    page.get_by_role("button", name="Add to the team").click()
    page.locator("#id_user").select_option(str(social.pk))
    page.get_by_role("button", name="Add to the team").click()
    page.locator("#id_contact-user").select_option(str(social.pk))
    page.get_by_role("button", name="Name the contact person").click()
    assert "Responsibility recorded." in page.content()
    page.locator("#id_contact-user").select_option(str(nurse.pk))
    page.locator("#id_contact-note").fill("Nurse coordinates during the assessment")
    page.get_by_role("button", name="Change the contact person").click()
    history = page.get_by_role("heading", name="History of responsibilities").locator("xpath=following-sibling::ol[1]")
    assert history.locator("li").count() == 2
    assert_accessible(page, "03-team")
    page.goto(case_url)
    complete_step(page, "Health check done, team of nurse, physician and social worker.")

    # Step 4 needs a goal in the plan.
    page.get_by_role("link", name="Service plan").first.click()
    page.get_by_label("Situation and the client's own view").fill("Wants to return to warehouse work part time.")
    goal = page.locator("fieldset.goal").first
    goal.get_by_label("Domain").select_option("work_capacity")
    goal.locator("input[name='goals-0-description']").fill("Back pain under control so that light work is possible")
    goal.get_by_label("In the client's own words").fill("I want to lift boxes again")
    goal.locator("input[name='goals-0-actions-0-title']").fill("Physiotherapy assessment")
    goal.locator("select[name='goals-0-actions-0-owner']").select_option(str(physician.pk))
    goal.locator("input[name='goals-0-actions-0-due_on']").fill(
        (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    )
    assert_accessible(page, "04-plan-form")
    page.get_by_role("button", name="Save the plan").click()
    assert "The plan is saved." in page.content()
    page.goto(case_url)
    complete_step(page, "Service plan drafted with the client.")

    # Step 5 needs the client's agreement to the current plan version.
    page.locator(".needs-list").get_by_role("link", name="Record the client's agreement").click()
    page.get_by_label("How the client agreed").select_option("in_meeting")
    page.get_by_role("button", name="Record agreement to version 1").click()
    assert "The client's agreement is recorded." in page.content()
    page.goto(case_url)
    complete_step(page, "Capacity assessed together; plan agreed.")
    complete_step(page, "Physiotherapy assessment and laboratory tests done.")

    # Step 7 needs a meeting with the client.
    page.get_by_role("link", name="Record a meeting").first.click()
    page.get_by_label("Kind of meeting").select_option("joint")
    page.get_by_label("The client took part").check()
    page.get_by_label("Minutes").fill("Agreed on a work trial at a warehouse.")
    page.locator("input[name='decisions-0-text']").fill("Arrange a work trial")
    page.locator("select[name='decisions-0-owner']").select_option(str(social.pk))
    page.locator("input[name='decisions-0-due_on']").fill(
        (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    )
    page.get_by_role("button", name="Save the meeting").click()
    assert "The meeting is recorded." in page.content()
    complete_step(page, "Joint meeting held, work trial agreed.")

    # An entry in the nurse's own (health) register: registers stay apart.
    page.get_by_label("Register").select_option("health")
    page.locator("textarea[name='text']").fill("Income support application discussed.")
    page.get_by_role("button", name="Save the entry").click()
    assert "The entry is saved." in page.content()
    complete_step(page, "Followed the work trial; it went well.")

    # Step 9: close with an outcome and a follow-up.
    assert "Now: step 9 of 9" in page.content()
    page.get_by_role("link", name="Close the client relationship with an outcome").click()
    page.get_by_role("button", name="Close the client relationship").click()
    assert "Choose the outcome" in page.content()
    page.locator("select[name='outcome']").select_option("open_labour_market")
    page.get_by_label("Details").fill("Warehouse assistant, 25 h/week")
    page.get_by_role("button", name="Close the client relationship").click()
    assert "The client relationship is closed." in page.content()

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
    page.get_by_role("link", name="My caseload").first.click()
    assert_accessible(page, "07-caseload")
