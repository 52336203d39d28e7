"""Sending, accepting and declining notifications of need (services and selectors)."""

import datetime
import threading

import pytest
from django.db import close_old_connections, connection
from django.http import Http404
from django.utils import timezone

from conftest import open_episode
from tukipolku.access.choices import AccessGround
from tukipolku.audit.choices import AccessOutcome, EventType
from tukipolku.audit.models import AuditEvent, Disclosure, PersonalDataAccess
from tukipolku.cases.choices import EpisodeStatus, IdentificationSource
from tukipolku.cases.models import Episode
from tukipolku.clients.models import Client
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.core.tests.factories import OrganisationFactory, TeamFactory, UserFactory
from tukipolku.intake import selectors, services
from tukipolku.intake.choices import NeedStatus
from tukipolku.intake.models import NeedNotification
from tukipolku.intake.tests.factories import need_fields, partner_user, send_need
from tukipolku.notifications.choices import NotificationKind
from tukipolku.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(db):
    return partner_user(username="employment", first_name="Antti", last_name="Työllisyys")


@pytest.fixture
def need(coordinator, team, nurse, physician):
    return send_need(coordinator, team)


# ---------------------------------------------------------------- sending


def test_need_send__creates_notification_client_event_and_tells_the_team(coordinator, team, nurse, physician):
    need = send_need(coordinator, team, first_names="Aino", last_name="Avun-Tarvitsija")

    assert need.status == NeedStatus.WAITING
    assert need.source == IdentificationSource.EMPLOYMENT_SERVICES
    assert need.sender_organisation_id == coordinator.organisation_id
    assert need.client.full_name == "Avun-Tarvitsija Aino"
    assert need.risk_factors == ["long_unemployment", "repeated_sick_leave"]
    assert AuditEvent.objects.filter(verb=EventType.NEED_NOTIFIED, client_id=need.client_id).count() == 1
    told = set(Notification.objects.filter(kind=NotificationKind.NEED_RECEIVED).values_list("recipient_id", flat=True))
    assert told == {nurse.pk, physician.pk}
    assert "Avun" not in Notification.objects.filter(kind=NotificationKind.NEED_RECEIVED).first().url
    disclosure = Disclosure.objects.get(client_id=need.client_id)
    assert disclosure.recipient_organisation_id == team.organisation_id


def test_need_send__consent_required(coordinator, team):
    with pytest.raises(ApplicationError) as exc:
        send_need(coordinator, team, consent_given=False)
    assert exc.value.field == "consent_given"
    assert not NeedNotification.objects.exists()
    assert not Client.objects.exists()


def test_need_send__consent_date_not_in_future(coordinator, team):
    with pytest.raises(ApplicationError) as exc:
        send_need(coordinator, team, consent_on=timezone.localdate() + datetime.timedelta(days=1))
    assert exc.value.field == "consent_on"


def test_need_send__invalid_identity_code_refused(coordinator, team):
    with pytest.raises(ApplicationError) as exc:
        send_need(coordinator, team, identity_code="010190-900X")
    assert exc.value.field == "identity_code"


def test_need_send__administrator_cannot_send(admin_user, team):
    with pytest.raises(ApplicationError):
        send_need(admin_user, team)


def test_need_send__inactive_team_refused(coordinator, team):
    team.is_active = False
    team.save()
    with pytest.raises(ApplicationError) as exc:
        send_need(coordinator, team)
    assert exc.value.field == "team"


def test_need_send__existing_client_reused_without_changing_the_register(coordinator, team):
    existing = ClientFactory(first_names="Rekisteri", last_name="Nimi")
    need = send_need(coordinator, team, identity_code=existing.identity_code.lower(), first_names="Kirjoitettu")

    assert need.client_id == existing.pk
    assert Client.objects.count() == 1
    existing.refresh_from_db()
    assert existing.first_names == "Rekisteri"
    assert need.first_names == "Kirjoitettu"  # the sender's words stay in the notification
    lookup = PersonalDataAccess.objects.get(client_id=existing.pk)
    assert lookup.basis == AccessGround.INTAKE_SENDER


@pytest.mark.parametrize(
    ("kind", "profession", "source"),
    [
        (OrganisationKind.STUDENT_HEALTH, Profession.STUDENT_HEALTH, IdentificationSource.STUDENT_HEALTH),
        (
            OrganisationKind.OCCUPATIONAL_HEALTH,
            Profession.OCCUPATIONAL_HEALTH,
            IdentificationSource.OCCUPATIONAL_HEALTH,
        ),
        (OrganisationKind.KELA, Profession.KELA_EXPERT, IdentificationSource.KELA),
        (OrganisationKind.SOTE_CENTRE, Profession.SOCIAL_WORKER, IdentificationSource.SOCIAL_SERVICES),
        (OrganisationKind.SOTE_CENTRE, Profession.NURSE, IdentificationSource.SOTE_APPOINTMENT),
    ],
)
def test_sender_source__by_organisation_kind(kind, profession, source):
    user = UserFactory(profession=profession, organisation=OrganisationFactory(kind=kind))
    assert selectors.sender_source(actor=user) == source


def test_team_choices__own_welfare_region_first():
    region = OrganisationFactory(kind=OrganisationKind.WELFARE_REGION)
    centre = OrganisationFactory(parent=region)
    own = TeamFactory(organisation=centre, name="Zeta oma tiimi")
    other = TeamFactory(name="Alfa muu tiimi")
    TeamFactory(name="Beta suljettu", is_active=False)
    sender = UserFactory(profession=Profession.SOCIAL_WORKER, organisation=centre)

    assert list(selectors.team_choices_for_sender(actor=sender)) == [own, other]


# ---------------------------------------------------------------- accepting


def test_need_accept__opens_episode_once_and_tells_the_sender(need, nurse, satakunta, coordinator):
    episode = services.need_accept(actor=nurse, need=need, expected_status=NeedStatus.WAITING, pathway=satakunta)

    need.refresh_from_db()
    assert need.status == NeedStatus.ACCEPTED
    assert need.episode == episode
    assert need.decided_by == nurse
    assert episode.client_id == need.client_id
    assert episode.team_id == need.team_id
    assert episode.source == IdentificationSource.EMPLOYMENT_SERVICES
    assert episode.situation_long_unemployment
    assert episode.need_description == need.need_description
    assert episode.team_consent_on == need.consent_on
    assert episode.pathway_version.pathway == satakunta
    assert Client.objects.count() == 1
    assert Episode.objects.count() == 1
    event = AuditEvent.objects.get(verb=EventType.NEED_ACCEPTED)
    assert event.episode_id == episode.pk
    assert event.payload["episode"] == episode.pk
    assert Notification.objects.filter(kind=NotificationKind.NEED_ACCEPTED, recipient=coordinator).count() == 1

    with pytest.raises(ConflictError):
        services.need_accept(actor=nurse, need=need, expected_status=NeedStatus.WAITING, pathway=satakunta)
    assert Episode.objects.count() == 1


def test_need_accept__existing_client_is_reused(coordinator, team, nurse, satakunta):
    existing = ClientFactory()
    need = send_need(coordinator, team, identity_code=existing.identity_code)

    episode = services.need_accept(actor=nurse, need=need, expected_status=NeedStatus.WAITING, pathway=satakunta)

    assert episode.client_id == existing.pk
    assert Client.objects.count() == 1


def test_need_accept__open_episode_clash_names_it_and_can_link(coordinator, team, nurse, satakunta):
    client = ClientFactory()
    open_one = open_episode(nurse, team, satakunta, client=client)
    need = send_need(coordinator, team, identity_code=client.identity_code)

    with pytest.raises(services.OpenEpisodeExistsError) as exc:
        services.need_accept(actor=nurse, need=need, expected_status=NeedStatus.WAITING, pathway=satakunta)
    assert exc.value.episode.pk == open_one.pk
    need.refresh_from_db()
    assert need.status == NeedStatus.WAITING

    episode = services.need_accept(
        actor=nurse, need=need, expected_status=NeedStatus.WAITING, pathway=None, link_existing=True
    )
    assert episode.pk == open_one.pk
    assert Episode.objects.filter(client=client, status=EpisodeStatus.OPEN).count() == 1
    need.refresh_from_db()
    assert need.episode_id == open_one.pk


def test_need_accept__pathway_required(need, nurse):
    with pytest.raises(ApplicationError) as exc:
        services.need_accept(actor=nurse, need=need, expected_status=NeedStatus.WAITING, pathway=None)
    assert exc.value.field == "pathway"


def test_need_accept__member_of_another_team_refused(need, outsider, satakunta):
    with pytest.raises(ApplicationError):
        services.need_accept(actor=outsider, need=need, expected_status=NeedStatus.WAITING, pathway=satakunta)
    assert not Episode.objects.exists()


def test_need_accept__stale_status_is_a_conflict(need, nurse, physician, satakunta):
    services.need_decline(actor=physician, need=need, expected_status=NeedStatus.WAITING, reason="Ei kuulu meille.")
    with pytest.raises(ConflictError):
        services.need_accept(actor=nurse, need=need, expected_status=NeedStatus.WAITING, pathway=satakunta)
    assert not Episode.objects.exists()


# ---------------------------------------------------------------- declining


def test_need_decline__needs_a_reason(need, nurse):
    with pytest.raises(ApplicationError) as exc:
        services.need_decline(actor=nurse, need=need, expected_status=NeedStatus.WAITING, reason="   ")
    assert exc.value.field == "reason"
    need.refresh_from_db()
    assert need.status == NeedStatus.WAITING


def test_need_decline__reason_goes_back_to_the_sender(need, nurse, coordinator):
    services.need_decline(
        actor=nurse, need=need, expected_status=NeedStatus.WAITING, reason="Asiakas on jo erikoissairaanhoidossa."
    )
    need.refresh_from_db()
    assert need.status == NeedStatus.DECLINED
    assert need.decline_reason == "Asiakas on jo erikoissairaanhoidossa."
    assert AuditEvent.objects.filter(verb=EventType.NEED_DECLINED, client_id=need.client_id).count() == 1
    assert Notification.objects.filter(kind=NotificationKind.NEED_DECLINED, recipient=coordinator).count() == 1
    seen = selectors.need_get_for_sender(actor=coordinator, need_id=need.pk)
    assert seen.decline_reason == need.decline_reason


# ---------------------------------------------------------------- who sees what


def test_selectors__sender_only_not_colleagues(need, coordinator):
    colleague = partner_user(organisation=coordinator.organisation)
    assert selectors.need_get_for_sender(actor=coordinator, need_id=need.pk) == need
    with pytest.raises(Http404):
        selectors.need_get_for_sender(actor=colleague, need_id=need.pk)
    denied = PersonalDataAccess.objects.get(user=colleague)
    assert denied.outcome == AccessOutcome.DENIED
    assert denied.client_id == need.client_id
    assert [n.pk for n in selectors.need_sent_list_for(actor=colleague).object_list] == []


def test_selectors__team_member_sees_all_others_404(need, nurse, outsider, coordinator):
    assert selectors.need_get_for(actor=nurse, need_id=need.pk) == need
    assert PersonalDataAccess.objects.filter(
        user=nurse, basis=AccessGround.INTAKE_TEAM, client_id=need.client_id
    ).exists()
    for actor in (outsider, coordinator):
        with pytest.raises(Http404):
            selectors.need_get_for(actor=actor, need_id=need.pk)
        assert PersonalDataAccess.objects.filter(user=actor, outcome=AccessOutcome.DENIED).exists()
    with pytest.raises(Http404):
        selectors.need_get_for(actor=nurse, need_id=need.pk + 1000)


def test_selectors__queue_lists_waiting_oldest_first_and_logs_each(coordinator, team, nurse):
    first = send_need(coordinator, team)
    second = send_need(coordinator, team)
    NeedNotification.objects.filter(pk=second.pk).update(sent_at=first.sent_at - datetime.timedelta(days=2))

    queue = selectors.need_queue_for(actor=nurse)

    assert [n.pk for n in queue.waiting] == [second.pk, first.pk]
    assert queue.waiting_total == 2
    assert selectors.need_waiting_count_for(actor=nurse) == 2
    logged = set(PersonalDataAccess.objects.filter(user=nurse).values_list("client_id", flat=True))
    assert logged == {first.client_id, second.client_id}


def test_selectors__queue_of_another_team_is_empty(need, outsider):
    queue = selectors.need_queue_for(actor=outsider)
    assert queue.waiting == [] and queue.decided == []
    assert selectors.need_waiting_count_for(actor=outsider) == 0


# ---------------------------------------------------------------- two people deciding at once


@pytest.mark.django_db(transaction=True)
def test_need_accept__concurrent_decisions_open_one_episode(coordinator, team, nurse, physician, satakunta):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    need = send_need(coordinator, team)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(actor):
        try:
            barrier.wait()
            services.need_accept(actor=actor, need=need, expected_status=NeedStatus.WAITING, pathway=satakunta)
            outcomes.append("accepted")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=decide, args=(u,)) for u in (nurse, physician)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["accepted", "conflict"]
    assert Episode.objects.count() == 1
    assert AuditEvent.objects.filter(verb=EventType.NEED_ACCEPTED).count() == 1


def test_need_fields_helper_is_synthetic():
    assert 900 <= int(need_fields()["identity_code"][7:10]) <= 999
