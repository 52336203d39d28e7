"""Recording meetings of the client's team; decisions with an owner and a due date become plan actions."""

import datetime

import pytest
from django.utils import timezone, translation

from conftest import open_episode
from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent
from tukipolku.cases import registry
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import Outcome
from tukipolku.core.exceptions import ApplicationError
from tukipolku.meetings import services
from tukipolku.meetings.choices import MeetingKind
from tukipolku.meetings.models import Decision, Meeting, Participant
from tukipolku.meetings.selectors import meeting_list_for
from tukipolku.pathways.choices import CompletionCheck
from tukipolku.plans.choices import ActionSource, ActionStatus
from tukipolku.plans.models import Action, Plan


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def today():
    return timezone.localdate()


def record(actor, episode, **kw):
    params = {
        "kind": MeetingKind.TEAM,
        "starts_at": timezone.now(),
        "participants": [actor],
    }
    params.update(kw)
    return services.meeting_record(actor=actor, episode=episode, **params)


@pytest.mark.django_db
def test_meeting_record__stores_the_meeting_and_its_participants(nurse, physician, episode):
    starts = timezone.now() - datetime.timedelta(hours=2)

    meeting = record(
        nurse,
        episode,
        kind=MeetingKind.NETWORK,
        starts_at=starts,
        location="  Sote-keskus, huone 3 ",
        participants=[nurse, physician],
        outside_participants=[services.OutsideParticipant("Maija Meikäläinen", "TE-palvelut")],
        agenda=" Tilanne ",
        minutes=" Sovittiin jatkosta. ",
    )

    meeting.refresh_from_db()
    assert (meeting.episode, meeting.kind, meeting.starts_at, meeting.recorded_by) == (
        episode,
        MeetingKind.NETWORK,
        starts,
        nurse,
    )
    assert (meeting.location, meeting.agenda, meeting.minutes) == (
        "Sote-keskus, huone 3",
        "Tilanne",
        "Sovittiin jatkosta.",
    )
    assert not meeting.client_participated
    people = {(p.user_id, p.name, p.organisation) for p in Participant.objects.filter(meeting=meeting)}
    assert people == {
        (nurse.pk, "", ""),
        (physician.pk, "", ""),
        (None, "Maija Meikäläinen", "TE-palvelut"),
    }


@pytest.mark.django_db
def test_meeting_record__decision_with_owner_and_due_date_becomes_an_action(nurse, physician, episode):
    due = today() + datetime.timedelta(days=14)

    meeting = record(
        nurse,
        episode,
        decisions=[
            services.DecisionInput(text="  Lääkäri tekee B-lausunnon ", owner=physician, due_on=due),
            services.DecisionInput(text="Asiakas harkitsee työkokeilua"),
            services.DecisionInput(text="Vain vastuuhenkilö", owner=nurse),
            services.DecisionInput(text="   "),
        ],
    )

    decisions = list(Decision.objects.filter(meeting=meeting).order_by("id"))
    assert [d.text for d in decisions] == [
        "Lääkäri tekee B-lausunnon",
        "Asiakas harkitsee työkokeilua",
        "Vain vastuuhenkilö",
    ]
    (created,) = Action.objects.all()
    assert decisions[0].action == created
    assert decisions[1].action is None
    assert decisions[2].action is None
    assert (created.title, created.owner, created.due_on, created.source, created.status, created.goal) == (
        "Lääkäri tekee B-lausunnon",
        physician,
        due,
        ActionSource.MEETING,
        ActionStatus.OPEN,
        None,
    )
    assert created.plan == Plan.objects.get(episode=episode)
    assert created.plan.revision == 1
    event = AuditEvent.objects.get(verb=EventType.MEETING_RECORDED)
    assert event.payload["actions"] == 1
    assert event.payload["kind"] == MeetingKind.TEAM
    assert (event.actor, event.episode_id, event.client_id, event.target_id) == (
        nurse,
        episode.pk,
        episode.client_id,
        meeting.pk,
    )
    assert AuditEvent.objects.filter(verb=EventType.PLAN_UPDATED, episode_id=episode.pk).count() == 1


@pytest.mark.django_db
def test_meeting_record__joint_meeting_needs_the_client(nurse, episode):
    with pytest.raises(ApplicationError) as exc:
        record(nurse, episode, kind=MeetingKind.JOINT, client_participated=False)

    assert exc.value.field == "client_participated"
    assert not Meeting.objects.exists()
    joint = record(nurse, episode, kind=MeetingKind.JOINT, client_participated=True)
    assert joint.client_participated


@pytest.mark.django_db
def test_meeting_record__refusals(nurse, outsider, episode):
    with pytest.raises(ApplicationError) as kind:
        record(nurse, episode, kind="coffee")
    with pytest.raises(ApplicationError) as nobody:
        record(nurse, episode, participants=[], outside_participants=[])
    with pytest.raises(ApplicationError) as outside:
        record(outsider, episode, participants=[outsider])

    assert kind.value.field == "kind"
    assert nobody.value.field == "participants"
    assert outside.value.message == "This client relationship cannot be changed."
    assert not Meeting.objects.exists()
    assert not AuditEvent.objects.filter(verb=EventType.MEETING_RECORDED).exists()


@pytest.mark.django_db
def test_meeting_record__outside_participants_alone_are_enough(nurse, episode):
    meeting = record(
        nurse, episode, participants=[], outside_participants=[services.OutsideParticipant("Kela-asiantuntija")]
    )

    assert [p.name for p in meeting.participants.all()] == ["Kela-asiantuntija"]


@pytest.mark.django_db
def test_meeting_record__refused_on_a_closed_episode(nurse, episode):
    case_services.episode_close(
        confirm_early=True, actor=nurse, episode=episode, outcome=Outcome.MOVED_AWAY, outcome_on=today(), follow_ups=[]
    )
    episode.refresh_from_db()

    with pytest.raises(ApplicationError):
        record(nurse, episode)

    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_meeting_checks__any_meeting_and_a_meeting_with_the_client(nurse, episode):
    meeting_check = registry.completion_checks[CompletionCheck.MEETING]
    joint_check = registry.completion_checks[CompletionCheck.JOINT_MEETING]
    assert not meeting_check.passes(episode)
    assert not joint_check.passes(episode)

    record(nurse, episode, kind=MeetingKind.NETWORK)
    assert meeting_check.passes(episode)
    assert not joint_check.passes(episode)

    record(nurse, episode, kind=MeetingKind.JOINT, client_participated=True)
    assert joint_check.passes(episode)


@pytest.mark.django_db
def test_meeting_list_for__newest_first_and_only_this_episode(nurse, team, satakunta, episode):
    other = open_episode(nurse, team, satakunta)
    older = record(nurse, episode, starts_at=timezone.now() - datetime.timedelta(days=7))
    newer = record(nurse, episode, starts_at=timezone.now())
    record(nurse, other)

    assert list(meeting_list_for(episode=episode)) == [newer, older]
