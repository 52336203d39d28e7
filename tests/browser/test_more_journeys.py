"""More browser journeys: step skips and returns, finding clients, closing and reopening, the board,
languages and Finnish dates, kept input after errors, pathway versions in the admin, and two people
saving the same plan."""

import pytest
from django.utils import timezone
from django.utils.translation import gettext, override
from playwright.sync_api import expect

from conftest import open_episode
from tests.browser.conftest import axe_violations, login
from tukipolku.cases import services as case_services
from tukipolku.clients.tests.factories import ClientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def gettext_in(language: str, message: str) -> str:
    with override(language):
        return gettext(message)


def expand(page, summary: str) -> None:
    """Open a <details> panel by its summary text."""
    page.locator("summary", has_text=summary).click()


def field_group(page, control):
    """The div that holds a field's label, help, errors and input together."""
    return page.locator("div.field", has=control)


def test_step_skip_and_go_back(page, episode):
    login(page, "nurse")
    page.goto(f"/episodes/{episode.pk}/")
    assert "Now: step 1 of 9" in page.content()

    # Skipping without a reason: the error sits next to the reason and the case page stays.
    expand(page, "Skip this step")
    reason = page.get_by_label("Why is this step skipped?")
    page.get_by_role("button", name="Skip the step").click()
    page.wait_for_load_state()
    group = field_group(page, reason)
    assert "has-error" in group.get_attribute("class")
    assert group.locator(".errorlist").inner_text().strip()
    assert reason.is_visible()  # the panel stays open
    assert page.get_by_role("heading", name=episode.client.full_name).is_visible()
    assert "Now: step 1 of 9" in page.content()

    reason.fill("Need already recorded by the employment services.")
    page.get_by_role("button", name="Skip the step").click()
    page.wait_for_load_state()
    assert "Step skipped." in page.content()
    assert "Now: step 2 of 9" in page.content()

    # At step 2, go back to step 1 with a reason.
    step1 = episode.pathway_version.steps.get(order=1)
    expand(page, "Go back to an earlier step")
    back = page.locator("form", has=page.locator("input[name=action][value=return]"))
    back.get_by_label("Go back to").select_option(str(step1.pk))
    page.get_by_label("Why go back?").fill("The referral was incomplete after all.")
    back.get_by_role("button", name="Go back").click()
    page.wait_for_load_state()
    assert "Returned to an earlier step." in page.content()
    assert "Now: step 1 of 9" in page.content()

    timeline = page.locator("ol.timeline").inner_text()
    assert "reason: Need already recorded by the employment services." in timeline
    assert "reason: The referral was incomplete after all." in timeline
    history = page.locator("ol.history").inner_text()
    assert "Step skipped" in history
    assert "Reason: Need already recorded by the employment services." in history
    assert "Returned to an earlier step" in history
    assert "Reason: The referral was incomplete after all." in history
    assert axe_violations(page) == []
    assert page.dialogs == []


def test_find_existing_client_by_name_and_identity_code(page, nurse, outsider, team, other_team, satakunta):
    client = ClientFactory(first_names="Helmi Sofia", last_name="Kallioniemi")
    existing = open_episode(nurse, team, satakunta, client=client)
    code = client.identity_code
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))

    # The nurse of the client's team finds them by part of the last name.
    login(page, "nurse")
    page.get_by_role("link", name="New client relationship").first.click()
    page.get_by_label("Identity code or name").fill("allioni")
    page.get_by_role("button", name="Search").click()
    hits = page.locator("ul.hits > li")
    assert hits.count() == 1
    assert "Kallioniemi Helmi Sofia" in hits.inner_text()
    hits.get_by_role("link", name=team.name).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/episodes/{existing.pk}/")
    assert page.get_by_role("heading", name="Kallioniemi Helmi Sofia").is_visible()

    # Another organisation's nurse: the name finds nobody, the exact identity code finds the client.
    page.context.clear_cookies()
    login(page, "outsider")
    page.get_by_role("link", name="New client relationship").first.click()
    page.get_by_label("Identity code or name").fill("Kallioniemi")
    page.get_by_role("button", name="Search").click()
    assert page.locator("ul.hits").count() == 0
    assert "No client of your teams matches the name." in page.content()
    assert "Kallioniemi Helmi Sofia" not in page.locator("main").inner_text()

    page.get_by_label("Identity code or name").fill(code)
    page.get_by_role("button", name="Search").click()
    hits = page.locator("ul.hits > li")
    assert hits.count() == 1
    assert "Kallioniemi Helmi Sofia" in hits.inner_text()
    assert "This client has no relationship with your teams. You can open one." in hits.inner_text()
    assert hits.get_by_role("link", name=team.name).count() == 0  # the other team's episode stays hidden
    assert axe_violations(page) == []
    hits.get_by_role("link", name="Open a new relationship for this client").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Open a client relationship").is_visible()
    teams = page.get_by_label("Team:", exact=True)
    expect(teams.locator("option")).to_have_text([other_team.name])
    page.get_by_label("Describe the need for support").fill("Moved here; needs a new work ability assessment.")
    page.get_by_label("The client agreed to be taken to the work ability team").check()
    page.get_by_role("button", name="Open the client relationship").click()
    page.wait_for_load_state()
    assert "The client relationship is open." in page.content()
    assert other_team.name in page.locator(".client-line").inner_text()
    assert client.episodes.filter(team=other_team).count() == 1

    assert urls
    assert not [u for u in urls if code.lower() in u.lower()]
    assert page.dialogs == []


def test_close_and_reopen(page, episode, nurse):
    from dateutil.relativedelta import relativedelta

    login(page, "nurse")
    page.goto(f"/episodes/{episode.pk}/")
    page.get_by_role("link", name="Close", exact=True).click()
    page.wait_for_load_state()
    page.locator("select[name=outcome]").select_option(label="Client withdrew")
    assert page.get_by_label("3 months", exact=True).is_checked()
    page.get_by_label("Who follows up").select_option(str(nurse.pk))
    page.get_by_label("I close the client relationship before the pathway's end").check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Close the client relationship").click()
    page.wait_for_load_state()
    assert "The client relationship is closed." in page.content()
    closed = page.locator("section.closed")
    assert closed.get_by_role("heading", name="Closed", exact=True).is_visible()
    assert "Client withdrew" in closed.inner_text()
    today = timezone.localdate()
    d = today + relativedelta(months=3)
    assert f"{d.day}.{d.month}.{d.year} – {nurse.display_name}" in closed.inner_text()
    assert "Now: step" not in page.content()

    expand(page, "Reopen the client relationship")
    page.get_by_label("Why is the relationship reopened?").fill("The client changed their mind and wants support.")
    page.get_by_role("button", name="Reopen", exact=True).click()
    page.wait_for_load_state()
    assert "The client relationship is open again." in page.content()
    assert "Now: step 1 of 9" in page.content()
    history = page.locator("ol.history").inner_text()
    assert "Client relationship closed" in history
    assert "Client relationship reopened" in history
    assert "Reason: The client changed their mind and wants support." in history
    assert axe_violations(page) == []
    assert page.dialogs == []


def test_board_filters(page, nurse, physician, team, satakunta):
    names = [("Aarne", "Ahonen"), ("Bertta", "Backman"), ("Cecilia", "Carlsson")]
    episodes = [
        open_episode(nurse, team, satakunta, client=ClientFactory(first_names=first, last_name=last))
        for first, last in names
    ]
    case_services.assignment_set(actor=nurse, episode=episodes[1], kind="contact_person", user=physician)

    login(page, "nurse")
    page.get_by_role("link", name="Team board").click()
    page.wait_for_load_state()
    first_column = page.get_by_role("region", name=episodes[0].current_step.name_en)
    cards = first_column.locator("li.card-item")
    clients = cards.get_by_role("link")
    expect(clients).to_have_text(["Ahonen Aarne", "Backman Bertta", "Carlsson Cecilia"])  # same due: by age
    assert "3 open client relationships" in page.content()
    assert axe_violations(page) == []

    # The select shows the operating model the board shows, so filtering keeps it.
    assert page.get_by_label("Operating model").input_value() == str(satakunta.pk)
    page.get_by_label("Contact person").select_option(str(physician.pk))
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    expect(clients).to_have_text(["Backman Bertta"])
    expect(cards).to_contain_text(physician.display_name)
    assert page.get_by_label("Contact person").input_value() == str(physician.pk)

    page.get_by_role("link", name="Clear filters").click()
    page.wait_for_load_state()
    expect(cards).to_have_count(3)
    page.get_by_label("Client's name").fill("carls")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    expect(clients).to_have_text(["Carlsson Cecilia"])
    assert "1 open client relationship" in page.content()
    assert axe_violations(page) == []
    assert page.dialogs == []


def test_language_switch_and_finnish_dates(page, episode):
    login(page, "nurse")
    assert page.get_by_role("heading", level=1).inner_text() == "My caseload"
    assert page.locator("html").get_attribute("lang") == "en"

    language = "Language"
    for code, name in [("sv", "Svenska"), ("fi", "Suomi")]:
        page.get_by_label(language, exact=True).select_option(label=name)
        page.locator("form.lang-form").get_by_role("button").click()
        page.wait_for_load_state()
        heading = gettext_in(code, "My caseload")
        assert heading != "My caseload"
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert page.locator("html").get_attribute("lang") == code
        assert page.get_by_role("navigation", name=gettext_in(code, "Main")).get_by_role("link", name=heading).count()
        language = gettext_in(code, "Language")

    # The choice sticks, and dates read d.m.yyyy.
    page.goto(f"/episodes/{episode.pk}/")
    assert page.locator("html").get_attribute("lang") == "fi"
    due_label = gettext_in("fi", "Due")
    now = gettext_in("fi", "Now: step %(n)s of %(total)s") % {"n": 1, "total": 9}
    assert page.get_by_role("heading", name=now).is_visible()
    due = episode.current_step_due
    facts = page.locator("section.now dl.facts > div", has=page.locator("dt", has_text=due_label))
    assert facts.locator("dd").inner_text().strip() == f"{due.day}.{due.month}.{due.year}"
    born = episode.client.birth_date
    assert f"{born.day}.{born.month}.{born.year}" in page.locator(".client-line").inner_text()
    started = timezone.localdate()
    assert f"{started.day}.{started.month}.{started.year}" in page.locator("ol.timeline").inner_text()
    assert axe_violations(page) == []
    assert page.dialogs == []


def test_bad_input_is_kept(page, nurse, satakunta):
    login(page, "nurse")
    page.goto("/intake/new/")
    code = page.get_by_label("Personal identity code")
    typed = {
        "First names": "Onni Ilmari",
        "Last name": "Virhekoski",
        "Phone": "040 123 4567",
        "Municipality of residence": "Pori",
        "Describe the need for support": "Long sick leave, wants to try part-time work.",
    }
    code.fill("010190-999X")
    for label, value in typed.items():
        page.get_by_label(label).fill(value)
    page.get_by_label("Employment situation").select_option("unemployed")
    page.get_by_label("Unemployment threatens to become long").check()
    page.get_by_label("The client agreed to be taken to the work ability team").check()
    page.get_by_role("button", name="Open the client relationship").click()
    page.wait_for_load_state()

    error = field_group(page, code)
    assert "Invalid identity code: " in error.locator(".errorlist").inner_text()
    assert code.get_attribute("aria-invalid") == "true"
    assert code.input_value() == "010190-999X"
    for label, value in typed.items():
        assert page.get_by_label(label).input_value() == value, label
    assert page.get_by_label("Employment situation").input_value() == "unemployed"
    assert page.get_by_label("Unemployment threatens to become long").is_checked()
    assert page.get_by_label("The client agreed to be taken to the work ability team").is_checked()
    assert page.locator(".errorlist").count() == 1  # only the identity code is wrong

    # An impossible date: the error is next to the date and the date stays as typed.
    consent_on = page.get_by_label("Date of agreement")
    consent_on.fill("31.2.2026")
    page.get_by_role("button", name="Open the client relationship").click()
    page.wait_for_load_state()
    date_error = field_group(page, consent_on)
    assert "has-error" in date_error.get_attribute("class")
    assert "valid date" in date_error.locator(".errorlist").inner_text()
    assert consent_on.input_value() == "31.2.2026"
    assert page.get_by_label("Last name").input_value() == "Virhekoski"
    assert axe_violations(page) == []
    assert page.dialogs == []


def test_admin_pathway_new_version(page, admin_user, episode, nurse, team, satakunta):
    new_name = "Ohjaus työkykytiimiin (päivitetty)"
    login(page, "admin")
    assert page.url.endswith("/admin/")
    # Django's own change lists fail axe's link-in-text-block (breadcrumbs), so check the admin index.
    assert axe_violations(page) == []

    page.get_by_role("link", name="Pathways", exact=True).last.click()
    page.wait_for_load_state()
    page.locator("#result_list tbody tr", has=page.get_by_role("link", name="satakunta", exact=True)).locator(
        "input[name=_selected_action]"
    ).check()
    page.locator("select[name=action]").select_option(label="Create a new draft version of the selected pathways")
    page.get_by_role("button", name="Go").click()
    page.wait_for_load_state()
    assert "is ready for editing." in page.locator(".messagelist").inner_text()

    page.get_by_role("link", name="Pathway versions").first.click()
    page.wait_for_load_state()
    draft_row = page.locator("#result_list tbody tr", has_text="Draft")
    assert draft_row.count() == 1
    draft_row.locator("th a").click()
    page.wait_for_load_state()
    assert page.locator("input[name='steps-1-order']").input_value() == "2"
    page.locator("input[name='steps-1-name_fi']").fill(new_name)
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert "was changed successfully" in page.locator(".messagelist").inner_text()

    draft_row = page.locator("#result_list tbody tr", has_text="Draft")
    draft_row.locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option(label="Publish the selected draft versions")
    page.get_by_role("button", name="Go").click()
    page.wait_for_load_state()
    assert "is published." in page.locator(".messagelist").inner_text()
    assert page.dialogs == []

    episode.refresh_from_db()
    assert episode.pathway_version.number == 1
    assert episode.pathway_version.steps.get(order=2).name_fi != new_name
    later = open_episode(nurse, team, satakunta)
    assert later.pathway_version.number == 2
    assert later.pathway_version.steps.get(order=2).name_fi == new_name


def test_plan_concurrent_edit_in_two_browsers(page, browser, live_server, episode, nurse, physician):
    from tukipolku.plans.models import Goal

    plan_url = f"/episodes/{episode.pk}/plan/"
    nurse_goal = "Sleep rhythm back to normal"
    doctor_goal = "Back pain under control for light work"
    context = browser.new_context(locale="en-GB", base_url=live_server.url)
    context.set_default_timeout(15000)
    try:
        doctor = context.new_page()
        doctor_dialogs: list[str] = []
        doctor.on("dialog", lambda d: (doctor_dialogs.append(d.message), d.dismiss()))
        login(page, "nurse")
        login(doctor, "physician")
        page.goto(plan_url)
        doctor.goto(plan_url)

        page.locator("input[name='goals-0-description']").fill(nurse_goal)
        page.get_by_role("button", name="Save the plan").click()
        page.wait_for_load_state()
        assert "The plan is saved." in page.content()

        description = doctor.locator("input[name='goals-0-description']")
        description.fill(doctor_goal)
        doctor.get_by_role("button", name="Save the plan").click()
        doctor.wait_for_load_state()
        assert "Someone else saved this plan" in doctor.locator(".form-errors").inner_text()
        assert nurse_goal in doctor.locator("section.conflict").inner_text()
        assert description.input_value() == doctor_goal
        assert axe_violations(doctor) == []

        doctor.get_by_role("button", name="Save the plan").click()
        doctor.wait_for_load_state()
        assert "The plan is saved." in doctor.content()
        assert sorted(Goal.objects.filter(plan__episode=episode).values_list("description", flat=True)) == sorted(
            [nurse_goal, doctor_goal]
        )
        page.reload()
        goals = [g.input_value() for g in page.locator("input[name$='-description']").all()]
        assert nurse_goal in goals and doctor_goal in goals
        assert doctor_dialogs == []
        assert page.dialogs == []
    finally:
        context.close()
