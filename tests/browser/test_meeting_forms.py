"""Meetings in one go, in a real browser (issue 10, item 5).

The nurse records a meeting held yesterday in one form: time, participants, minutes and a decision
that becomes a plan action. A time still ahead is refused there with the way to schedule it instead.
The preparatory meeting of an escorted handover is a list of checkboxes dated today by default.
Pages pass axe at 1280 px and fit 375 px; Finnish screenshots at both widths go to /tmp.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import open_episode
from tests.browser.conftest import axe_violations, login
from tests.browser.finnish import finnish_shots
from tests.browser.test_find_client import no_sideways_scroll
from tukipolku.cases import services as case_services
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.choices import Profession
from tukipolku.core.tests.factories import member
from tukipolku.handovers.choices import PREP_CHECKLIST
from tukipolku.handovers.models import Handover
from tukipolku.handovers.tests.factories import occupational_health_org, open_handover, sender_user
from tukipolku.meetings.choices import MeetingStatus
from tukipolku.meetings.models import Meeting
from tukipolku.plans.models import Action

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def episode(team, nurse, satakunta):
    doc = member(team, profession=Profession.PHYSICIAN, username="doc", first_name="Lea", last_name="Lääkäri")
    episode = open_episode(nurse, team, satakunta, client=ClientFactory(first_names="Sylvikki", last_name="Näkymätön"))
    case_services.case_member_add(actor=nurse, episode=episode, user=doc)
    return episode


def test_record_a_past_meeting_in_one_form_and_a_future_time_is_refused(page, episode, nurse):
    login(page, "nurse")
    page.goto(reverse("cases:detail", args=[episode.pk]))
    page.locator("#meetings").get_by_role("link", name="Record a meeting held already").click()
    page.wait_for_load_state()
    assert axe_violations(page) == []
    no_sideways_scroll(page)

    # Two hours ahead: refused, with the way to schedule instead; what was typed stays.
    ahead = timezone.localtime() + datetime.timedelta(hours=2)
    page.get_by_label("Date and time").fill(ahead.strftime("%-d.%-m.%Y %H:%M"))
    page.get_by_label("Other participants").fill("Maija Meikäläinen, työllisyyspalvelut")
    page.get_by_label("Minutes").fill("Agreed on a work trial.")
    page.locator("input[name='decisions-0-text']").fill("Arrange a work trial")
    page.locator("select[name='decisions-0-owner']").select_option(label="Lea Lääkäri")
    due = timezone.localdate() + datetime.timedelta(days=21)
    page.locator("input[name='decisions-0-due_on']").fill(f"{due.day}.{due.month}.{due.year}")
    page.get_by_role("button", name="Save the meeting").click()
    page.wait_for_load_state()
    assert "This time is still ahead" in page.content()
    assert page.get_by_label("Minutes").input_value() == "Agreed on a work trial."
    assert page.get_by_role("link", name="Schedule it instead").get_attribute("href") == reverse(
        "meetings:schedule", args=[episode.pk]
    )
    assert not Meeting.objects.exists()

    # Yesterday: saved in one go, the decision an action in the plan.
    held = timezone.localtime() - datetime.timedelta(days=1)
    page.get_by_label("Date and time").fill(held.strftime("%-d.%-m.%Y %H:%M"))
    page.get_by_role("button", name="Save the meeting").click()
    page.wait_for_load_state()
    assert "The meeting is recorded." in page.content()
    meeting = Meeting.objects.get()
    assert meeting.status == MeetingStatus.HELD
    assert meeting.participants.count() == 3  # the nurse (preselected), the physician, the outside person
    action = Action.objects.get(plan__episode=episode)
    assert (action.title, action.owner.username, action.due_on) == ("Arrange a work trial", "doc", due)


def test_preparatory_meeting_checklist_is_ticked_in_one_go(page, browser, live_server, team, nurse, satakunta):
    sender = sender_user(occupational_health_org(), username="occupational")
    handover = open_handover(sender, team)
    login(page, "occupational")
    page.goto(reverse("handovers:prepare", args=[handover.pk]))
    today = timezone.localdate()
    assert page.get_by_label("Preparatory meeting held on").input_value() == f"{today.day}.{today.month}.{today.year}"
    boxes = page.locator("fieldset.checklist input[type=checkbox]")
    assert boxes.count() == len(PREP_CHECKLIST)
    assert axe_violations(page) == []
    no_sideways_scroll(page)
    for i in range(boxes.count()):
        boxes.nth(i).check()
    page.get_by_role("button", name="Save the preparatory meeting").click()
    page.wait_for_load_state()
    assert f"{len(PREP_CHECKLIST)} of {len(PREP_CHECKLIST)} checklist items done." in page.content()
    handover = Handover.objects.get(pk=handover.pk)
    assert {getattr(handover, name) for name, _code in PREP_CHECKLIST} == {today}

    finnish_shots(browser, live_server, "occupational", reverse("handovers:prepare", args=[handover.pk]), "prep-form")


def test_record_meeting_form_in_finnish(browser, live_server, episode):
    finnish_shots(browser, live_server, "nurse", reverse("meetings:create", args=[episode.pk]), "meeting-record")
