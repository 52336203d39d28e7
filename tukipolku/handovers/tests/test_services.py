"""Escorted handovers: opening, the preparatory and transfer meetings, acceptance and escalation."""

import datetime

import pytest
from django.utils import timezone

from conftest import open_episode
from tukipolku.access.policy import can_view_episode
from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent
from tukipolku.cases.choices import AssignmentKind, IdentificationSource
from tukipolku.cases.models import Assignment, CaseTeamMember, Episode
from tukipolku.clients.models import Client
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.choices import Profession
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.core.tests.factories import member
from tukipolku.handovers import services
from tukipolku.handovers.choices import HandoverReason, HandoverStatus, JobSearch
from tukipolku.handovers.models import Handover
from tukipolku.handovers.tests.factories import open_handover
from tukipolku.notifications.choices import NotificationKind
from tukipolku.notifications.models import Notification
from tukipolku.pathways.choices import HandoverRole, VersionStatus
from tukipolku.pathways.models import Pathway, PathwayStep, PathwayVersion
from tukipolku.pathways.services import pathway_version_create_draft, pathway_version_publish
from tukipolku.privacy.choices import DataCategory
from tukipolku.privacy.models import Consent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def prepare(handover, actor, **values):
    return services.handover_prepare(actor=actor, handover=handover, expected_revision=handover.revision, **values)


def transfer(handover, actor, **values):
    values.setdefault("transfer_at", timezone.now())
    return services.handover_transfer(actor=actor, handover=handover, expected_revision=handover.revision, **values)


def move_opened(handover, days):
    Handover.objects.filter(pk=handover.pk).update(opened_at=timezone.now() - datetime.timedelta(days=days))


# ------------------------------------------------------------------ opening


def test_handover_open__creates_the_client_records_the_event_and_tells_the_team(sender, team, nurse, physician):
    handover = open_handover(sender, team)
    assert handover.status == HandoverStatus.OPEN
    assert handover.sending_contact == sender
    assert handover.source == IdentificationSource.OCCUPATIONAL_HEALTH
    assert Client.objects.filter(pk=handover.client_id, last_name="Siirtyjä").exists()
    event = AuditEvent.objects.get(verb=EventType.HANDOVER_OPENED)
    assert (event.client_id, event.target_id, event.payload["team"]) == (handover.client_id, handover.pk, team.name)
    notified = set(
        Notification.objects.filter(kind=NotificationKind.HANDOVER_RECEIVED).values_list("recipient_id", "key", "url")
    )
    url = f"/handovers/{handover.pk}/"
    assert notified == {
        (nurse.pk, f"handover_received:{handover.pk}", url),
        (physician.pk, f"handover_received:{handover.pk}", url),
    }


def test_handover_open__student_health_is_the_source(student_sender, team, nurse):
    handover = open_handover(student_sender, team, reason=HandoverReason.GRADUATING)
    assert handover.source == IdentificationSource.STUDENT_HEALTH


def test_handover_open__links_an_existing_client_without_changing_it(sender, team, nurse):
    existing = ClientFactory(last_name="Vanha")
    handover = open_handover(sender, team, identity_code=existing.identity_code.lower(), last_name="Uusi")
    assert handover.client_id == existing.pk
    assert handover.last_name == "Uusi"
    existing.refresh_from_db()
    assert existing.last_name == "Vanha"
    assert Client.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"identity_code": "010190-1234"}, "identity_code"),
        ({"consent_on": "tomorrow"}, "consent_on"),
        ({"consent_method": "telepathy"}, "consent_method"),
        ({"reason": "bored"}, "reason"),
        ({"first_names": "  "}, "first_names"),
    ],
)
def test_handover_open__refuses_bad_input(sender, team, change, field):
    if change.get("consent_on") == "tomorrow":
        change = {"consent_on": TODAY() + datetime.timedelta(days=1)}
    with pytest.raises(ApplicationError) as exc:
        open_handover(sender, team, **change)
    assert exc.value.field == field
    assert not Handover.objects.exists()


def test_handover_open__only_occupational_and_student_health_staff(nurse, employment_partner, team):
    for actor in (nurse, employment_partner):
        with pytest.raises(ApplicationError):
            open_handover(actor, team, sending_contact=actor)


def test_handover_open__sending_contact_must_be_of_the_same_organisation(sender, student_sender, team):
    with pytest.raises(ApplicationError) as exc:
        open_handover(sender, team, sending_contact=student_sender)
    assert exc.value.field == "sending_contact"


def test_handover_open__the_same_organisation_cannot_open_it_twice(sender, colleague, team, nurse):
    first = open_handover(sender, team)
    with pytest.raises(ApplicationError):
        open_handover(colleague, team, identity_code=first.client.identity_code, sending_contact=colleague)


# ------------------------------------------------------------------ preparatory and transfer meetings


def test_handover_prepare__records_the_checklist_with_dates(handover, sender):
    yesterday = TODAY() - datetime.timedelta(days=1)
    saved = prepare(
        handover,
        sender,
        prep_met_on=yesterday,
        prep_health_info_on=yesterday,
        prep_nurse_invited_on=TODAY(),
        prep_notes="  Työkyky ja jatko  ",
    )
    assert saved.revision == 2
    assert saved.checklist_done == 2
    assert saved.prep_notes == "Työkyky ja jatko"
    event = AuditEvent.objects.get(verb=EventType.HANDOVER_UPDATED)
    assert event.payload["part"] == "preparation"
    assert set(event.payload["fields"]) == {"prep_met_on", "prep_health_info_on", "prep_nurse_invited_on", "prep_notes"}


def test_handover_prepare__a_done_date_cannot_be_in_the_future(handover, sender):
    with pytest.raises(ApplicationError) as exc:
        prepare(handover, sender, prep_statement_on=TODAY() + datetime.timedelta(days=1))
    assert exc.value.field == "prep_statement_on"


def test_handover_prepare__a_stale_revision_is_a_conflict(handover, sender, colleague):
    stale = handover.revision
    prepare(handover, sender, prep_notes="Ensimmäinen")
    with pytest.raises(ConflictError):
        services.handover_prepare(actor=sender, handover=handover, expected_revision=stale, prep_notes="Toinen")
    handover.refresh_from_db()
    assert handover.prep_notes == "Ensimmäinen"


def test_handover_prepare__only_the_sending_side(handover, colleague, nurse):
    for actor in (colleague, nurse):
        with pytest.raises(ApplicationError):
            prepare(handover, actor, prep_notes="Ei saa")


def test_handover_prepare__the_sending_contact_may_edit(sender, colleague, team, nurse):
    handover = open_handover(sender, team, sending_contact=colleague)
    assert prepare(handover, colleague, prep_notes="Yhteyshenkilö").prep_notes == "Yhteyshenkilö"


@pytest.mark.parametrize("score", [0, 7, 10])
def test_handover_transfer__records_the_topics(handover, sender, nurse, score):
    saved = transfer(
        handover,
        sender,
        own_view="Haluan kokeilla kevyempää työtä.",
        work_ability_score=score,
        receiving_nurse=nurse,
        service_area="Pori pohjoinen",
        job_search=JobSearch.STARTED,
    )
    assert saved.work_ability_score == score
    assert saved.receiving_nurse == nurse
    assert saved.transfer_recorded_at is not None


@pytest.mark.parametrize("score", [-1, 11, 100, True, "7"])
def test_handover_transfer__the_work_ability_score_is_0_to_10(handover, sender, score):
    with pytest.raises(ApplicationError) as exc:
        transfer(handover, sender, work_ability_score=score)
    assert exc.value.field == "work_ability_score"


def test_handover_transfer__the_receiving_nurse_is_a_nurse_of_the_receiving_team(handover, sender, physician, outsider):
    for user in (physician, outsider):
        with pytest.raises(ApplicationError) as exc:
            transfer(handover, sender, receiving_nurse=user)
        assert exc.value.field == "receiving_nurse"


def test_handover_transfer__job_search_not_started_needs_the_reason(handover, sender):
    with pytest.raises(ApplicationError) as exc:
        transfer(handover, sender, job_search=JobSearch.NOT_STARTED, job_search_note=" ")
    assert exc.value.field == "job_search_note"
    saved = transfer(handover, sender, job_search=JobSearch.NOT_STARTED, job_search_note="Sairausloma jatkuu.")
    assert saved.job_search_note == "Sairausloma jatkuu."


def test_handover_transfer__needs_the_date_and_time(handover, sender):
    with pytest.raises(ApplicationError) as exc:
        transfer(handover, sender, transfer_at=None)
    assert exc.value.field == "transfer_at"


# ------------------------------------------------------------------ acceptance


def test_handover_accept__opens_the_episode_with_the_receiving_nurse_as_contact_person(
    handover, sender, nurse, physician, satakunta
):
    transfer(handover, sender, receiving_nurse=nurse, work_ability_score=4)
    episode = services.handover_accept(actor=physician, handover=handover, expected_status=HandoverStatus.OPEN)

    handover.refresh_from_db()
    assert (handover.status, handover.episode_id, handover.accepted_by) == (
        HandoverStatus.ACCEPTED,
        episode.pk,
        physician,
    )
    assert episode.team_id == handover.team_id and episode.client_id == handover.client_id
    assert episode.source == IdentificationSource.OCCUPATIONAL_HEALTH
    assert episode.situation_partial_ability_unemployed
    assert episode.team_consent_on == handover.consent_on
    assert episode.pathway_version.pathway == services.pathway_default(handover=handover)
    contact = Assignment.objects.get(episode=episode, kind=AssignmentKind.CONTACT_PERSON, ended_at__isnull=True)
    assert contact.user == nurse
    members = set(
        CaseTeamMember.objects.filter(episode=episode, removed_at__isnull=True).values_list("user_id", flat=True)
    )
    assert {physician.pk, nurse.pk, sender.pk} <= members
    assert AuditEvent.objects.filter(verb=EventType.HANDOVER_ACCEPTED, episode_id=episode.pk).exists()
    assert Notification.objects.filter(
        kind=NotificationKind.HANDOVER_ACCEPTED, recipient=sender, key=f"handover_accepted:{handover.pk}"
    ).exists()


def test_handover_accept__without_a_receiving_nurse_the_accepter_is_the_contact_person(handover, nurse):
    episode = services.handover_accept(actor=nurse, handover=handover, expected_status=HandoverStatus.OPEN)
    assert episode.assignments.get(kind=AssignmentKind.CONTACT_PERSON).user == nurse


def test_handover_accept__picks_the_escorted_handover_pathway_when_it_exists(handover, nurse, satakunta):
    pathway = Pathway.objects.filter(opened_by_handover=True).first()
    if pathway is None:
        pathway = Pathway.objects.create(
            code="saattaen",
            name_fi="Saattaen vaihtaen",
            name_sv="Överlämning",
            name_en="Escorted",
            opened_by_handover=True,
        )
        version = PathwayVersion.objects.create(
            pathway=pathway, number=1, status=VersionStatus.PUBLISHED, published_at=timezone.now()
        )
        PathwayStep.objects.create(
            version=version,
            order=1,
            code="transfer",
            name_fi="Siirtopalaveri",
            name_sv="Överföring",
            name_en="Transfer meeting",
            produces_fi="x",
            produces_sv="x",
            produces_en="x",
            responsible_role=Profession.PUBLIC_HEALTH_NURSE,
            expected_duration_days=14,
        )
    episode = services.handover_accept(actor=nurse, handover=handover, expected_status=HandoverStatus.OPEN)
    assert episode.pathway_version.pathway == pathway


def test_handover_accept__falls_back_to_the_first_available_pathway(handover, nurse, satakunta):
    Pathway.objects.filter(opened_by_handover=True).update(is_active=False)
    episode = services.handover_accept(actor=nurse, handover=handover, expected_status=HandoverStatus.OPEN)
    assert episode.pathway_version.pathway == Pathway.objects.filter(is_active=True).order_by("pk").first()


def test_handover_accept__a_second_accept_is_told_it_is_already_accepted(handover, nurse, physician):
    services.handover_accept(actor=nurse, handover=handover, expected_status=HandoverStatus.OPEN)
    with pytest.raises(ConflictError) as exc:
        services.handover_accept(actor=physician, handover=handover, expected_status=HandoverStatus.OPEN)
    assert nurse.display_name in exc.value.message
    assert Episode.objects.count() == 1


def test_handover_accept__only_the_receiving_team(handover, sender, outsider):
    for actor in (sender, outsider):
        with pytest.raises(ApplicationError):
            services.handover_accept(actor=actor, handover=handover, expected_status=HandoverStatus.OPEN)
    handover.refresh_from_db()
    assert handover.is_open


def test_handover_accept__nobody_edits_after_acceptance(handover, sender, nurse):
    services.handover_accept(actor=nurse, handover=handover, expected_status=HandoverStatus.OPEN)
    handover.refresh_from_db()
    with pytest.raises(ConflictError):
        prepare(handover, sender, prep_notes="Myöhässä")
    with pytest.raises(ConflictError):
        transfer(handover, sender, own_view="Myöhässä")


def test_handover_accept__links_the_clients_open_episode(sender, team, nurse, satakunta):
    existing = open_episode(nurse, team, satakunta)
    handover = open_handover(sender, team, identity_code=existing.client.identity_code)
    episode = services.handover_accept(actor=nurse, handover=handover, expected_status=HandoverStatus.OPEN)
    assert episode.pk == existing.pk
    assert Episode.objects.filter(client=existing.client).count() == 1
    assert episode.members.filter(user=sender, removed_at__isnull=True).exists()


def test_handover_accept__the_escort_consent_lets_the_sender_follow_the_shared_plan(sender, team, nurse, satakunta):
    handover = open_handover(sender, team, escort_consent=True)
    episode = services.handover_accept(actor=nurse, handover=handover, expected_status=HandoverStatus.OPEN)
    consent = Consent.objects.get(client=handover.client)
    assert consent.recipient_organisation == sender.organisation
    assert consent.categories == [DataCategory.SHARED_PLAN]
    assert can_view_episode(actor=sender, episode=episode)


def test_handover_accept__without_escort_consent_the_sender_sees_nothing(handover, sender, nurse):
    episode = services.handover_accept(actor=nurse, handover=handover, expected_status=HandoverStatus.OPEN)
    assert not Consent.objects.filter(client=handover.client).exists()
    assert not can_view_episode(actor=sender, episode=episode)


# ------------------------------------------------------------------ escalation


def test_handovers_escalate__not_before_the_set_days(handover, manager, settings):
    settings.TUKIPOLKU_HANDOVER_ESCALATION_DAYS = 7
    move_opened(handover, 6)
    assert services.handovers_escalate(today=TODAY()) == 0
    handover.refresh_from_db()
    assert handover.escalated_at is None
    assert not Notification.objects.filter(kind=NotificationKind.HANDOVER_NOT_ACCEPTED).exists()


def test_handovers_escalate__after_the_set_days_once_to_the_managers(handover, manager, nurse, settings):
    settings.TUKIPOLKU_HANDOVER_ESCALATION_DAYS = 7
    move_opened(handover, 7)
    assert services.handovers_escalate(today=TODAY()) == 1
    handover.refresh_from_db()
    first = handover.escalated_at
    assert first is not None
    assert services.handovers_escalate(today=TODAY()) == 1  # the same finding, handed in again
    handover.refresh_from_db()
    assert handover.escalated_at == first
    assert AuditEvent.objects.filter(verb=EventType.HANDOVER_ESCALATED).count() == 1
    event = AuditEvent.objects.get(verb=EventType.HANDOVER_ESCALATED)
    assert event.actor is None and event.client_id == handover.client_id
    notes = list(Notification.objects.filter(kind=NotificationKind.HANDOVER_NOT_ACCEPTED))
    assert [(n.recipient_id, n.key) for n in notes] == [(manager.pk, f"handover_not_accepted:{handover.pk}")]
    assert notes[0].url == f"/handovers/{handover.pk}/"


def test_handovers_escalate__an_accepted_handover_does_not_escalate(handover, manager, nurse, settings):
    settings.TUKIPOLKU_HANDOVER_ESCALATION_DAYS = 3
    services.handover_accept(actor=nurse, handover=handover, expected_status=HandoverStatus.OPEN)
    move_opened(handover, 10)
    assert services.handovers_escalate(today=TODAY()) == 0
    handover.refresh_from_db()
    assert handover.escalated_at is None


def test_handovers_escalate__only_the_managers_of_the_receiving_team(handover, manager, other_team, settings):
    other_manager = member(other_team, profession=Profession.TEAM_MANAGER, role="manager")
    move_opened(handover, settings.TUKIPOLKU_HANDOVER_ESCALATION_DAYS + 1)
    services.handovers_escalate(today=TODAY())
    recipients = set(
        Notification.objects.filter(kind=NotificationKind.HANDOVER_NOT_ACCEPTED).values_list("recipient_id", flat=True)
    )
    assert recipients == {manager.pk}
    assert other_manager.pk not in recipients


def test_handovers_escalate__a_team_without_a_manager_escalates_to_its_members(handover, nurse, settings):
    move_opened(handover, settings.TUKIPOLKU_HANDOVER_ESCALATION_DAYS + 1)
    services.handovers_escalate(today=TODAY())
    recipients = set(
        Notification.objects.filter(kind=NotificationKind.HANDOVER_NOT_ACCEPTED).values_list("recipient_id", flat=True)
    )
    assert nurse.pk in recipients


def test_handovers_escalate__is_a_registered_sweep_step():
    from tukipolku.sweep.registry import sweep_steps

    assert sweep_steps["handovers"](TODAY()) == 0  # the sweep calls it with the day; nothing is overdue


def _escorted_or_skip():
    pathway = Pathway.objects.filter(code="escorted_handover").first()
    if pathway is None or not pathway.opened_by_handover:
        pytest.skip("the escorted handover pathway is not shipped")
    return pathway


def test_handover_accept__steps_the_handover_did_are_marked_done(handover, sender, nurse):
    _escorted_or_skip()
    yesterday = TODAY() - datetime.timedelta(days=1)
    handover = prepare(handover, sender, prep_met_on=yesterday, prep_health_info_on=yesterday)
    handover = transfer(handover, sender, receiving_nurse=nurse)
    episode = services.handover_accept(actor=nurse, handover=handover, expected_status=HandoverStatus.OPEN)
    # Opening, the preparatory meeting and the transfer meeting (recorded on the handover) are done: the
    # current step is the one after the transfer meeting.
    assert episode.current_step.code == "receiving_nurse"
    outputs = list(episode.step_records.filter(status="completed").order_by("id").values_list("output", flat=True))
    assert len(outputs) == 3 and "1 of 7 checklist items done" in outputs[1]
    assert "Transfer meeting held on" in outputs[2]


def test_handover_accept__a_new_version_with_renamed_steps_and_pathway_still_works(handover, sender, nurse, admin_user):
    """Codes are the administrator's to change: the handover finds its pathway and steps by their part in the
    data (`opened_by_handover`, `handover_role`), so renaming them in a new version changes nothing."""
    pathway = _escorted_or_skip()
    draft = pathway_version_create_draft(actor=admin_user, pathway=pathway)
    for step in draft.steps.all():
        step.code = f"renamed-{step.order}"
        step.save(update_fields=["code"])
    new = pathway_version_publish(actor=admin_user, version=draft)
    pathway.code = "saattaen-vaihtaen"
    pathway.save(update_fields=["code"])
    yesterday = TODAY() - datetime.timedelta(days=1)
    handover = prepare(handover, sender, prep_met_on=yesterday, prep_health_info_on=yesterday)
    handover = transfer(handover, sender, receiving_nurse=nurse)

    episode = services.handover_accept(actor=nurse, handover=handover, expected_status=HandoverStatus.OPEN)

    assert episode.pathway_version == new
    assert episode.current_step.code == "renamed-4"
    done = episode.step_records.filter(status="completed").order_by("id")
    assert list(done.values_list("step__code", flat=True)) == ["renamed-1", "renamed-2", "renamed-3"]
    assert done.last().step.handover_role == HandoverRole.TRANSFER_MEETING


def test_handover_accept__the_steps_done_follow_the_roles_not_the_codes(handover, sender, nurse, admin_user):
    """A new version that gives the opening part to no step: the handover completes nothing."""
    pathway = _escorted_or_skip()
    draft = pathway_version_create_draft(actor=admin_user, pathway=pathway)
    draft.steps.update(handover_role="")
    pathway_version_publish(actor=admin_user, version=draft)

    episode = services.handover_accept(actor=nurse, handover=handover, expected_status=HandoverStatus.OPEN)

    assert episode.current_step.order == 1
    assert not episode.step_records.filter(status="completed").exists()


def test_handover_accept__without_the_preparatory_meeting_the_episode_waits_at_it(handover, nurse):
    _escorted_or_skip()
    episode = services.handover_accept(actor=nurse, handover=handover, expected_status=HandoverStatus.OPEN)
    assert episode.current_step.code == "preparatory_meeting"
