"""Meeting pages through the test client: who may schedule, change, cancel, record and read a meeting
(team member, another team's professional, partner participant, partner not invited, administrator,
anonymous), the flows whose errors matter, and a case page whose query count does not grow with
the number of meetings."""

import datetime
import html
import re

import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tukipolku.audit.models import PersonalDataAccess
from tukipolku.meetings import services
from tukipolku.meetings.choices import MeetingKind, MeetingStatus
from tukipolku.meetings.models import Meeting
from tukipolku.plans.choices import ActionSource
from tukipolku.plans.models import Action

from .conftest import CLIENT_LAST, ahead, meeting_input, schedule


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def fi(d):
    return f"{d.day}.{d.month}.{d.year}"


def formset(prefix, rows, extra=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + extra),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def schedule_payload(team_users=(), other_users=(), outside=(), **kw):
    day = timezone.localdate() + datetime.timedelta(days=7)
    data = {
        "kind": MeetingKind.NETWORK,
        "date": fi(day),
        "starts": "10:00",
        "ends": "11:30",
        "location": "Sote-keskus, neuvotteluhuone 2",
        "video_link": "",
        "team_users": [str(u.pk) for u in team_users],
        "other_users": [str(u.pk) for u in other_users],
        "agenda": "1. Tilanne",
    }
    data.update(formset("outside", list(outside), extra=1))
    data.update(kw)
    return data


def field_errors(body, field_id):
    found = re.search(rf'<ul class="errorlist" id="{re.escape(field_id)}_error">(.*?)</ul>', body, re.S)
    return html.unescape(found.group(1)) if found else ""


def url(name, meeting=None, episode=None):
    if meeting is None:
        return reverse(name, args=[episode.pk])
    return reverse(name, args=[meeting.episode_id, meeting.pk])


def past(meeting):
    starts = timezone.now() - datetime.timedelta(hours=3)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=starts, ends_at=starts + datetime.timedelta(hours=1))
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def meeting(nurse, physician, partner, consent, episode):
    return schedule(nurse, episode, users=[nurse, physician, partner], agenda="Asialista: työkokeilu")


# ---------------------------------------------------------------- who may do what

READS = ["meetings:detail", "meetings:ics"]
CHANGES = [
    ("meetings:schedule", "get"),
    ("meetings:schedule", "post"),
    ("meetings:change", "get"),
    ("meetings:change", "post"),
    ("meetings:cancel", "post"),
    ("meetings:held", "get"),
    ("meetings:held", "post"),
]


def hit(client, name, method, meeting):
    target = url(name, episode=meeting.episode) if name == "meetings:schedule" else url(name, meeting)
    return getattr(client, method)(target, {"sequence": "0"} if method == "post" else None)


@pytest.mark.django_db
@pytest.mark.parametrize("name", READS)
def test_reads__team_member_and_partner_participant(client, nurse, partner, meeting, name):
    for user in (nurse, partner):
        client.force_login(user)
        response = client.get(url(name, meeting))
        assert response.status_code == 200, user


@pytest.mark.django_db
@pytest.mark.parametrize("name", READS)
def test_reads__partner_not_invited_other_team_and_cancelled_are_404(
    client, outsider, other_partner, partner, nurse, meeting, name
):
    for user in (outsider, other_partner):
        client.force_login(user)
        assert client.get(url(name, meeting)).status_code == 404
        assert PersonalDataAccess.objects.filter(
            user=user, outcome="denied", client_id=meeting.episode.client_id
        ).exists()

    services.meeting_cancel(actor=nurse, meeting=meeting, expected_sequence=0)
    client.force_login(partner)
    assert client.get(url(name, meeting)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", READS)
def test_reads__anonymous_to_log_in_and_administrator_403(client, admin_user, meeting, name):
    response = client.get(url(name, meeting))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    client.force_login(admin_user)
    assert client.get(url(name, meeting)).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), CHANGES)
def test_changes__partner_participant_and_administrator_403_other_team_404(
    client, partner, admin_user, outsider, meeting, name, method
):
    client.force_login(partner)
    assert hit(client, name, method, meeting).status_code == 403
    client.force_login(admin_user)
    assert hit(client, name, method, meeting).status_code == 403
    client.force_login(outsider)
    assert hit(client, name, method, meeting).status_code == 404
    client.logout()
    assert hit(client, name, method, meeting).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == (MeetingStatus.SCHEDULED, 0)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["meetings:detail", "meetings:ics", "meetings:change", "meetings:held"])
def test_meeting_of_another_episode_is_404(client, nurse, team, satakunta, meeting, name):
    from conftest import open_episode

    other = open_episode(nurse, team, satakunta)
    client.force_login(nurse)

    response = client.get(reverse(name, args=[other.pk, meeting.pk]))

    assert response.status_code == 404
    assert PersonalDataAccess.objects.filter(view=name, outcome="denied", reason="other_episode").exists()


@pytest.mark.django_db
def test_partner_reads_without_change_links_or_invitation_details(client, partner, meeting):
    client.force_login(partner)

    body = client.get(url("meetings:detail", meeting)).content.decode()

    assert "Asialista: työkokeilu" in body
    assert url("meetings:change", meeting) not in body
    assert url("meetings:cancel", meeting) not in body
    assert "invitation sent" not in body
    assert url("meetings:ics", meeting) in body


# ---------------------------------------------------------------- scheduling


@pytest.mark.django_db
def test_schedule_form__agenda_from_the_step_and_the_lists(client, nurse, physician, partner, episode):
    client.force_login(nurse)

    response = client.get(url("meetings:schedule", episode=episode))

    body = response.content.decode()
    step = episode.current_step
    assert response.status_code == 200
    assert html.escape(step.localized("name")) in body or step.localized("name") in html.unescape(body)
    team = response.context["form"].fields["team_users"].queryset
    others = response.context["form"].fields["other_users"].queryset
    assert set(team) == {nurse, physician}
    assert partner in set(others)
    assert response.context["form"].initial["team_users"] == list(team.values_list("pk", flat=True))
    assert "sylvikki.nakymaton@asiakas.example" in body  # where the client's invitation would go


@pytest.mark.django_db
def test_schedule__creates_the_meeting_and_mails_the_invitations(
    client, nurse, physician, partner, consent, episode, django_capture_on_commit_callbacks
):
    client.force_login(nurse)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("meetings:schedule", episode=episode),
            schedule_payload(
                team_users=[nurse, physician],
                other_users=[partner],
                outside=[
                    {"name": "Maija Meikäläinen", "organisation": "Oppilaitos", "email": "maija@oppilaitos.example"}
                ],
                client_takes_part="on",
                invite_client="on",
                kind=MeetingKind.JOINT,
            ),
        )

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("meetings:detail", meeting)
    assert meeting.status == MeetingStatus.SCHEDULED
    start = timezone.localtime(meeting.starts_at)
    assert (start.hour, start.minute, timezone.localtime(meeting.ends_at).hour) == (10, 0, 11)
    invited = sorted(m.to[0] for m in mail.outbox if m.attachments)
    assert invited == sorted(
        [nurse.email, physician.email, partner.email, "maija@oppilaitos.example", episode.client.email]
    )
    for message in mail.outbox:
        assert CLIENT_LAST not in message.subject + message.body
    cal = icalendar.Calendar.from_ical(next(m for m in mail.outbox if m.to == [partner.email]).attachments[0][1])
    assert str(cal["method"]) == "REQUEST"

    page = client.get(url("meetings:detail", meeting)).content.decode()
    assert page.count("invitation sent") == 5


@pytest.mark.django_db
def test_schedule__errors_next_to_the_fields_and_input_kept(client, nurse, episode):
    client.force_login(nurse)

    response = client.post(
        url("meetings:schedule", episode=episode),
        schedule_payload(team_users=[nurse], date="31.2.2030", ends="9:00", location="Huone 12"),
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert field_errors(body, "id_date")
    assert 'value="Huone 12"' in body
    assert not Meeting.objects.exists()

    response = client.post(url("meetings:schedule", episode=episode), schedule_payload(team_users=[nurse], ends="9:00"))
    assert response.status_code == 400
    assert "The meeting must end after it starts." in field_errors(response.content.decode(), "id_ends")

    response = client.post(
        url("meetings:schedule", episode=episode), schedule_payload(team_users=[nurse], invite_client="on")
    )
    assert "Tick that the client takes part" in field_errors(response.content.decode(), "id_invite_client")
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_schedule__closed_episode_is_404(client, nurse, episode):
    from tukipolku.cases import services as case_services
    from tukipolku.cases.choices import Outcome

    case_services.episode_close(
        confirm_early=True,
        actor=nurse,
        episode=episode,
        outcome=Outcome.MOVED_AWAY,
        outcome_on=timezone.localdate(),
        follow_ups=[],
    )
    client.force_login(nurse)

    assert client.get(url("meetings:schedule", episode=episode)).status_code == 404


# ---------------------------------------------------------------- changing, cancelling


@pytest.mark.django_db
def test_change__prefilled_and_a_stale_form_is_told(client, nurse, physician, partner, meeting):
    client.force_login(nurse)
    form = client.get(url("meetings:change", meeting)).context["form"]
    assert form.initial["sequence"] == 0
    assert set(form.initial["team_users"]) == {nurse.pk, physician.pk}
    assert form.initial["other_users"] == [partner.pk]

    # Someone else moves the meeting meanwhile.
    services.meeting_change(
        actor=physician, meeting=meeting, expected_sequence=0, data=meeting_input(users=[nurse, physician, partner])
    )
    stale = schedule_payload(team_users=[nurse], other_users=[partner], sequence="0", location="Uusi paikka")
    response = client.post(url("meetings:change", meeting), stale)

    body = response.content.decode()
    assert response.status_code == 400
    assert "Someone changed this meeting after you opened it." in html.unescape(body)
    assert "Saved meanwhile by someone else" in body
    assert 'value="Uusi paikka"' in body
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert meeting.location != "Uusi paikka"

    # Saving again over the version now shown is a conscious choice, and works.
    response = client.post(url("meetings:change", meeting), {**stale, "sequence": "1"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.sequence, meeting.location) == (2, "Uusi paikka")


@pytest.mark.django_db
def test_cancel__from_the_meeting_page(client, nurse, meeting):
    client.force_login(nurse)

    stale = client.post(url("meetings:cancel", meeting), {"sequence": "5"}, follow=True)
    assert "Someone changed this meeting" in html.unescape(stale.content.decode())
    response = client.post(url("meetings:cancel", meeting), {"sequence": "0"})

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    page = client.get(url("meetings:detail", meeting)).content.decode()
    assert "Cancelled" in page
    assert url("meetings:change", meeting) not in page
    assert client.get(url("meetings:change", meeting)).status_code == 302


# ---------------------------------------------------------------- after the meeting


@pytest.mark.django_db
def test_held__minutes_and_decisions_become_actions(client, nurse, physician, meeting):
    past(meeting)
    client.force_login(nurse)
    assert client.get(url("meetings:held", meeting)).status_code == 200
    due = timezone.localdate() + datetime.timedelta(days=10)

    data = {"sequence": "0", "client_participated": "", "minutes": "Sovittiin työkokeilusta."}
    data.update(
        formset(
            "decisions",
            [
                {"text": "Lääkäri kirjoittaa lausunnon", "owner": str(physician.pk), "due_on": fi(due)},
                {"text": "Hoitaja soittaa työnantajalle", "owner": str(nurse.pk), "due_on": fi(due)},
                {"text": "Asiakas miettii vaihtoehtoja", "owner": "", "due_on": ""},
            ],
        )
    )
    response = client.post(url("meetings:held", meeting), data)

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes) == (MeetingStatus.HELD, "Sovittiin työkokeilusta.")
    assert set(Action.objects.values_list("title", "owner", "due_on", "source")) == {
        ("Lääkäri kirjoittaa lausunnon", physician.pk, due, ActionSource.MEETING),
        ("Hoitaja soittaa työnantajalle", nurse.pk, due, ActionSource.MEETING),
    }
    assert meeting.decisions.count() == 3


@pytest.mark.django_db
def test_held__owner_must_be_in_the_clients_team_and_errors_stay(client, nurse, partner, meeting):
    past(meeting)
    client.force_login(nurse)
    due = timezone.localdate() + datetime.timedelta(days=10)
    data = {"sequence": "0", "minutes": "Muistio"}
    data.update(formset("decisions", [{"text": "Kumppani hoitaa", "owner": str(partner.pk), "due_on": fi(due)}]))

    response = client.post(url("meetings:held", meeting), data)

    assert response.status_code == 400
    assert field_errors(response.content.decode(), "id_decisions-0-owner")
    assert "Muistio" in response.content.decode()
    assert not Action.objects.exists()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


@pytest.mark.django_db
def test_ics_download__the_current_version(client, nurse, partner, meeting):
    client.force_login(partner)

    response = client.get(url("meetings:ics", meeting))

    assert response["Content-Type"].startswith("text/calendar")
    assert f"tukipolku-meeting-{meeting.pk}.ics" in response["Content-Disposition"]
    body = response.content.decode()
    assert CLIENT_LAST not in body
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert event.decoded("dtstart") == meeting.starts_at


# ---------------------------------------------------------------- the case page


@pytest.mark.django_db
def test_case_page__upcoming_first_and_schedule_as_the_next_step(client, nurse, episode):
    step = episode.pathway_version.steps.filter(completion_check="joint_meeting").first()
    type(episode).objects.filter(pk=episode.pk).update(current_step=step)
    client.force_login(nurse)

    body = client.get(reverse("cases:detail", args=[episode.pk])).content.decode()
    assert "This step needs a meeting." in body
    assert url("meetings:schedule", episode=episode) in body

    services.meeting_record(
        actor=nurse, episode=episode, kind=MeetingKind.TEAM, starts_at=timezone.now(), participants=[nurse]
    )
    upcoming = schedule(nurse, episode, users=[nurse], starts_at=ahead(4))
    body = client.get(reverse("cases:detail", args=[episode.pk])).content.decode()
    section = body[body.index('id="meetings"') :]
    assert "This step needs a meeting." not in section
    assert section.index(url("meetings:detail", upcoming)) < section.index("Earlier")


@pytest.mark.django_db
def test_case_page__query_count_does_not_grow_with_meetings(client, nurse, physician, partner, episode):
    client.force_login(nurse)
    page = reverse("cases:detail", args=[episode.pk])
    schedule(nurse, episode, users=[nurse, physician])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first request of a session does more (session, language)
    few = count()
    for i in range(5):
        m = schedule(
            nurse,
            episode,
            users=[nurse, physician, partner],
            outside=[services.OutsideParticipant(f"Kumppani {i}", "Kela")],
            starts_at=ahead(3 + i),
        )
        if i % 2:
            services.meeting_cancel(actor=nurse, meeting=m, expected_sequence=0)

    assert count() == few


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["meetings:create", "meetings:schedule", "meetings:change", "meetings:held"])
def test_change_pages__closed_episode_get_is_logged_as_a_refusal(client, nurse, meeting, name):
    from tukipolku.cases import services as case_services
    from tukipolku.cases.choices import Outcome

    episode = meeting.episode
    case_services.episode_close(
        confirm_early=True,
        actor=nurse,
        episode=episode,
        outcome=Outcome.MOVED_AWAY,
        outcome_on=timezone.localdate(),
        follow_ups=[],
    )
    client.force_login(nurse)
    target = url(name, meeting) if name in ("meetings:change", "meetings:held") else url(name, episode=episode)

    assert client.get(target).status_code == 404
    rows = PersonalDataAccess.objects.filter(view=name, client_id=episode.client_id)
    assert [(r.outcome, r.reason) for r in rows] == [("denied", "closed")]
