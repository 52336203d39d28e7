"""A meeting is recorded as held only once its time has come (issue 10, item 5).

Recording a meeting held already takes one form (time, participants, minutes, decisions that become
plan actions); a time still ahead is refused there and in the service, with the way to schedule it
instead. A scheduled meeting still ahead cannot be recorded as held either, not even later today.
"""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tukipolku.core.exceptions import ApplicationError
from tukipolku.meetings import services
from tukipolku.meetings.choices import MeetingKind, MeetingStatus
from tukipolku.meetings.models import Meeting
from tukipolku.plans.models import Action

from .conftest import schedule
from .test_views import formset


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def record_payload(participants, when, decisions=(), **kw):
    data = {
        "kind": MeetingKind.TEAM,
        "starts_at": timezone.localtime(when).strftime("%-d.%-m.%Y %H:%M"),
        "location": "Neuvotteluhuone 2",
        "participants": [str(u.pk) for u in participants],
        "outside_participants": "Maija Meikäläinen, työllisyyspalvelut",
        "agenda": "",
        "minutes": "Sovittiin jatkosta.",
    }
    data.update(formset("decisions", list(decisions), extra=3 - len(decisions)))
    data.update(kw)
    return data


@pytest.mark.django_db
def test_meeting_record__a_past_meeting_in_one_form_with_decisions_as_actions(client, nurse, physician, episode):
    client.force_login(nurse)
    due = timezone.localdate() + datetime.timedelta(days=10)
    held = timezone.now() - datetime.timedelta(days=2)

    response = client.post(
        reverse("meetings:create", args=[episode.pk]),
        record_payload(
            [nurse, physician],
            held,
            decisions=[{"text": "Lääkärinlausunto", "owner": str(physician.pk), "due_on": due.strftime("%-d.%-m.%Y")}],
        ),
    )

    assert response.status_code == 302
    meeting = Meeting.objects.get(episode=episode)
    assert meeting.status == MeetingStatus.HELD
    assert timezone.localtime(meeting.starts_at).date() == timezone.localtime(held).date()
    assert {p.user_id for p in meeting.participants.all() if p.user_id} == {nurse.pk, physician.pk}
    assert meeting.participants.filter(name="Maija Meikäläinen").exists()
    (action,) = Action.objects.filter(plan__episode=episode)
    assert (action.title, action.owner, action.due_on) == ("Lääkärinlausunto", physician, due)


@pytest.mark.django_db
def test_meeting_record__a_time_still_ahead_is_refused_with_the_way_to_schedule(client, nurse, episode):
    client.force_login(nurse)
    later = timezone.now() + datetime.timedelta(hours=2)

    response = client.post(reverse("meetings:create", args=[episode.pk]), record_payload([nurse], later))

    assert response.status_code == 400
    body = response.content.decode()
    assert "This time is still ahead" in body
    assert reverse("meetings:schedule", args=[episode.pk]) in body
    assert "Sovittiin jatkosta." in body  # what was typed is kept
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_meeting_record__the_service_refuses_a_time_ahead_too(nurse, episode):
    with pytest.raises(ApplicationError) as exc:
        services.meeting_record(
            actor=nurse,
            episode=episode,
            kind=MeetingKind.TEAM,
            starts_at=timezone.now() + datetime.timedelta(minutes=30),
            participants=[nurse],
        )

    assert exc.value.field == "starts_at"
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_record_held__a_meeting_later_today_cannot_be_recorded_yet(client, nurse, episode):
    meeting = schedule(nurse, episode, users=[nurse])
    soon = timezone.now() + datetime.timedelta(minutes=20)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=soon, ends_at=soon + datetime.timedelta(hours=1))
    meeting.refresh_from_db()

    with pytest.raises(ApplicationError, match="still ahead"):
        services.meeting_record_held(actor=nurse, meeting=meeting, expected_sequence=0, client_participated=False)

    client.force_login(nurse)
    detail = client.get(reverse("meetings:detail", args=[episode.pk, meeting.pk])).content.decode()
    assert reverse("meetings:held", args=[episode.pk, meeting.pk]) not in detail
    response = client.get(reverse("meetings:held", args=[episode.pk, meeting.pk]), follow=True)
    assert "can be recorded as held once it has begun" in response.content.decode()
    posted = client.post(reverse("meetings:held", args=[episode.pk, meeting.pk]), {"sequence": "0", "minutes": "x"})
    assert posted.status_code == 400
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


@pytest.mark.django_db
def test_record_held__once_begun_it_can_be_recorded(nurse, episode):
    meeting = schedule(nurse, episode, users=[nurse])
    began = timezone.now() - datetime.timedelta(minutes=5)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=began, ends_at=began + datetime.timedelta(hours=1))
    meeting.refresh_from_db()

    held = services.meeting_record_held(actor=nurse, meeting=meeting, expected_sequence=0, client_participated=False)

    assert held.status == MeetingStatus.HELD


@pytest.mark.django_db
def test_meeting_record__other_teams_professional_gets_404(client, outsider, episode):
    client.force_login(outsider)

    response = client.post(
        reverse("meetings:create", args=[episode.pk]),
        record_payload([outsider], timezone.now() - datetime.timedelta(hours=1)),
    )

    assert response.status_code == 404
    assert not Meeting.objects.exists()
