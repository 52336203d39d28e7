"""The preparatory meeting's checklist is checkboxes dated by the meeting (today by default), and the
transfer meeting is recorded only once it has been held (issue 10, item 5)."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from tukipolku.core.exceptions import ApplicationError
from tukipolku.handovers import services
from tukipolku.handovers.choices import PREP_CHECKLIST
from tukipolku.handovers.models import Handover

from .test_views import transfer_data, url

pytestmark = pytest.mark.django_db
CHECKLIST = [name for name, _code in PREP_CHECKLIST]


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def fi(d):
    return d.strftime("%-d.%-m.%Y")


def test_prepare__the_checklist_is_checkboxes_and_the_date_is_today_by_default(client, handover, sender):
    client.force_login(sender)

    body = client.get(url("prepare", handover)).content.decode()

    for name in CHECKLIST:
        assert f'type="checkbox" name="{name}"' in body, name
    assert f'name="prep_met_on" value="{fi(timezone.localdate())}"' in body


def test_prepare__ticked_items_get_the_meetings_date_in_one_go(client, handover, sender):
    client.force_login(sender)
    held = timezone.localdate() - datetime.timedelta(days=1)

    response = client.post(
        url("prepare", handover),
        {"revision": handover.revision, "prep_met_on": fi(held), **dict.fromkeys(CHECKLIST, "on")},
    )

    assert response.status_code == 302
    handover.refresh_from_db()
    assert [getattr(handover, name) for name in CHECKLIST] == [held] * len(CHECKLIST)
    assert handover.prep_met_on == held


def test_prepare__an_item_ticked_before_keeps_its_date_and_unticking_clears(client, handover, sender):
    earlier = timezone.localdate() - datetime.timedelta(days=5)
    handover = services.handover_prepare(
        actor=sender,
        handover=handover,
        expected_revision=handover.revision,
        prep_met_on=earlier,
        prep_agenda_agreed_on=earlier,
        prep_health_info_on=earlier,
    )
    client.force_login(sender)
    page = client.get(url("prepare", handover)).content.decode()
    first = CHECKLIST[0]
    assert f'name="{first}" aria-describedby="id_{first}_helptext" id="id_{first}" checked' in page
    assert f"Done on {fi(earlier)}." in page

    response = client.post(
        url("prepare", handover),
        {
            "revision": handover.revision,
            "prep_met_on": fi(timezone.localdate()),
            "prep_agenda_agreed_on": "on",  # still ticked: keeps its date
            "prep_statement_on": "on",  # newly ticked: today
        },  # prep_health_info_on unticked: cleared
    )

    assert response.status_code == 302
    handover.refresh_from_db()
    assert handover.prep_agenda_agreed_on == earlier
    assert handover.prep_statement_on == timezone.localdate()
    assert handover.prep_health_info_on is None


def test_prepare__a_meeting_date_ahead_is_refused_and_nothing_changes(client, handover, sender):
    client.force_login(sender)
    revision = handover.revision

    response = client.post(
        url("prepare", handover),
        {
            "revision": revision,
            "prep_met_on": fi(timezone.localdate() + datetime.timedelta(days=2)),
            "prep_agenda_agreed_on": "on",
        },
    )

    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert Handover.objects.get(pk=handover.pk).revision == revision


def test_prepare__the_receiving_team_is_refused(client, handover, nurse):
    client.force_login(nurse)

    response = client.post(url("prepare", handover), {"revision": handover.revision, CHECKLIST[0]: "on"})

    assert response.status_code == 403
    assert getattr(Handover.objects.get(pk=handover.pk), CHECKLIST[0]) is None


def test_transfer__a_meeting_still_ahead_cannot_be_recorded(client, handover, sender):
    client.force_login(sender)
    later = timezone.localtime() + datetime.timedelta(hours=2)

    response = client.post(
        url("transfer", handover), transfer_data(handover, transfer_at=later.strftime("%-d.%-m.%Y %H:%M"))
    )

    assert response.status_code == 400
    assert "The transfer meeting is still ahead" in response.content.decode()
    handover.refresh_from_db()
    assert handover.transfer_recorded_at is None


def test_transfer__the_service_refuses_a_time_ahead_too(handover, sender):
    with pytest.raises(ApplicationError) as exc:
        services.handover_transfer(
            actor=sender,
            handover=handover,
            expected_revision=handover.revision,
            transfer_at=timezone.now() + datetime.timedelta(minutes=10),
        )

    assert exc.value.field == "transfer_at"
    handover.refresh_from_db()
    assert handover.transfer_recorded_at is None
