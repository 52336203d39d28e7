"""Episode services: opening, moving along the pathway, the client's team, closing and reopening."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from conftest import open_episode
from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import (
    AssignmentKind,
    ConsentMethod,
    EpisodeStatus,
    FollowUpStatus,
    IdentificationSource,
    Outcome,
    StepStatus,
)
from tukipolku.cases.models import Assignment, CaseTeamMember, Episode, FollowUp, StepRecord
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.core.models import TeamMembership, User
from tukipolku.core.tests.factories import OrganisationFactory, TeamFactory, UserFactory, member
from tukipolku.meetings import services as meeting_services
from tukipolku.meetings.choices import MeetingKind
from tukipolku.pathways.models import PathwayStep
from tukipolku.plans import services as plan_services
from tukipolku.plans.choices import AgreementMethod, GoalDomain
from tukipolku.plans.models import Plan


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def colleague(org):
    """A physiotherapist of another team of the same organisation."""
    return member(TeamFactory(organisation=org, name="Kuntoutustiimi"), profession=Profession.PHYSIOTHERAPIST)


@pytest.fixture
def partner(db):
    """Employment services staff: another organisation, no team."""
    return UserFactory(
        profession=Profession.EMPLOYMENT_COORDINATOR,
        organisation=OrganisationFactory(kind=OrganisationKind.EMPLOYMENT_SERVICES),
    )


def today():
    return timezone.localdate()


def days(n):
    return datetime.timedelta(days=n)


def fresh(user):
    """The same user as a new object: the gate memoises team ids on the user object per request."""
    return User.objects.get(pk=user.pk)


def events(episode, verb):
    return list(AuditEvent.objects.filter(episode_id=episode.pk, verb=verb).order_by("id"))


def complete(actor, episode, output="Tehty."):
    episode.refresh_from_db()
    return case_services.episode_step_complete(
        actor=actor, episode=episode, expected_step_id=episode.current_step_id, output=output
    )


def skip(actor, episode, reason="Ei tarpeen tässä tilanteessa."):
    episode.refresh_from_db()
    return case_services.episode_step_skip(
        actor=actor, episode=episode, expected_step_id=episode.current_step_id, reason=reason
    )


def skip_to(actor, episode, order):
    """Skip steps (which needs no completion check) until the episode is at step `order`."""
    episode.refresh_from_db()
    while episode.current_step.order < order:
        episode = skip(actor, episode)
    assert episode.current_step.order == order
    return episode


def step(episode, order):
    return PathwayStep.objects.get(version_id=episode.pathway_version_id, order=order)


def name_contact(actor, episode, user):
    return case_services.assignment_set(actor=actor, episode=episode, kind=AssignmentKind.CONTACT_PERSON, user=user)


def write_goal(actor, episode, description="Työkokeilu kaupan alalla syksyllä."):
    plan = Plan.objects.filter(episode=episode).first()
    return plan_services.plan_save(
        actor=actor,
        episode=episode,
        expected_revision=plan.revision if plan else 0,
        summary="Asiakas haluaa takaisin työelämään.",
        next_review_on=None,
        goals=[plan_services.GoalInput(id=None, domain=GoalDomain.EMPLOYMENT, description=description)],
        loose_actions=[],
    )


def agree_plan(actor, episode):
    plan = Plan.objects.get(episode=episode)
    return plan_services.plan_agree(
        actor=actor, episode=episode, revision=plan.revision, agreed_on=today(), method=AgreementMethod.IN_MEETING
    )


def record_meeting(actor, episode, *, joint):
    return meeting_services.meeting_record(
        actor=actor,
        episode=episode,
        kind=MeetingKind.JOINT if joint else MeetingKind.TEAM,
        starts_at=timezone.now(),
        client_participated=joint,
        participants=[actor],
        minutes="Käytiin tilanne läpi.",
    )


def close(actor, episode, outcome=Outcome.OPEN_LABOUR_MARKET, *, follow_up_owner=None, **kw):
    params = {
        "outcome_on": today(),
        "follow_ups": [(today() + days(90), follow_up_owner or actor)],
    }
    params.update(kw)
    params.setdefault("confirm_early", True)  # most tests close early; the confirmation has its own tests
    episode.refresh_from_db()
    return case_services.episode_close(actor=actor, episode=episode, outcome=outcome, **params)


# ================================================================ episode_open


@pytest.mark.django_db
def test_episode_open__starts_at_the_first_step_with_a_due_date(nurse, team, satakunta):
    episode = open_episode(nurse, team, satakunta)

    episode.refresh_from_db()
    first = step(episode, 1)
    assert episode.status == EpisodeStatus.OPEN
    assert episode.pathway_version.number == 1
    assert episode.current_step == first
    assert first.code == "need_identified"
    assert episode.current_step_due == today() + days(first.expected_duration_days)
    record = StepRecord.objects.get(episode=episode)
    assert record.step == first
    assert record.status == StepStatus.ACTIVE
    assert record.due_on == episode.current_step_due
    assert record.started_by == nurse


@pytest.mark.django_db
def test_episode_open__records_the_need_and_the_clients_agreement(nurse, team, satakunta):
    episode = open_episode(
        nurse,
        team,
        satakunta,
        source=IdentificationSource.UNEMPLOYED_HEALTH_CHECK,
        situations=["long_unemployment", "jobseeker_illness"],
        need_description="  Selkävaivat ja pitkä työttömyys.  ",
        consent_on=today(),
        consent_method=ConsentMethod.WRITTEN,
    )

    episode.refresh_from_db()
    assert episode.source == IdentificationSource.UNEMPLOYED_HEALTH_CHECK
    assert episode.situation_long_unemployment
    assert episode.situation_jobseeker_illness
    assert not episode.situation_partial_ability_unemployed
    assert not episode.situation_graduating_partial_ability
    assert not episode.situation_rehabilitative_work_health
    assert episode.need_description == "Selkävaivat ja pitkä työttömyys."
    assert episode.team_consent_on == today()
    assert episode.team_consent_method == ConsentMethod.WRITTEN
    assert episode.team_consent_recorded_by == nurse
    assert episode.opened_by == nurse


@pytest.mark.django_db
def test_episode_open__the_opener_joins_the_clients_team(nurse, team, satakunta):
    episode = open_episode(nurse, team, satakunta)

    members = list(CaseTeamMember.objects.filter(episode=episode))
    assert [m.user for m in members] == [nurse]
    assert members[0].removed_at is None
    assert members[0].role_in_case == ""  # shown as the profession, in the reader's language
    assert members[0].added_by == nurse


@pytest.mark.django_db
def test_episode_open__writes_an_event(nurse, team, satakunta):
    episode = open_episode(nurse, team, satakunta, situations=["long_unemployment", "jobseeker_illness"])

    (event,) = events(episode, EventType.EPISODE_OPENED)
    assert event.actor == nurse
    assert event.client_id == episode.client_id
    assert (event.target_type, event.target_id) == ("cases.episode", episode.pk)
    assert event.payload["version"] == 1
    assert event.payload["step"]["order"] == 1
    assert event.payload["situations"] == ["jobseeker_illness", "long_unemployment"]
    assert event.payload["source"] == IdentificationSource.EMPLOYMENT_SERVICES
    assert event.payload["pathway"]["fi"] == satakunta.name_fi


@pytest.mark.django_db
def test_episode_open__refused_outside_the_actors_own_team(nurse, outsider, team, other_team, satakunta):
    client = ClientFactory()

    with pytest.raises(ApplicationError) as exc:
        open_episode(nurse, other_team, satakunta, client=client)
    assert exc.value.field == "team"
    assert exc.value.message == "You can open client relationships only in your own team."

    with pytest.raises(ApplicationError):
        open_episode(outsider, team, satakunta, client=client)

    assert not Episode.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_episode_open__refused_after_the_team_membership_ended(physician, team, satakunta):
    TeamMembership.objects.filter(user=physician, team=team).update(ended_on=today() - days(1))

    with pytest.raises(ApplicationError):
        open_episode(fresh(physician), team, satakunta)

    assert not Episode.objects.exists()


@pytest.mark.django_db
def test_episode_open__refused_for_administrators_and_partner_staff(admin_user, partner, team, satakunta):
    TeamMembership.objects.create(team=team, user=partner)  # even a membership gives partner staff no client work

    for actor in (admin_user, partner):
        with pytest.raises(ApplicationError):
            open_episode(actor, team, satakunta)

    assert not Episode.objects.exists()


@pytest.mark.django_db
def test_episode_open__agreement_in_the_future_is_refused(nurse, team, satakunta):
    with pytest.raises(ApplicationError) as exc:
        open_episode(nurse, team, satakunta, consent_on=today() + days(1))

    assert exc.value.field == "consent_on"
    assert not Episode.objects.exists()
    assert open_episode(nurse, team, satakunta, consent_on=today()).team_consent_on == today()


@pytest.mark.django_db
@pytest.mark.parametrize("need", ["", "   \n "])
def test_episode_open__needs_a_description_of_the_need(nurse, team, satakunta, need):
    with pytest.raises(ApplicationError) as exc:
        open_episode(nurse, team, satakunta, need_description=need)

    assert exc.value.field == "need_description"
    assert not Episode.objects.exists()


@pytest.mark.django_db
def test_episode_open__a_second_open_episode_in_the_same_team_is_refused(nurse, team, satakunta, eura):
    first = open_episode(nurse, team, satakunta)

    with pytest.raises(ApplicationError) as exc:
        open_episode(nurse, team, eura, client=first.client)

    assert exc.value.message == "The client already has an open relationship with this team."
    assert Episode.objects.filter(client=first.client).count() == 1


@pytest.mark.django_db
def test_episode_open__another_team_or_after_closing_is_allowed(nurse, org, team, satakunta):
    second_team = TeamFactory(organisation=org, name="Työkykytiimi B")
    TeamMembership.objects.create(team=second_team, user=nurse)
    nurse = fresh(nurse)
    first = open_episode(nurse, team, satakunta)

    in_other_team = open_episode(nurse, second_team, satakunta, client=first.client)
    close(nurse, first)
    again = open_episode(nurse, team, satakunta, client=first.client)

    assert in_other_team.team == second_team
    assert again.team == team
    assert Episode.objects.filter(client=first.client, status=EpisodeStatus.OPEN).count() == 2


@pytest.mark.django_db
def test_episode_open__refused_for_an_inactive_pathway(nurse, team, satakunta):
    satakunta.is_active = False
    satakunta.save(update_fields=["is_active"])

    with pytest.raises(ApplicationError) as exc:
        open_episode(nurse, team, satakunta)

    assert exc.value.field == "pathway"


# ================================================================ completing a step


@pytest.mark.django_db
def test_episode_step_complete__records_the_output_and_moves_to_the_next_step(nurse, episode):
    first = episode.current_step

    episode = case_services.episode_step_complete(
        actor=nurse, episode=episode, expected_step_id=first.pk, output="  Tarve kirjattu.  "
    )

    episode.refresh_from_db()
    second = step(episode, 2)
    assert episode.current_step == second
    assert episode.current_step_due == today() + days(second.expected_duration_days)
    done, active = StepRecord.objects.filter(episode=episode).order_by("id")
    assert (done.step, done.status, done.output, done.ended_by) == (
        first,
        StepStatus.COMPLETED,
        "Tarve kirjattu.",
        nurse,
    )
    assert done.ended_at is not None
    assert (active.step, active.status, active.due_on) == (second, StepStatus.ACTIVE, episode.current_step_due)
    (event,) = events(episode, EventType.STEP_COMPLETED)
    assert event.actor == nurse
    assert (event.target_type, event.target_id) == ("cases.steprecord", done.pk)
    assert event.payload["step"]["order"] == 1
    assert event.payload["next_step"]["order"] == 2
    assert event.payload["output"] == "Tarve kirjattu."


@pytest.mark.django_db
@pytest.mark.parametrize("output", ["", "  \n\t "])
def test_episode_step_complete__requires_the_output(nurse, episode, output):
    with pytest.raises(ApplicationError) as exc:
        case_services.episode_step_complete(
            actor=nurse, episode=episode, expected_step_id=episode.current_step_id, output=output
        )

    assert exc.value.field == "output"
    assert exc.value.message == "Write what the step produced."
    episode.refresh_from_db()
    assert episode.current_step.order == 1
    assert StepRecord.objects.filter(episode=episode).count() == 1
    assert not events(episode, EventType.STEP_COMPLETED)


@pytest.mark.django_db
def test_episode_step_complete__satakunta_step_3_needs_a_contact_person(nurse, social_worker, episode):
    episode = skip_to(nurse, episode, 3)
    assert episode.current_step.completion_check == "contact_person"

    with pytest.raises(ApplicationError) as exc:
        complete(nurse, episode)

    assert exc.value.message == "Name the contact person first."
    episode.refresh_from_db()
    assert episode.current_step.order == 3

    name_contact(nurse, episode, social_worker)
    assert complete(nurse, episode).current_step.order == 4


@pytest.mark.django_db
def test_episode_step_complete__satakunta_step_4_needs_a_plan_goal(nurse, episode):
    episode = skip_to(nurse, episode, 4)
    # A plan with only a loose action has no goal yet.
    plan_services.action_create(actor=nurse, episode=episode, title="Soita Kelaan", owner=nurse, due_on=today())

    with pytest.raises(ApplicationError) as exc:
        complete(nurse, episode)

    assert exc.value.message == "Write at least one goal in the service plan first."
    write_goal(nurse, episode)
    assert complete(nurse, episode).current_step.order == 5


@pytest.mark.django_db
def test_episode_step_complete__satakunta_step_5_needs_agreement_to_the_current_plan(nurse, episode):
    episode = skip_to(nurse, episode, 5)
    message = "Record the client's agreement to the current plan first."

    with pytest.raises(ApplicationError) as no_plan:
        complete(nurse, episode)
    write_goal(nurse, episode)
    with pytest.raises(ApplicationError) as not_agreed:
        complete(nurse, episode)
    agree_plan(nurse, episode)
    write_goal(nurse, episode, "Kuntoutuskurssi keväällä.")  # a new version: the agreement was to the old one
    with pytest.raises(ApplicationError) as changed_since:
        complete(nurse, episode)

    assert no_plan.value.message == not_agreed.value.message == changed_since.value.message == message
    agree_plan(nurse, episode)
    assert complete(nurse, episode).current_step.order == 6


@pytest.mark.django_db
def test_episode_step_complete__satakunta_step_7_needs_a_meeting_with_the_client(nurse, episode):
    episode = skip_to(nurse, episode, 7)
    record_meeting(nurse, episode, joint=False)  # a team meeting without the client does not count

    with pytest.raises(ApplicationError) as exc:
        complete(nurse, episode)

    assert exc.value.message == "Record a meeting in which the client took part first."
    record_meeting(nurse, episode, joint=True)
    assert complete(nurse, episode).current_step.order == 8


@pytest.mark.django_db
def test_episode_step_complete__eura_step_2_needs_a_meeting(nurse, team, eura):
    episode = skip_to(nurse, open_episode(nurse, team, eura), 2)

    with pytest.raises(ApplicationError) as exc:
        complete(nurse, episode)

    assert exc.value.message == "Record the meeting first."
    record_meeting(nurse, episode, joint=False)
    assert complete(nurse, episode).current_step.order == 3


@pytest.mark.django_db
def test_episode_step_complete__stale_expected_step_is_a_conflict(nurse, physician, episode):
    loaded_step_id = episode.current_step_id
    complete(nurse, episode)  # someone moves the episode on meanwhile

    with pytest.raises(ConflictError):
        case_services.episode_step_complete(
            actor=physician, episode=episode, expected_step_id=loaded_step_id, output="Minäkin tein tämän."
        )
    with pytest.raises(ConflictError):
        case_services.episode_step_skip(actor=physician, episode=episode, expected_step_id=loaded_step_id, reason="x")
    with pytest.raises(ConflictError):
        case_services.episode_step_return(
            actor=physician, episode=episode, expected_step_id=loaded_step_id, to_step_id=loaded_step_id, reason="x"
        )

    episode.refresh_from_db()
    assert episode.current_step.order == 2
    assert StepRecord.objects.filter(episode=episode).count() == 2
    assert len(events(episode, EventType.STEP_COMPLETED)) == 1


@pytest.mark.django_db
def test_episode_step_complete__the_last_step_cannot_be_completed_or_skipped(nurse, episode):
    episode = skip_to(nurse, episode, 9)

    with pytest.raises(ApplicationError) as completing:
        complete(nurse, episode)
    with pytest.raises(ApplicationError) as skipping:
        skip(nurse, episode)

    assert completing.value.message == "This is the last step: close the client relationship with an outcome."
    assert skipping.value.message == "The last step cannot be skipped: close the client relationship instead."
    episode.refresh_from_db()
    assert episode.current_step.order == 9
    assert StepRecord.objects.filter(episode=episode, status=StepStatus.ACTIVE).count() == 1


@pytest.mark.django_db
def test_episode_step_complete__refused_for_an_outsider_and_on_a_closed_episode(nurse, outsider, admin_user, episode):
    for actor in (outsider, admin_user):
        with pytest.raises(ApplicationError) as exc:
            complete(actor, episode)
        assert exc.value.message == "This client relationship cannot be changed."

    step_id = episode.current_step_id
    close(nurse, episode)
    episode.refresh_from_db()
    with pytest.raises(ApplicationError):
        case_services.episode_step_complete(actor=nurse, episode=episode, expected_step_id=step_id, output="x")
    assert not events(episode, EventType.STEP_COMPLETED)


# ================================================================ skipping and going back


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   "])
def test_episode_step_skip__requires_a_reason(nurse, episode, reason):
    with pytest.raises(ApplicationError) as exc:
        skip(nurse, episode, reason=reason)

    assert exc.value.field == "reason"
    episode.refresh_from_db()
    assert episode.current_step.order == 1
    assert not events(episode, EventType.STEP_SKIPPED)


@pytest.mark.django_db
def test_episode_step_skip__records_the_reason_and_needs_no_completion_check(nurse, episode):
    episode = skip_to(nurse, episode, 3)  # step 3 checks the contact person; skipping does not

    episode = skip(nurse, episode, reason="  Tiimi koottu jo aiemmin.  ")

    assert episode.current_step.order == 4
    record = StepRecord.objects.get(episode=episode, step__order=3)
    assert (record.status, record.reason, record.ended_by) == (StepStatus.SKIPPED, "Tiimi koottu jo aiemmin.", nurse)
    event = events(episode, EventType.STEP_SKIPPED)[-1]
    assert event.payload["step"]["order"] == 3
    assert event.payload["next_step"]["order"] == 4
    assert event.payload["reason"] == "Tiimi koottu jo aiemmin."


@pytest.mark.django_db
def test_episode_step_return__goes_back_and_is_recorded(nurse, episode):
    episode = skip_to(nurse, episode, 3)
    first = step(episode, 1)

    episode = case_services.episode_step_return(
        actor=nurse,
        episode=episode,
        expected_step_id=episode.current_step_id,
        to_step_id=first.pk,
        reason="  Tarve muuttui.  ",
    )

    episode.refresh_from_db()
    assert episode.current_step == first
    assert episode.current_step_due == today() + days(first.expected_duration_days)
    records = list(StepRecord.objects.filter(episode=episode).order_by("id"))
    assert [(r.step.order, r.status) for r in records] == [
        (1, StepStatus.SKIPPED),
        (2, StepStatus.SKIPPED),
        (3, StepStatus.RETURNED),
        (1, StepStatus.ACTIVE),
    ]
    assert records[2].reason == "Tarve muuttui."
    (event,) = events(episode, EventType.STEP_RETURNED)
    assert event.payload["step"]["order"] == 3
    assert event.payload["next_step"]["order"] == 1
    assert event.payload["reason"] == "Tarve muuttui."


@pytest.mark.django_db
def test_episode_step_return__requires_a_reason(nurse, episode):
    episode = skip_to(nurse, episode, 2)

    with pytest.raises(ApplicationError) as exc:
        case_services.episode_step_return(
            actor=nurse,
            episode=episode,
            expected_step_id=episode.current_step_id,
            to_step_id=step(episode, 1).pk,
            reason=" ",
        )

    assert exc.value.field == "reason"
    episode.refresh_from_db()
    assert episode.current_step.order == 2


@pytest.mark.django_db
def test_episode_step_return__only_to_an_earlier_step_of_the_same_version(nurse, team, episode, eura):
    episode = skip_to(nurse, episode, 3)
    eura_episode = open_episode(nurse, team, eura)
    targets = [step(episode, 3).pk, step(episode, 4).pk, eura_episode.current_step_id, 999_999]

    for to_step_id in targets:
        with pytest.raises(ApplicationError) as exc:
            case_services.episode_step_return(
                actor=nurse,
                episode=episode,
                expected_step_id=episode.current_step_id,
                to_step_id=to_step_id,
                reason="x",
            )
        assert exc.value.field == "to_step"

    episode.refresh_from_db()
    assert episode.current_step.order == 3
    assert not events(episode, EventType.STEP_RETURNED)


# ================================================================ the client's team


@pytest.mark.django_db
def test_case_member_add__adds_a_professional_of_the_same_organisation(nurse, colleague, episode):
    added = case_services.case_member_add(actor=nurse, episode=episode, user=colleague, role_in_case="  Fysioterapia ")

    assert (added.user, added.role_in_case, added.added_by, added.removed_at) == (
        colleague,
        "Fysioterapia",
        nurse,
        None,
    )
    (event,) = events(episode, EventType.TEAM_MEMBER_ADDED)
    assert event.payload == {"member": colleague.display_name, "role": "Fysioterapia"}
    assert (event.target_type, event.target_id) == ("cases.caseteammember", added.pk)


@pytest.mark.django_db
def test_case_member_add__role_defaults_to_the_profession(nurse, physician, episode, client):
    added = case_services.case_member_add(actor=nurse, episode=episode, user=physician)

    assert added.role_in_case == ""
    client.force_login(nurse)
    client.post(reverse("set_language"), {"language": "fi", "next": "/"})
    page = client.get(reverse("cases:team", args=[episode.pk])).content.decode()
    with translation.override("fi"):
        assert str(physician.get_profession_display()) in page


@pytest.mark.django_db
def test_case_member_add__refuses_users_outside_the_organisations_teams(
    nurse, outsider, admin_user, partner, physician, team, episode
):
    TeamMembership.objects.filter(user=physician, team=team).update(ended_on=today() - days(1))
    inactive = member(team, profession=Profession.NURSE, is_active=False)

    partner.organisation = None  # partner staff join only with an organisation that consents can name
    partner.save()
    for user in (outsider, admin_user, partner, fresh(physician), inactive):
        with pytest.raises(ApplicationError) as exc:
            case_services.case_member_add(actor=nurse, episode=episode, user=user)
        assert exc.value.field == "user"
        assert exc.value.message == "Only professionals of this organisation's teams and partner staff can join."

    assert list(CaseTeamMember.objects.filter(episode=episode).values_list("user", flat=True)) == [nurse.pk]
    assert not events(episode, EventType.TEAM_MEMBER_ADDED)


@pytest.mark.django_db
def test_case_member_add__refuses_someone_already_in_the_team(nurse, episode):
    with pytest.raises(ApplicationError) as exc:
        case_services.case_member_add(actor=nurse, episode=episode, user=nurse)

    assert exc.value.message == "This professional is already in the client's team."


@pytest.mark.django_db
def test_case_member_add__refused_for_an_outsider(outsider, physician, episode):
    with pytest.raises(ApplicationError):
        case_services.case_member_add(actor=outsider, episode=episode, user=physician)

    assert not CaseTeamMember.objects.filter(user=physician).exists()


@pytest.mark.django_db
def test_case_member_remove__ends_the_membership(nurse, physician, episode):
    added = case_services.case_member_add(actor=nurse, episode=episode, user=physician)

    case_services.case_member_remove(actor=nurse, episode=episode, member=added)

    added.refresh_from_db()
    assert added.removed_at is not None
    assert added.removed_by == nurse
    (event,) = events(episode, EventType.TEAM_MEMBER_REMOVED)
    assert event.payload == {"member": physician.display_name}
    again = case_services.case_member_add(actor=nurse, episode=episode, user=physician)  # history kept, may rejoin
    assert again.pk != added.pk
    assert CaseTeamMember.objects.filter(episode=episode, user=physician).count() == 2


@pytest.mark.django_db
def test_case_member_remove__cannot_remove_the_current_contact_person(nurse, physician, social_worker, episode):
    name_contact(nurse, episode, physician)
    physician_member = CaseTeamMember.objects.get(episode=episode, user=physician)

    with pytest.raises(ApplicationError) as exc:
        case_services.case_member_remove(actor=nurse, episode=episode, member=physician_member)

    assert exc.value.message == "Name another contact person or own worker before removing this professional."
    physician_member.refresh_from_db()
    assert physician_member.removed_at is None

    name_contact(nurse, episode, social_worker)
    case_services.case_member_remove(actor=nurse, episode=episode, member=physician_member)
    physician_member.refresh_from_db()
    assert physician_member.removed_at is not None


@pytest.mark.django_db
def test_case_member_remove__cannot_remove_the_current_own_worker(nurse, social_worker, episode):
    case_services.assignment_set(actor=nurse, episode=episode, kind=AssignmentKind.OWN_WORKER, user=social_worker)
    worker = CaseTeamMember.objects.get(episode=episode, user=social_worker)

    with pytest.raises(ApplicationError):
        case_services.case_member_remove(actor=nurse, episode=episode, member=worker)


@pytest.mark.django_db
def test_case_member_remove__refuses_a_member_of_another_episode_or_already_removed(
    nurse, physician, team, satakunta, episode
):
    other = open_episode(nurse, team, satakunta)
    other_member = case_services.case_member_add(actor=nurse, episode=other, user=physician)
    own = case_services.case_member_add(actor=nurse, episode=episode, user=physician)
    case_services.case_member_remove(actor=nurse, episode=episode, member=own)
    own.refresh_from_db()

    for target in (other_member, own):
        with pytest.raises(ApplicationError) as exc:
            case_services.case_member_remove(actor=nurse, episode=episode, member=target)
        assert exc.value.message == "This professional is not in the client's team."

    other_member.refresh_from_db()
    assert other_member.removed_at is None


# ================================================================ contact person and own worker


@pytest.mark.django_db
def test_assignment_set__names_the_contact_person_who_joins_the_team(nurse, colleague, episode):
    assignment = case_services.assignment_set(
        actor=nurse, episode=episode, kind=AssignmentKind.CONTACT_PERSON, user=colleague, note=" Sovittu tiimissä "
    )

    assert (assignment.user, assignment.started_by, assignment.ended_at) == (colleague, nurse, None)
    assert assignment.note == "Sovittu tiimissä"
    assert CaseTeamMember.objects.filter(episode=episode, user=colleague, removed_at__isnull=True).exists()
    (event,) = events(episode, EventType.CONTACT_PERSON_NAMED)
    assert event.payload == {"person": colleague.display_name, "previous": ""}
    assert len(events(episode, EventType.TEAM_MEMBER_ADDED)) == 1


@pytest.mark.django_db
def test_assignment_set__changing_the_contact_person_keeps_the_history(nurse, physician, social_worker, episode):
    first = name_contact(nurse, episode, physician)

    second = name_contact(nurse, episode, social_worker)

    first.refresh_from_db()
    assert first.ended_at is not None
    assert first.ended_at == second.started_at
    assert second.ended_at is None
    history = list(Assignment.objects.filter(episode=episode, kind=AssignmentKind.CONTACT_PERSON).order_by("id"))
    assert [a.user for a in history] == [physician, social_worker]
    current = Assignment.objects.get(episode=episode, kind=AssignmentKind.CONTACT_PERSON, ended_at__isnull=True)
    assert current.user == social_worker
    last = events(episode, EventType.CONTACT_PERSON_NAMED)[-1]
    assert last.payload == {"person": social_worker.display_name, "previous": physician.display_name}


@pytest.mark.django_db
def test_assignment_set__own_worker_is_a_separate_responsibility(nurse, physician, social_worker, episode):
    name_contact(nurse, episode, physician)

    case_services.assignment_set(actor=nurse, episode=episode, kind=AssignmentKind.OWN_WORKER, user=social_worker)

    current = dict(Assignment.objects.filter(episode=episode, ended_at__isnull=True).values_list("kind", "user"))
    assert current == {AssignmentKind.CONTACT_PERSON: physician.pk, AssignmentKind.OWN_WORKER: social_worker.pk}
    assert len(events(episode, EventType.OWN_WORKER_NAMED)) == 1


@pytest.mark.django_db
def test_assignment_set__refusals(nurse, physician, outsider, partner, episode):
    name_contact(nurse, episode, physician)

    with pytest.raises(ApplicationError) as same:
        name_contact(nurse, episode, physician)
    with pytest.raises(ApplicationError) as kind:
        case_services.assignment_set(actor=nurse, episode=episode, kind="boss", user=physician)
    for user in (outsider, partner):
        with pytest.raises(ApplicationError) as other_org:
            name_contact(nurse, episode, user)
        assert other_org.value.field == "user"
    with pytest.raises(ApplicationError):
        name_contact(outsider, episode, nurse)

    assert same.value.message == "This professional already has this responsibility."
    assert kind.value.field == "kind"
    assert Assignment.objects.filter(episode=episode).count() == 1


# ================================================================ closing


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", ["", "bogus"])
def test_episode_close__requires_an_outcome(nurse, episode, outcome):
    with pytest.raises(ApplicationError) as exc:
        close(nurse, episode, outcome)

    assert exc.value.field == "outcome"
    assert exc.value.message == "Choose the outcome."
    episode.refresh_from_db()
    assert episode.is_open
    assert not FollowUp.objects.exists()
    assert not events(episode, EventType.EPISODE_CLOSED)


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", [o for o in Outcome.values if o not in (Outcome.DECEASED, Outcome.MOVED_AWAY)])
def test_episode_close__requires_a_follow_up(nurse, episode, outcome):
    with pytest.raises(ApplicationError) as exc:
        close(nurse, episode, outcome, follow_ups=[])

    assert exc.value.field == "follow_up"
    episode.refresh_from_db()
    assert episode.is_open


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", [Outcome.DECEASED, Outcome.MOVED_AWAY])
def test_episode_close__no_follow_up_needed_when_deceased_or_moved_away(nurse, episode, outcome):
    episode = close(nurse, episode, outcome, follow_ups=[])

    assert episode.status == EpisodeStatus.CLOSED
    assert episode.outcome == outcome
    assert not FollowUp.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("offset", [0, -1])
def test_episode_close__follow_up_must_be_after_the_outcome_date(nurse, episode, offset):
    with pytest.raises(ApplicationError) as exc:
        close(nurse, episode, follow_ups=[(today() + days(90), nurse), (today() + days(offset), nurse)])

    assert exc.value.message == "A follow-up must be after the outcome date."
    episode.refresh_from_db()
    assert episode.is_open
    assert not FollowUp.objects.exists()


@pytest.mark.django_db
def test_episode_close__outcome_date_between_opening_and_today(nurse, episode):
    with pytest.raises(ApplicationError) as future:
        close(nurse, episode, outcome_on=today() + days(1), follow_ups=[(today() + days(30), nurse)])
    with pytest.raises(ApplicationError) as before_opening:
        close(nurse, episode, outcome_on=today() - days(1))

    assert future.value.field == before_opening.value.field == "outcome_on"
    episode.refresh_from_db()
    assert episode.is_open


@pytest.mark.django_db
def test_episode_close__records_the_outcome_and_the_follow_ups(nurse, physician, episode):
    episode = skip_to(nurse, episode, 4)
    output_before = StepRecord.objects.get(episode=episode, status=StepStatus.ACTIVE).output

    episode = close(
        nurse,
        episode,
        Outcome.PAY_SUBSIDY,
        outcome_detail="  Palkkatuki, Testiyritys Oy ",
        follow_ups=[(today() + days(91), physician), (today() + days(182), physician)],
    )

    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.CLOSED
    assert (episode.outcome, episode.outcome_on, episode.outcome_detail) == (
        Outcome.PAY_SUBSIDY,
        today(),
        "Palkkatuki, Testiyritys Oy",
    )
    assert (episode.closed_by, episode.current_step, episode.current_step_due) == (nurse, None, None)
    assert episode.closed_at is not None
    follow_ups = list(FollowUp.objects.filter(episode=episode).order_by("due_on"))
    assert [(f.due_on, f.owner, f.status) for f in follow_ups] == [
        (today() + days(91), physician, FollowUpStatus.DUE),
        (today() + days(182), physician, FollowUpStatus.DUE),
    ]
    record = StepRecord.objects.filter(episode=episode).order_by("-id").first()
    assert (record.step.order, record.status, record.output) == (4, StepStatus.CLOSED, output_before)
    assert not StepRecord.objects.filter(episode=episode, status=StepStatus.ACTIVE).exists()
    (event,) = events(episode, EventType.EPISODE_CLOSED)
    assert event.payload["outcome"] == Outcome.PAY_SUBSIDY
    assert event.payload["step"]["order"] == 4
    assert [f["due_on"] for f in event.payload["follow_ups"]] == [
        (today() + days(91)).isoformat(),
        (today() + days(182)).isoformat(),
    ]


@pytest.mark.django_db
def test_episode_close__at_the_last_step_completes_it(nurse, episode):
    episode = skip_to(nurse, episode, 9)

    close(nurse, episode, Outcome.STUDIES, outcome_detail="Ammattikoulu")

    record = StepRecord.objects.filter(episode=episode).order_by("-id").first()
    assert (record.step.order, record.status, record.output) == (9, StepStatus.COMPLETED, "Ammattikoulu")


@pytest.mark.django_db
def test_episode_close__a_closed_episode_cannot_be_closed_again(nurse, episode):
    close(nurse, episode)

    with pytest.raises(ApplicationError):
        close(nurse, episode, Outcome.STUDIES)

    episode.refresh_from_db()
    assert episode.outcome == Outcome.OPEN_LABOUR_MARKET
    assert FollowUp.objects.count() == 1


@pytest.mark.django_db
def test_episode_close__refused_for_an_outsider(outsider, episode):
    with pytest.raises(ApplicationError):
        close(outsider, episode)

    episode.refresh_from_db()
    assert episode.is_open


# ================================================================ reopening


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "  "])
def test_episode_reopen__requires_a_reason(nurse, episode, reason):
    close(nurse, episode)

    with pytest.raises(ApplicationError) as exc:
        case_services.episode_reopen(actor=nurse, episode=episode, reason=reason)

    assert exc.value.field == "reason"
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.CLOSED


@pytest.mark.django_db
def test_episode_reopen__returns_to_the_step_it_closed_at(nurse, physician, episode):
    episode = skip_to(nurse, episode, 4)
    close(nurse, episode, Outcome.NOT_REACHED, follow_ups=[(today() + days(30), physician)])

    episode = case_services.episode_reopen(actor=nurse, episode=episode, reason="  Asiakas otti yhteyttä.  ")

    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.OPEN
    assert (episode.outcome, episode.outcome_on, episode.outcome_detail) == ("", None, "")
    assert (episode.closed_at, episode.closed_by) == (None, None)
    assert episode.current_step.order == 4
    assert episode.current_step_due == today() + days(episode.current_step.expected_duration_days)
    active = StepRecord.objects.get(episode=episode, status=StepStatus.ACTIVE)
    assert active.step.order == 4
    assert list(FollowUp.objects.values_list("status", flat=True)) == [FollowUpStatus.CANCELLED]
    (event,) = events(episode, EventType.EPISODE_REOPENED)
    assert event.payload["reason"] == "Asiakas otti yhteyttä."
    assert event.payload["previous_outcome"] == Outcome.NOT_REACHED
    assert event.payload["step"]["order"] == 4
    assert complete(nurse, write_goal(nurse, episode).episode).current_step.order == 5  # the work goes on


@pytest.mark.django_db
def test_episode_reopen__keeps_done_follow_ups(nurse, episode):
    close(nurse, episode, follow_ups=[(today() + days(30), nurse), (today() + days(60), nurse)])
    FollowUp.objects.filter(due_on=today() + days(30)).update(status=FollowUpStatus.DONE)

    case_services.episode_reopen(actor=nurse, episode=episode, reason="Uusi tarve.")

    assert dict(FollowUp.objects.values_list("due_on", "status")) == {
        today() + days(30): FollowUpStatus.DONE,
        today() + days(60): FollowUpStatus.CANCELLED,
    }


@pytest.mark.django_db
def test_episode_reopen__refusals(nurse, outsider, team, satakunta, episode):
    with pytest.raises(ApplicationError) as still_open:
        case_services.episode_reopen(actor=nurse, episode=episode, reason="x")
    close(nurse, episode)
    with pytest.raises(ApplicationError):
        case_services.episode_reopen(actor=outsider, episode=episode, reason="x")
    open_episode(nurse, team, satakunta, client=episode.client)
    with pytest.raises(ApplicationError) as other_open:
        case_services.episode_reopen(actor=nurse, episode=episode, reason="x")

    assert still_open.value.message == "Only a closed client relationship can be reopened."
    assert other_open.value.message == "The client already has an open relationship with this team."
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.CLOSED
    assert not events(episode, EventType.EPISODE_REOPENED)


# ================================================================ the whole Satakunta pathway


@pytest.mark.django_db
def test_satakunta__walk_all_nine_steps_and_close(nurse, physician, social_worker, team, satakunta):
    episode = open_episode(nurse, team, satakunta)
    outputs = {}

    def done(order, output):
        nonlocal episode
        assert episode.current_step.order == order
        outputs[order] = output
        episode = complete(nurse, episode, output)

    done(1, "Tarve tunnistettu työttömän terveystarkastuksessa.")
    done(2, "Lähete tiimille tehty.")
    case_services.case_member_add(actor=nurse, episode=episode, user=physician, role_in_case="Työkyvyn arvio")
    name_contact(nurse, episode, social_worker)
    done(3, "Tiimi koottu, yhteyshenkilö nimetty.")
    write_goal(nurse, episode)
    done(4, "Arvioinnista sovittu.")
    agree_plan(nurse, episode)
    done(5, "Palvelusuunnitelma hyväksytty.")
    done(6, "Lisätutkimukset tehty.")
    record_meeting(nurse, episode, joint=True)
    done(7, "Yhteinen jatkosuunnitelma.")
    done(8, "Seuranta ja tuki.")
    assert episode.current_step.order == 9

    episode = close(
        nurse,
        episode,
        Outcome.OPEN_LABOUR_MARKET,
        outcome_detail="Työsuhde alkoi",
        follow_ups=[(today() + days(90), social_worker)],
    )

    assert episode.status == EpisodeStatus.CLOSED
    records = list(StepRecord.objects.filter(episode=episode).order_by("id").select_related("step"))
    assert [r.step.order for r in records] == list(range(1, 10))
    assert all(r.status == StepStatus.COMPLETED for r in records)
    assert {r.step.order: r.output for r in records[:8]} == outputs
    assert records[8].output == "Työsuhde alkoi"
    verbs = list(AuditEvent.objects.filter(episode_id=episode.pk).values_list("verb", flat=True))
    assert verbs.count(EventType.STEP_COMPLETED) == 8
    for verb in (
        EventType.EPISODE_OPENED,
        EventType.TEAM_MEMBER_ADDED,
        EventType.CONTACT_PERSON_NAMED,
        EventType.PLAN_UPDATED,
        EventType.PLAN_AGREED,
        EventType.MEETING_RECORDED,
        EventType.EPISODE_CLOSED,
    ):
        assert verb in verbs, verb
    assert FollowUp.objects.get(episode=episode).owner == social_worker
