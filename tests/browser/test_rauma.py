"""The Rauma study-end transition in a real browser (issue 10 item 3): a student health care nurse hands a
graduating student over (the information gathered is asked for only then), the receiving nurse accepts it
on the Rauma pathway preselected from the reason, the case page shows steps 1–5 done by the handover and
step 6 in progress, and the nurse then corrects the pathway with a reason. Every page is checked with axe
(WCAG 2.1 AA) at 1280 and 375 px; the Finnish pages are photographed at both widths."""

import datetime

import pytest

from tests.browser.conftest import login
from tests.browser.finnish import finnish_shots
from tests.browser.test_handovers import check_page, switch_user
from tukipolku.cases.models import Episode
from tukipolku.clients.tests.factories import make_identity_code
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory, member
from tukipolku.handovers.models import Handover
from tukipolku.pathways.models import Pathway
from tukipolku.pathways.selectors import pathway_version_current

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(team, satakunta):
    school = OrganisationFactory(name="Opiskeluterveydenhuolto Rauma", kind=OrganisationKind.STUDENT_HEALTH)
    return {
        "team": team,
        "sender": UserFactory(
            username="student_health",
            profession=Profession.STUDENT_HEALTH,
            organisation=school,
            first_name="Sari",
            last_name="Koulu",
            title="Opiskeluterveydenhoitaja",
        ),
        "nurse": member(team, username="nurse", first_name="Sanna", last_name="Lehtinen"),
    }


def test_rauma_study_end_transition_from_student_health_to_the_team(page, world, browser, live_server):
    code = make_identity_code(datetime.date(2003, 5, 14), 961)
    login(page, "student_health")

    # The student health care nurse opens the handover of a graduating student.
    page.goto("/handovers/new/")
    page.get_by_label("Personal identity code").fill(code)
    page.get_by_label("First names").fill("Aino Helmi")
    page.get_by_label("Last name").fill("Valmistuja")
    page.get_by_label("Receiving work ability team").select_option(
        label=f"{world['team'].name} – {world['team'].organisation.name}"
    )
    page.get_by_label("A student with partial work ability graduates").check()
    page.get_by_label("Background").fill(
        "Graduates as a business administrator at Christmas; anxiety slows job search."
    )
    page.get_by_label("The person agreed to the escorted handover").check()
    page.get_by_label("In writing").check()
    page.get_by_role("button", name="Open the handover").click()
    page.wait_for_load_state()
    # For a graduating student the information gathered is needed: said next to the fields, input kept.
    assert "Choose whom information was gathered from." in page.content()
    assert "Write what the gathered information shows." in page.content()
    assert page.get_by_label("Last name").input_value() == "Valmistuja"
    check_page(page, "rauma-01-open-form-error")
    page.get_by_label("Teachers").check()
    page.get_by_label("Study counsellor").check()
    page.get_by_label("What the gathered information shows").fill(
        "Absences because of anxiety; the traineeship went well with support."
    )
    page.get_by_role("button", name="Open the handover").click()
    page.wait_for_load_state()
    assert "Next: record the preparatory meeting." in page.content()
    handover = Handover.objects.get()
    assert handover.info_sources == ["teachers", "study_counsellor"]

    # The receiving nurse accepts it: the Rauma pathway is preselected from the reason.
    switch_user(page, "nurse")
    page.goto(f"/handovers/{handover.pk}/")
    rauma = Pathway.objects.get(code="rauma_study_end")
    choice = page.get_by_label("Pathway:", exact=True)
    assert choice.input_value() == str(rauma.pk)
    assert "Teachers, Study counsellor" in page.content()
    check_page(page, "rauma-02-accept")
    finnish_shots(browser, live_server, "nurse", f"/handovers/{handover.pk}/", "rauma-accept")
    choice.select_option(str(rauma.pk))
    page.get_by_role("button", name="Accept the handover").click()
    page.wait_for_load_state()

    # The case page: steps 1–5 done by the handover with what it recorded, step 6 in progress.
    assert "The handover is accepted and the client relationship is open." in page.content()
    episode = Episode.objects.get()
    assert episode.pathway_version.pathway == rauma and episode.current_step.order == 6
    steps = page.locator("ol.timeline")
    assert steps.inner_text().count("Done by the escorted handover from Opiskeluterveydenhuolto Rauma") == 5
    assert "Absences because of anxiety" in steps.inner_text()
    current = steps.locator("li.is-current")
    assert current.inner_text().startswith("6")
    check_page(page, "rauma-03-case-page")
    finnish_shots(browser, live_server, "nurse", f"/episodes/{episode.pk}/", "rauma-case-page-accepted")

    # The team finds the student is better served by the Satakunta process from step 3: corrected with a reason.
    page.get_by_role("link", name="Correct the pathway or the starting step").click()
    page.wait_for_load_state()
    satakunta_step = pathway_version_current(pathway=Pathway.objects.get(code="satakunta")).steps.get(order=3)
    page.get_by_label("Pathway and the step to continue from").select_option(str(satakunta_step.pk))
    page.get_by_role("button", name="Correct", exact=True).click()
    page.wait_for_load_state()
    assert "This field is required." in page.content()  # the reason, next to its field; the choice kept
    assert page.get_by_label("Pathway and the step to continue from").input_value() == str(satakunta_step.pk)
    check_page(page, "rauma-04-correct-error")
    page.get_by_label("Why is it corrected?").fill("The student needs the team's assessment first.")
    page.get_by_role("button", name="Correct", exact=True).click()
    page.wait_for_load_state()
    assert "Corrected." in page.content()
    history = page.locator("ol.history").inner_text()
    assert "Pathway or starting step corrected" in history
    assert "The student needs the team's assessment first." in history
    episode.refresh_from_db()
    assert episode.current_step == satakunta_step
    assert page.get_by_role("link", name="Correct the pathway or the starting step").count() == 1  # not moved on yet
    check_page(page, "rauma-05-corrected")

    # The Finnish pages at phone and desktop widths.
    finnish_shots(browser, live_server, "nurse", f"/episodes/{episode.pk}/", "rauma-case-page")
    finnish_shots(browser, live_server, "nurse", f"/episodes/{episode.pk}/correct/", "rauma-correct")
    finnish_shots(browser, live_server, "student_health", f"/handovers/{handover.pk}/", "rauma-handover")
