"""Calendar invitations: .ics files a standard parser reads back, with the right Finnish wall-clock
times in winter (UTC+2) and summer (UTC+3) and across a daylight-saving change; sent once per
participant and version; no client name anywhere in the mail."""

import datetime

import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation

from tukipolku.core.exceptions import ConflictError
from tukipolku.meetings import services
from tukipolku.meetings.calendar import meeting_uid, neutral_summary
from tukipolku.meetings.choices import InvitationMethod, InvitationStatus, MeetingKind
from tukipolku.meetings.delivery import invitations_deliver
from tukipolku.meetings.jobs import send_meeting_invitations_task
from tukipolku.meetings.models import Invitation
from tukipolku.meetings.services.invitations import _invite

from .conftest import CLIENT_FIRST, CLIENT_LAST, HELSINKI, at, meeting_input, schedule

UTC = datetime.UTC


def parse(message):
    """The calendar attached to an e-mail, parsed with icalendar."""
    (attachment,) = message.attachments
    name, content, mimetype = attachment
    assert name.endswith(".ics")
    assert mimetype.startswith("text/calendar")
    return icalendar.Calendar.from_ical(content)


def event_of(cal):
    (event,) = cal.walk("VEVENT")
    return event


def attendees(event):
    found = event.get("attendee")
    return [str(a) for a in (found if isinstance(found, list) else [found] if found else [])]


def invitations():
    """Calendar e-mails (users of Tukipolku also get the in-app notification's own e-mail)."""
    return [m for m in mail.outbox if m.attachments]


def mails_to(address):
    return [m for m in invitations() if m.to == [address]]


@pytest.mark.django_db
def test_invitation__winter_time_is_utc_plus_2(nurse, physician, episode, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(nurse, episode, users=[nurse, physician], starts_at=at(2031, 1, 15, 9, 30))

    cal = parse(mails_to(physician.email)[0])
    event = event_of(cal)
    starts, ends = event.decoded("dtstart"), event.decoded("dtend")
    assert str(cal["method"]) == "REQUEST"
    assert event["dtstart"].params["TZID"] == "Europe/Helsinki"
    assert (starts.hour, starts.minute, ends.hour, ends.minute) == (9, 30, 10, 30)
    assert starts.utcoffset() == datetime.timedelta(hours=2)
    assert starts.astimezone(UTC) == datetime.datetime(2031, 1, 15, 7, 30, tzinfo=UTC)
    assert str(event["uid"]) == meeting_uid(meeting)
    assert int(event["sequence"]) == 0
    (vtimezone,) = cal.walk("VTIMEZONE")
    assert str(vtimezone["tzid"]) == "Europe/Helsinki"
    assert {c.name for c in vtimezone.subcomponents} == {"STANDARD", "DAYLIGHT"}


@pytest.mark.django_db
def test_invitation__summer_time_is_utc_plus_3(nurse, physician, episode, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        schedule(nurse, episode, users=[physician], starts_at=at(2031, 7, 15, 9, 30))

    event = event_of(parse(mails_to(physician.email)[0]))
    starts = event.decoded("dtstart")
    assert (starts.hour, starts.minute) == (9, 30)
    assert starts.utcoffset() == datetime.timedelta(hours=3)
    assert starts.astimezone(UTC) == datetime.datetime(2031, 7, 15, 6, 30, tzinfo=UTC)


@pytest.mark.django_db
def test_invitation__across_the_change_to_summer_time(nurse, physician, episode, django_capture_on_commit_callbacks):
    # 29.3.2031 is the Saturday before the clocks move forward (Sunday 30.3. at 03:00).
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(nurse, episode, users=[physician], starts_at=at(2031, 3, 29, 14))
    before = event_of(parse(mails_to(physician.email)[0])).decoded("dtstart")

    # Moved to the Monday after: still 14:00 on the wall clock, one hour less from UTC.
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_change(
            actor=nurse,
            meeting=meeting,
            expected_sequence=0,
            data=meeting_input(users=[physician], starts_at=at(2031, 3, 31, 14)),
        )
    after_cal = parse(mails_to(physician.email)[1])
    after = event_of(after_cal).decoded("dtstart")

    assert (before.hour, after.hour) == (14, 14)
    assert before.astimezone(UTC).hour == 12
    assert after.astimezone(UTC).hour == 11
    assert int(event_of(after_cal)["sequence"]) == 1
    # The time zone definition itself says when the change happens: a parser computes the offsets.
    (vtimezone,) = after_cal.walk("VTIMEZONE")
    tz = vtimezone.to_tz()
    assert datetime.datetime(2031, 3, 29, 14, tzinfo=tz).utcoffset() == datetime.timedelta(hours=2)
    assert datetime.datetime(2031, 3, 31, 14, tzinfo=tz).utcoffset() == datetime.timedelta(hours=3)
    assert datetime.datetime(2031, 10, 27, 14, tzinfo=tz).utcoffset() == datetime.timedelta(hours=2)


@pytest.mark.django_db
def test_invitation__sent_once_even_when_the_task_runs_twice(
    nurse, physician, episode, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(nurse, episode, users=[nurse, physician])
    assert len(invitations()) == 2

    again = send_meeting_invitations_task.call(meeting.pk)
    more = invitations_deliver()

    assert (again, more) == (0, 0)
    assert len(invitations()) == 2
    assert set(Invitation.objects.values_list("status", flat=True)) == {InvitationStatus.SENT}
    # Creating the rows again (a retried transaction) adds nothing: one row per participant and version.
    _invite(meeting, list(meeting.participants.all()), InvitationMethod.REQUEST)
    assert Invitation.objects.count() == 2


@pytest.mark.django_db
def test_invitation__pending_rows_are_picked_up_by_the_sweep(nurse, physician, episode):
    # No commit hook runs here: as if the task could not be enqueued.
    schedule(nurse, episode, users=[physician])
    assert mail.outbox == []

    from tukipolku.sweep.registry import sweep_steps

    assert sweep_steps["meeting_invitations"](timezone.localdate()) == 1
    assert sweep_steps["meeting_invitations"](timezone.localdate()) == 0
    assert len(invitations()) == 1


@pytest.mark.django_db
def test_reschedule__sequence_grows_and_everyone_gets_the_update(
    nurse, physician, episode, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(nurse, episode, users=[nurse, physician], starts_at=at(2031, 2, 3, 12))
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_change(
            actor=nurse,
            meeting=meeting,
            expected_sequence=0,
            data=meeting_input(users=[nurse, physician], starts_at=at(2031, 2, 4, 13), location="Etäyhteys"),
        )

    meeting.refresh_from_db()
    assert meeting.sequence == 1
    for person in (nurse, physician):
        first, second = mails_to(person.email)
        e1, e2 = event_of(parse(first)), event_of(parse(second))
        assert (int(e1["sequence"]), int(e2["sequence"])) == (0, 1)
        assert str(e1["uid"]) == str(e2["uid"])
        assert e2.decoded("dtstart") == at(2031, 2, 4, 13)
        assert str(e2["location"]) == "Etäyhteys"
        assert second.subject.startswith("Changed:")


@pytest.mark.django_db
def test_reschedule__an_older_version_not_yet_sent_is_superseded(
    nurse, physician, episode, django_capture_on_commit_callbacks
):
    # Both changes commit before the worker gets to the first: only the newest version is mailed.
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(nurse, episode, users=[physician])
        services.meeting_change(
            actor=nurse, meeting=meeting, expected_sequence=0, data=meeting_input(users=[physician])
        )

    (only,) = mails_to(physician.email)
    assert int(event_of(parse(only))["sequence"]) == 1
    assert dict(Invitation.objects.values_list("sequence", "status")) == {
        0: InvitationStatus.SUPERSEDED,
        1: InvitationStatus.SENT,
    }


@pytest.mark.django_db
def test_reschedule__a_stale_form_is_refused(nurse, physician, episode):
    meeting = schedule(nurse, episode, users=[physician])
    services.meeting_change(actor=nurse, meeting=meeting, expected_sequence=0, data=meeting_input(users=[physician]))

    with pytest.raises(ConflictError):
        services.meeting_change(
            actor=physician, meeting=meeting, expected_sequence=0, data=meeting_input(users=[nurse])
        )

    assert list(meeting.participants.filter(removed_at__isnull=True).values_list("user", flat=True)) == [physician.pk]


@pytest.mark.django_db
def test_cancel__method_cancel_to_everyone_invited(nurse, physician, episode, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(
            nurse,
            episode,
            users=[physician],
            outside=[services.OutsideParticipant("Maija Meikäläinen", "Oppilaitos", "maija@oppilaitos.example")],
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(actor=nurse, meeting=meeting, expected_sequence=0)

    for address in (physician.email, "maija@oppilaitos.example"):
        _invite, cancel = mails_to(address)
        cal = parse(cancel)
        assert str(cal["method"]) == "CANCEL"
        assert str(event_of(cal)["status"]) == "CANCELLED"
        assert int(event_of(cal)["sequence"]) == 1
        assert str(event_of(cal)["uid"]) == meeting_uid(meeting)
        assert cancel.subject.startswith("Cancelled:")


@pytest.mark.django_db
def test_removed_participant__gets_a_cancellation(nurse, physician, episode, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(nurse, episode, users=[nurse, physician])
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_change(actor=nurse, meeting=meeting, expected_sequence=0, data=meeting_input(users=[nurse]))

    _invite, cancel = mails_to(physician.email)
    assert str(parse(cancel)["method"]) == "CANCEL"
    assert "no longer a participant" in cancel.body
    assert [str(parse(m)["method"]) for m in mails_to(nurse.email)] == ["REQUEST", "REQUEST"]


@pytest.mark.django_db
def test_privacy__no_client_name_or_case_content_in_any_mail(
    nurse, physician, partner, episode, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(
            nurse,
            episode,
            users=[nurse, physician, partner],
            outside=[services.OutsideParticipant("Maija Meikäläinen", "Oppilaitos", "maija@oppilaitos.example")],
            client_takes_part=True,
            invite_client=True,
            agenda="Salainen asialista: päihdetausta",
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_change(
            actor=nurse,
            meeting=meeting,
            expected_sequence=0,
            data=meeting_input(users=[nurse, partner], client_takes_part=True, invite_client=True),
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(actor=nurse, meeting=meeting, expected_sequence=1)

    # invite 5; change: 3 updates and 2 removals (the physician, the outside person); cancel 3
    assert len(invitations()) == 5 + 5 + 3
    client_email = episode.client.email
    for message in mail.outbox:  # the invitations and the notifications' own e-mails
        text = "\n".join([message.subject, message.body, *(a[1] for a in message.attachments)])
        for secret in (CLIENT_FIRST, CLIENT_LAST, episode.client.identity_code, "päihdetausta", "Salainen"):
            assert secret not in text
        if message.to != [client_email]:
            assert client_email not in text  # the client's address only in the client's own copy
    # Users of Tukipolku get a link to the meeting page; the client and outside persons get none.
    link = f"/episodes/{episode.pk}/meetings/{meeting.pk}/"
    assert link in mails_to(partner.email)[0].body
    assert link not in mails_to(client_email)[0].body
    assert link not in mails_to("maija@oppilaitos.example")[0].body
    client_event = event_of(parse(mails_to(client_email)[0]))
    assert f"mailto:{client_email}" in attendees(client_event)
    assert f"mailto:{client_email}" not in attendees(event_of(parse(mails_to(partner.email)[0])))
    with translation.override(settings.LANGUAGE_CODE):  # mails are in the service's language
        assert str(client_event["summary"]) == neutral_summary(meeting)
        assert str(MeetingKind.NETWORK.label) in str(client_event["summary"])
    assert str(client_event["organizer"]) == f"mailto:{nurse.email}"


@pytest.mark.django_db
def test_participants_without_an_address_are_marked_and_not_mailed(nurse, episode, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        schedule(nurse, episode, users=[nurse], outside=[services.OutsideParticipant("Ilman Osoitetta", "Työnantaja")])

    statuses = dict(Invitation.objects.values_list("participant__name", "status"))
    assert statuses == {"": InvitationStatus.SENT, "Ilman Osoitetta": InvitationStatus.NO_ADDRESS}
    assert len(invitations()) == 1


@pytest.mark.django_db
def test_download_ics__current_version_without_the_client(nurse, physician, episode):
    from tukipolku.meetings.delivery import download_ics

    meeting = schedule(
        nurse, episode, users=[physician], client_takes_part=True, invite_client=True, starts_at=at(2031, 6, 1, 8)
    )
    cal = icalendar.Calendar.from_ical(download_ics(meeting, list(meeting.participants.all())))

    event = event_of(cal)
    assert event.decoded("dtstart") == datetime.datetime(2031, 6, 1, 8, tzinfo=HELSINKI)
    assert attendees(event) == [f"mailto:{physician.email}"]
    assert episode.client.email not in cal.to_ical().decode()


@pytest.mark.django_db
def test_ics__links_to_the_configured_site_address(nurse, physician, episode, settings):
    """The invitation's link and UID use TUKIPOLKU_SITE_URL, not the host of whoever scheduled it."""
    from tukipolku.meetings.delivery import download_ics

    settings.TUKIPOLKU_SITE_URL = "https://tukipolku.hyvinvointialue.example/"
    meeting = schedule(nurse, episode, users=[physician], starts_at=at(2031, 6, 1, 8))
    event = event_of(icalendar.Calendar.from_ical(download_ics(meeting, list(meeting.participants.all()))))

    link = f"https://tukipolku.hyvinvointialue.example/episodes/{episode.pk}/meetings/{meeting.pk}/"
    assert str(event.get("url")) == link
    assert link in str(event.get("description"))
    assert str(event.get("uid")) == f"tukipolku-meeting-{meeting.pk}@tukipolku.hyvinvointialue.example"
    assert "127.0.0.1" not in icalendar.Calendar.to_ical(event).decode()
