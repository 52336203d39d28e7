"""Meetings across organisations in a real browser: the nurse schedules a joint meeting with the
employment-services coordinator, an outside person and the client (agenda prefilled from the step),
everybody gets a calendar invitation by e-mail, the coordinator reads the meeting read-only, and
after the meeting the nurse records it as held with two decisions that appear as actions in the plan.
Every page passes axe (WCAG 2.1 AA) and has no horizontal scroll at 375 px; the form is sent with
the keyboard."""

import datetime

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from conftest import open_episode
from tests.browser.conftest import axe_violations, login, shot
from tukipolku.cases import services as case_services
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory, member
from tukipolku.meetings.models import Meeting
from tukipolku.privacy.choices import DataCategory, Purpose
from tukipolku.privacy.tests.helpers import consent_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = 375
FIRST, LAST = "Sylvikki", "Näkymätön"


def check_page(page, name: str) -> None:
    """No axe violation at 1280 px; no horizontal scrolling at 375 px; both widths photographed."""
    violations = axe_violations(page)
    shot(page, f"meetings-{name}")
    assert violations == [], f"{name}: {violations}"
    size = page.viewport_size
    page.set_viewport_size({"width": NARROW, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, f"meetings-{name}-{NARROW}")
    page.set_viewport_size(size)
    assert width <= NARROW, f"{name}: {width} px wide at {NARROW} px"


def fi(d: datetime.date) -> str:
    return f"{d.day}.{d.month}.{d.year}"


@pytest.fixture
def world(team, nurse, satakunta):
    nurse.first_name, nurse.last_name, nurse.email = "Noora", "Hoitaja", "noora.hoitaja@sote.example"
    nurse.save()
    physician = member(
        team,
        profession=Profession.PHYSICIAN,
        username="doc",
        first_name="Lea",
        last_name="Lääkäri",
        email="lea.laakari@sote.example",
    )
    employment_org = OrganisationFactory(name="Työllisyyspalvelut", kind=OrganisationKind.EMPLOYMENT_SERVICES)
    coordinator = UserFactory(
        username="employment",
        profession=Profession.EMPLOYMENT_COORDINATOR,
        organisation=employment_org,
        first_name="Eero",
        last_name="Työllisyys",
        email="eero.tyollisyys@tyollisyys.example",
    )
    client = ClientFactory(first_names=FIRST, last_name=LAST, email="asiakas.posti@asiakas.example")
    episode = open_episode(nurse, team, satakunta, client=client)
    case_services.case_member_add(actor=nurse, episode=episode, user=physician)
    consent_for(episode, nurse, [DataCategory.SHARED_PLAN], recipient=employment_org, purpose=Purpose.EMPLOYMENT)
    # The pathway has reached the joint meeting with the client.
    step = episode.pathway_version.steps.filter(completion_check="joint_meeting").order_by("order").first()
    type(episode).objects.filter(pk=episode.pk).update(current_step=step)
    return {"episode": episode, "physician": physician, "coordinator": coordinator, "step": step, "client": client}


def test_schedule_a_joint_meeting_then_record_it_with_decisions(page, world, nurse):
    episode, physician, coordinator, step = world["episode"], world["physician"], world["coordinator"], world["step"]
    login(page, "nurse")
    page.goto(f"/episodes/{episode.pk}/")
    section = page.locator("#meetings")
    assert "This step needs a meeting." in section.inner_text()
    section.get_by_role("link", name="Schedule a meeting").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Schedule a meeting").is_visible()

    # The agenda comes from the current step; the client's team is preselected.
    agenda = page.get_by_label("Agenda")
    assert agenda.input_value().startswith(f"{step.order}. {step.name_en}")
    assert step.produces_en in agenda.input_value()
    assert page.get_by_label("Noora Hoitaja", exact=False).first.is_checked()
    check_page(page, "01-schedule-form")

    day = timezone.localdate() + datetime.timedelta(days=9)
    page.get_by_label("Kind of meeting").select_option("joint")
    page.get_by_label("Date").fill(fi(day))
    page.get_by_label("Starts").fill("9:30")
    page.get_by_label("Ends").fill("10:30")
    page.get_by_label("Place:", exact=True).fill("Sote-keskus, neuvotteluhuone 2")
    agenda.fill(agenda.input_value() + "\nTyökokeilun mahdollisuudet")
    page.locator("summary", has_text="Add professionals of other organisations").click()
    page.get_by_label("Eero Työllisyys", exact=False).check()
    page.locator("#id_outside-0-name").fill("Maija Opettaja")
    page.locator("#id_outside-0-organisation").fill("Satakunnan ammattiopisto")
    page.locator("#id_outside-0-email").fill("maija.opettaja@oppilaitos.example")
    # With the keyboard: tick the client's boxes with Space and send the form with Enter.
    page.get_by_label("The client takes part").focus()
    page.keyboard.press("Space")
    page.get_by_label("Send the client an invitation by e-mail").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Schedule and send the invitations").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "The meeting is scheduled." in page.content()
    meeting = Meeting.objects.get()
    assert page.url.endswith(f"/episodes/{episode.pk}/meetings/{meeting.pk}/")
    starts = timezone.localtime(meeting.starts_at)
    assert (starts.date(), starts.hour, starts.minute) == (day, 9, 30)

    # The invitations went out in the live server's process (immediate task backend), once each.
    invitations = [m for m in mail.outbox if m.attachments]
    assert sorted(m.to[0] for m in invitations) == sorted(
        [
            nurse.email,
            physician.email,
            coordinator.email,
            "maija.opettaja@oppilaitos.example",
            "asiakas.posti@asiakas.example",
        ]
    )
    for message in mail.outbox:
        text = message.subject + message.body + "".join(a[1] for a in message.attachments)
        assert FIRST not in text and LAST not in text
    cal = icalendar.Calendar.from_ical(next(m for m in invitations if m.to == [coordinator.email]).attachments[0][1])
    event = cal.walk("VEVENT")[0]
    assert str(cal["method"]) == "REQUEST"
    assert event.decoded("dtstart").replace(tzinfo=None) == datetime.datetime.combine(day, datetime.time(9, 30))
    assert event["dtstart"].params["TZID"] == "Europe/Helsinki"
    assert page.locator("ul.participants").inner_text().count("invitation sent") == 5
    check_page(page, "02-scheduled")

    # The employment-services coordinator reads the meeting (the client consented), without changing it.
    page.context.clear_cookies()
    login(page, "employment")
    page.goto(f"/episodes/{episode.pk}/meetings/{meeting.pk}/")
    assert "Työkokeilun mahdollisuudet" in page.content()
    assert page.get_by_role("link", name="Change the time, place or participants").count() == 0
    assert page.get_by_role("link", name="Download the calendar file (.ics)").is_visible()
    check_page(page, "03-partner-reads")

    # Later: the meeting has been held. The nurse records minutes and two decisions.
    held_at = timezone.now() - datetime.timedelta(hours=2)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=held_at, ends_at=held_at + datetime.timedelta(hours=1))
    page.context.clear_cookies()
    login(page, "nurse")
    page.goto(f"/episodes/{episode.pk}/meetings/{meeting.pk}/")
    page.get_by_role("link", name="Record as held").click()
    page.wait_for_load_state()
    assert page.get_by_label("The client took part").is_checked()
    page.get_by_label("Minutes").fill("Käytiin läpi työkokeilun vaihtoehdot.")
    due = timezone.localdate() + datetime.timedelta(days=14)
    page.locator("#id_decisions-0-text").fill("Lääkäri kirjoittaa B-lausunnon")
    page.locator("#id_decisions-0-owner").select_option(str(physician.pk))
    page.locator("#id_decisions-0-due_on").fill(fi(due))
    page.locator("#id_decisions-1-text").fill("Hoitaja sopii työkokeilusta työnantajan kanssa")
    page.locator("#id_decisions-1-owner").select_option(str(nurse.pk))
    page.locator("#id_decisions-1-due_on").fill(fi(due + datetime.timedelta(days=7)))
    check_page(page, "04-record-held")
    page.get_by_role("button", name="Save the minutes and decisions").click()
    page.wait_for_load_state()
    assert "The meeting is recorded as held." in page.content()
    check_page(page, "05-held")

    # The decisions are actions in the service plan, with their owners and due dates.
    page.goto(f"/episodes/{episode.pk}/plan/")
    plan = page.locator("main").inner_text() + "".join(
        page.locator("input, textarea").evaluate_all("els => els.map(e => e.value)")
    )
    assert "Lääkäri kirjoittaa B-lausunnon" in plan
    assert "Hoitaja sopii työkokeilusta työnantajan kanssa" in plan
    actions = {a.title: (a.owner_id, a.due_on) for a in episode.plan.actions.all()}
    assert actions == {
        "Lääkäri kirjoittaa B-lausunnon": (physician.pk, due),
        "Hoitaja sopii työkokeilusta työnantajan kanssa": (nurse.pk, due + datetime.timedelta(days=7)),
    }
    # The case page now counts the joint meeting for the step.
    page.goto(f"/episodes/{episode.pk}/")
    assert "This step needs a meeting." not in page.content()
    check_page(page, "06-case-page")
