"""Scheduling, changing, cancelling and recording meetings as held: the rules, the events, the in-app
notifications, and what a meeting lets partner staff see through the access gate."""

import datetime

import pytest
from django.utils import timezone

from tukipolku.access.policy import episode_access
from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent
from tukipolku.cases import registry
from tukipolku.cases.presentation import describe_event
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.meetings import services
from tukipolku.meetings.choices import InvitationMethod, MeetingKind, MeetingStatus
from tukipolku.meetings.models import Decision, Invitation, Meeting, Participant
from tukipolku.meetings.selectors import agenda_from_step, meetings_section_for
from tukipolku.notifications.choices import EmailStatus, NotificationKind
from tukipolku.notifications.models import Notification
from tukipolku.pathways.choices import CompletionCheck
from tukipolku.plans.choices import ActionSource, ActionStatus
from tukipolku.plans.models import Action

from .conftest import ahead, at, meeting_input, schedule


def sees(user, episode):
    return episode_access(actor=user, episode=episode) is not None


def past(meeting, days=1):
    """Time passes: the meeting is now in the past."""
    starts = timezone.now() - datetime.timedelta(days=days)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=starts, ends_at=starts + datetime.timedelta(hours=1))
    meeting.refresh_from_db()
    return meeting


# ---------------------------------------------------------------- scheduling


@pytest.mark.django_db
def test_schedule__stores_the_meeting_participants_and_invitations(nurse, physician, partner, episode):
    meeting = schedule(
        nurse,
        episode,
        kind=MeetingKind.JOINT,
        users=[nurse, physician, partner, partner],
        outside=[services.OutsideParticipant(" Maija Meikäläinen ", "Oppilaitos", "maija@oppilaitos.example")],
        client_takes_part=True,
        invite_client=True,
        video_link="https://video.example/huone-7",
    )

    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence, meeting.organizer, meeting.recorded_by) == (
        MeetingStatus.SCHEDULED,
        0,
        nurse,
        nurse,
    )
    assert meeting.video_link == "https://video.example/huone-7"
    rows = {(p.user_id, p.name, p.is_client, p.invited) for p in meeting.participants.all()}
    assert rows == {
        (nurse.pk, "", False, True),
        (physician.pk, "", False, True),
        (partner.pk, "", False, True),
        (None, "Maija Meikäläinen", False, True),
        (None, "", True, True),
    }
    assert Invitation.objects.filter(meeting=meeting, sequence=0, method=InvitationMethod.REQUEST).count() == 5
    event = AuditEvent.objects.get(verb=EventType.MEETING_SCHEDULED)
    assert (event.actor, event.client_id, event.episode_id, event.target_id) == (
        nurse,
        episode.client_id,
        episode.pk,
        meeting.pk,
    )
    assert event.payload["participants"] == 5
    # Users are told in the app (not the one who scheduled it), with a link that names no one.
    notes = Notification.objects.filter(kind=NotificationKind.MEETING_INVITED)
    assert {n.recipient_id for n in notes} == {physician.pk, partner.pk}
    assert {n.url for n in notes} == {f"/episodes/{episode.pk}/meetings/{meeting.pk}/"}


@pytest.mark.django_db
def test_schedule__client_present_without_an_invitation(nurse, episode):
    meeting = schedule(nurse, episode, kind=MeetingKind.JOINT, users=[nurse], client_takes_part=True)

    client_row = meeting.participants.get(is_client=True)
    assert not client_row.invited
    assert not Invitation.objects.filter(participant=client_row).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "coffee"}, "kind"),
        ({"kind": MeetingKind.JOINT}, "client_takes_part"),
        ({"starts_at": timezone.now() - datetime.timedelta(hours=1)}, "date"),
        ({"ends_at": ahead() - datetime.timedelta(minutes=5)}, "ends"),
        ({"ends_at": ahead() + datetime.timedelta(hours=13)}, "ends"),
        ({"location": " ", "video_link": ""}, "location"),
        ({"users": []}, "team_users"),
        ({"invite_client": True}, "invite_client"),
    ],
)
def test_schedule__refusals(nurse, episode, change, field):
    params = {"users": [nurse], "starts_at": ahead(), "ends_at": ahead() + datetime.timedelta(hours=1)}
    params.update(change)

    with pytest.raises(ApplicationError) as exc:
        services.meeting_schedule(actor=nurse, episode=episode, data=meeting_input(**params))

    assert exc.value.field == field
    assert not Meeting.objects.exists()
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_schedule__client_without_e_mail_cannot_be_invited(nurse, episode):
    type(episode.client).objects.filter(pk=episode.client_id).update(email="")
    episode.client.email = ""

    with pytest.raises(ApplicationError) as exc:
        schedule(nurse, episode, users=[nurse], client_takes_part=True, invite_client=True)

    assert exc.value.field == "invite_client"


@pytest.mark.django_db
def test_schedule__only_people_from_the_list(nurse, outsider, admin_user, episode):
    with pytest.raises(ApplicationError) as exc:
        schedule(nurse, episode, users=[nurse, outsider])
    with pytest.raises(ApplicationError):
        schedule(nurse, episode, users=[admin_user])

    assert exc.value.field == "team_users"
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_schedule__refused_to_those_who_may_not_change_the_episode(outsider, partner, consent, episode):
    for actor in (outsider, partner):
        with pytest.raises(ApplicationError):
            schedule(actor, episode, users=[])

    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_agenda_from_step__name_guidance_and_output(episode):
    step = episode.current_step

    agenda = agenda_from_step(episode=episode)

    assert agenda.startswith(f"{step.order}. {step.localized('name')}")
    assert step.localized("produces") in agenda


# ---------------------------------------------------------------- changing and cancelling


@pytest.mark.django_db
def test_change__participants_added_kept_and_removed(nurse, physician, partner, other_partner, episode):
    meeting = schedule(
        nurse,
        episode,
        users=[nurse, physician],
        outside=[services.OutsideParticipant("Maija", "Oppilaitos", "maija@oppilaitos.example")],
    )
    Invitation.objects.update(status="sent")
    maija = meeting.participants.get(name="Maija")

    services.meeting_change(
        actor=nurse,
        meeting=meeting,
        expected_sequence=0,
        data=meeting_input(
            users=[nurse, partner],
            outside=[services.OutsideParticipant("Maija M.", "Oppilaitos", "maija@oppilaitos.example", id=maija.pk)],
            starts_at=ahead(10, 13),
        ),
    )

    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert meeting.starts_at == ahead(10, 13)
    active = {p.user_id or p.name for p in meeting.participants.filter(removed_at__isnull=True)}
    assert active == {nurse.pk, partner.pk, "Maija M."}
    assert meeting.participants.get(user=physician).removed_at is not None
    new = dict(Invitation.objects.filter(sequence=1).values_list("participant__user_id", "method"))
    assert new == {
        nurse.pk: InvitationMethod.REQUEST,
        partner.pk: InvitationMethod.REQUEST,
        None: InvitationMethod.REQUEST,
        physician.pk: InvitationMethod.CANCEL,
    }
    assert set(
        Notification.objects.filter(kind=NotificationKind.MEETING_INVITED).values_list("recipient", flat=True)
    ) == {physician.pk, partner.pk}
    changed = Notification.objects.filter(kind=NotificationKind.MEETING_CHANGED)
    assert {(n.recipient_id, bool(n.url)) for n in changed} == {(physician.pk, False)}
    event = AuditEvent.objects.get(verb=EventType.MEETING_CHANGED)
    assert (event.payload["sequence"], event.payload["moved"], event.payload["removed"]) == (1, True, 1)


@pytest.mark.django_db
def test_change__a_removed_user_added_again_is_invited_again(nurse, physician, episode):
    meeting = schedule(nurse, episode, users=[nurse, physician])
    services.meeting_change(actor=nurse, meeting=meeting, expected_sequence=0, data=meeting_input(users=[nurse]))
    services.meeting_change(
        actor=nurse, meeting=meeting, expected_sequence=1, data=meeting_input(users=[nurse, physician])
    )

    row = Participant.objects.get(meeting=meeting, user=physician)
    assert row.removed_at is None
    assert list(Invitation.objects.filter(participant=row).values_list("sequence", "method")) == [
        (0, InvitationMethod.REQUEST),
        (1, InvitationMethod.CANCEL),
        (2, InvitationMethod.REQUEST),
    ]


@pytest.mark.django_db
def test_change_and_cancel__refused_once_cancelled_or_held(nurse, episode):
    cancelled = schedule(nurse, episode, users=[nurse])
    services.meeting_cancel(actor=nurse, meeting=cancelled, expected_sequence=0)
    held = past(schedule(nurse, episode, users=[nurse]))
    services.meeting_record_held(actor=nurse, meeting=held, expected_sequence=0, client_participated=False)

    for meeting, sequence in ((cancelled, 1), (held, 0)):
        with pytest.raises(ApplicationError):
            services.meeting_change(actor=nurse, meeting=meeting, expected_sequence=sequence, data=meeting_input())
        with pytest.raises(ApplicationError):
            services.meeting_cancel(actor=nurse, meeting=meeting, expected_sequence=sequence)


@pytest.mark.django_db
def test_cancel__event_notifications_and_status(nurse, physician, episode):
    meeting = schedule(nurse, episode, users=[nurse, physician])

    with pytest.raises(ConflictError):
        services.meeting_cancel(actor=nurse, meeting=meeting, expected_sequence=3)
    services.meeting_cancel(actor=physician, meeting=meeting, expected_sequence=0)

    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == (MeetingStatus.CANCELLED, 1)
    assert meeting.cancelled_at is not None
    assert set(Invitation.objects.filter(sequence=1).values_list("method", flat=True)) == {InvitationMethod.CANCEL}
    assert list(
        Notification.objects.filter(kind=NotificationKind.MEETING_CHANGED).values_list("recipient", flat=True)
    ) == [nurse.pk]
    event = AuditEvent.objects.get(verb=EventType.MEETING_CANCELLED)
    assert event.actor == physician
    assert meeting.get_kind_display() in describe_event(event)


# ---------------------------------------------------------------- access through meetings


@pytest.mark.django_db
def test_partner_participant__sees_the_episode_only_while_invited(nurse, partner, consent, episode):
    assert not sees(partner, episode)
    meeting = schedule(nurse, episode, users=[nurse, partner])
    assert sees(partner, episode)

    services.meeting_change(actor=nurse, meeting=meeting, expected_sequence=0, data=meeting_input(users=[nurse]))
    assert not sees(partner, episode)  # removed

    services.meeting_change(actor=nurse, meeting=meeting, expected_sequence=1, data=meeting_input(users=[partner]))
    assert sees(partner, episode)
    services.meeting_cancel(actor=nurse, meeting=meeting, expected_sequence=2)
    assert not sees(partner, episode)  # cancelled


@pytest.mark.django_db
def test_partner_participant__needs_the_clients_consent(nurse, partner, episode):
    schedule(nurse, episode, users=[nurse, partner])

    assert not sees(partner, episode)


# ---------------------------------------------------------------- after the meeting


@pytest.mark.django_db
def test_record_held__decisions_with_owner_and_due_become_actions(nurse, physician, episode):
    meeting = past(schedule(nurse, episode, users=[nurse, physician]), days=0)
    due = timezone.localdate() + datetime.timedelta(days=14)

    services.meeting_record_held(
        actor=physician,
        meeting=meeting,
        expected_sequence=0,
        client_participated=False,
        minutes="  Käytiin tilanne läpi. ",
        decisions=[
            services.DecisionInput("Lääkäri tekee B-lausunnon", owner=physician, due_on=due),
            services.DecisionInput("Hoitaja varaa työkokeilun", owner=nurse, due_on=due + datetime.timedelta(days=7)),
            services.DecisionInput("Asiakas harkitsee kuntoutusta"),
        ],
    )

    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes, meeting.recorded_by) == (
        MeetingStatus.HELD,
        "Käytiin tilanne läpi.",
        physician,
    )
    actions = list(Action.objects.order_by("due_on"))
    assert [(a.title, a.owner, a.due_on, a.source, a.status) for a in actions] == [
        ("Lääkäri tekee B-lausunnon", physician, due, ActionSource.MEETING, ActionStatus.OPEN),
        ("Hoitaja varaa työkokeilun", nurse, due + datetime.timedelta(days=7), ActionSource.MEETING, ActionStatus.OPEN),
    ]
    decisions = list(Decision.objects.filter(meeting=meeting).order_by("id"))
    assert [d.action for d in decisions] == [actions[0], actions[1], None]
    event = AuditEvent.objects.get(verb=EventType.MEETING_RECORDED)
    assert (event.payload["actions"], event.payload["scheduled"]) == (2, True)


@pytest.mark.django_db
def test_record_held__rules(nurse, episode):
    future = schedule(nurse, episode, users=[nurse])
    joint = past(schedule(nurse, episode, kind=MeetingKind.JOINT, users=[nurse], client_takes_part=True))

    with pytest.raises(ApplicationError):
        services.meeting_record_held(actor=nurse, meeting=future, expected_sequence=0, client_participated=False)
    with pytest.raises(ApplicationError) as exc:
        services.meeting_record_held(actor=nurse, meeting=joint, expected_sequence=0, client_participated=False)
    with pytest.raises(ConflictError):
        services.meeting_record_held(actor=nurse, meeting=joint, expected_sequence=1, client_participated=True)

    assert exc.value.field == "client_participated"
    assert not Meeting.objects.filter(status=MeetingStatus.HELD).exists()


@pytest.mark.django_db
def test_completion_checks__count_held_meetings_only(nurse, episode):
    meeting_check = registry.completion_checks[CompletionCheck.MEETING]
    joint_check = registry.completion_checks[CompletionCheck.JOINT_MEETING]
    joint = past(schedule(nurse, episode, kind=MeetingKind.JOINT, users=[nurse], client_takes_part=True))
    assert not meeting_check.passes(episode)

    services.meeting_record_held(actor=nurse, meeting=joint, expected_sequence=0, client_participated=True)

    assert meeting_check.passes(episode)
    assert joint_check.passes(episode)


@pytest.mark.django_db
def test_section__upcoming_first_then_earlier(nurse, episode):
    later = schedule(nurse, episode, users=[nurse], starts_at=ahead(20))
    sooner = schedule(nurse, episode, users=[nurse], starts_at=ahead(3))
    cancelled = schedule(nurse, episode, users=[nurse], starts_at=ahead(5))
    services.meeting_cancel(actor=nurse, meeting=cancelled, expected_sequence=0)
    recorded = services.meeting_record(
        actor=nurse, episode=episode, kind=MeetingKind.TEAM, starts_at=timezone.now(), participants=[nurse]
    )

    section = meetings_section_for(episode=episode)

    assert section.upcoming == [sooner, later]
    assert set(section.earlier) == {cancelled, recorded}


@pytest.mark.django_db
def test_section__suggests_scheduling_on_a_meeting_step(nurse, episode):
    step = episode.pathway_version.steps.filter(completion_check__in=["meeting", "joint_meeting"]).first()
    assert step is not None
    episode.current_step = step
    assert meetings_section_for(episode=episode).suggest_scheduling

    schedule(nurse, episode, users=[nurse])

    assert not meetings_section_for(episode=episode).suggest_scheduling
    episode.current_step = episode.pathway_version.steps.get(order=1)
    assert not meetings_section_for(episode=episode).suggest_scheduling


@pytest.mark.django_db
def test_event_describers__kind_and_finnish_time(nurse, episode):
    schedule(nurse, episode, kind=MeetingKind.TEAM, users=[nurse], starts_at=at(2031, 2, 3, 9, 5))

    event = AuditEvent.objects.get(verb=EventType.MEETING_SCHEDULED)

    assert describe_event(event) == "Team meeting 3.2.2031 09:05"


@pytest.mark.django_db
def test_invited_users_get_one_email_the_invitation_not_a_second_notification_mail(
    django_capture_on_commit_callbacks, mailoutbox, nurse, episode, physician
):
    assert physician.email
    """The in-app notification of an invitation sends no e-mail of its own: the .ics mail is the e-mail."""
    with django_capture_on_commit_callbacks(execute=True):
        schedule(nurse, episode, kind=MeetingKind.TEAM, users=[nurse, physician])

    rows = Notification.objects.filter(recipient=physician)
    assert rows.exists() and all(n.email_status == EmailStatus.IN_APP for n in rows)
    assert len([m for m in mailoutbox if physician.email in m.to]) == 1
