"""The handover pages: who may use each (allowed and denied), what is logged, forms that keep what was
typed, concurrency, and constant query counts of the lists."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tukipolku.audit.choices import AccessAction, AccessOutcome
from tukipolku.audit.models import PersonalDataAccess
from tukipolku.cases.choices import ConsentMethod
from tukipolku.clients.tests.factories import ClientFactory, next_identity_code
from tukipolku.core.choices import Profession
from tukipolku.core.tests.factories import UserFactory
from tukipolku.handovers import services
from tukipolku.handovers.choices import HandoverReason, HandoverStatus, JobSearch
from tukipolku.handovers.models import Handover
from tukipolku.handovers.tests.factories import open_handover

pytestmark = pytest.mark.django_db


def url(name, handover=None):
    return reverse(f"handovers:{name}", args=[handover.pk] if handover is not None else [])


def logged(**filters):
    return PersonalDataAccess.objects.filter(**filters)


def open_data(team, sender, **kw):
    data = {
        "identity_code": next_identity_code(),
        "first_names": "Pekka",
        "last_name": "Siirtyjä",
        "phone": "",
        "email": "",
        "team": team.pk,
        "reason": HandoverReason.EMPLOYMENT_ENDING,
        "background": "Työsuhde päättyy.",
        "sending_contact": sender.pk,
        "consent_given": "on",
        "consent_on": timezone.localdate().strftime("%-d.%-m.%Y"),
        "consent_method": ConsentMethod.WRITTEN,
    }
    data.update(kw)
    return data


def transfer_data(handover, **kw):
    data = {
        "revision": handover.revision,
        "transfer_at": timezone.localtime().strftime("%-d.%-m.%Y %H:%M"),
        "transfer_place": "Terveysasema",
        "own_view": "Haluan töihin.",
        "work_ability_score": "6",
        "receiving_nurse": "",
        "service_area": "Pori",
        "job_search": JobSearch.STARTED,
        "job_search_note": "",
    }
    data.update(kw)
    return data


# ------------------------------------------------------------------ who gets in


@pytest.mark.parametrize("name", ["list", "create"])
def test_pages__anonymous_is_sent_to_log_in(client, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_detail__anonymous_is_sent_to_log_in(client, handover):
    response = client.get(url("detail", handover))
    assert response.status_code == 302
    assert not logged(client_id=handover.client_id).exists()


@pytest.mark.parametrize("who", ["employment_partner", "admin_user"])
def test_list__other_roles_get_403_logged(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(url("list")).status_code == 403
    assert logged(user=user, outcome=AccessOutcome.DENIED, reason="role").exists()


def test_create__team_professionals_get_403(client, nurse):
    client.force_login(nurse)
    assert client.get(url("create")).status_code == 403
    assert client.post(url("create"), {}).status_code == 403


def test_list__sender_sees_what_they_sent_each_logged(client, sender, team, nurse, colleague):
    mine = [open_handover(sender, team) for _ in range(2)]
    theirs = open_handover(colleague, team, sending_contact=colleague)
    client.force_login(sender)
    response = client.get(url("list"))
    assert response.status_code == 200
    shown = {row.handover.pk for row in response.context["sent"]}
    assert shown == {h.pk for h in mine}
    rows = logged(user=sender, view="handovers:list", action=AccessAction.LIST)
    assert set(rows.values_list("client_id", flat=True)) == {h.client_id for h in mine}
    assert not logged(client_id=theirs.client_id, user=sender).exists()
    assert "Open a handover" in response.content.decode()


def test_list__team_sees_incoming_and_the_escalation(client, handover, manager, settings):
    days = settings.TUKIPOLKU_HANDOVER_ESCALATION_DAYS
    Handover.objects.filter(pk=handover.pk).update(opened_at=timezone.now() - datetime.timedelta(days=days + 1))
    services.handovers_escalate(today=timezone.localdate())
    client.force_login(manager)
    response = client.get(url("list"))
    body = response.content.decode()
    assert [r.handover.pk for r in response.context["waiting"]] == [handover.pk]
    assert response.context["waiting"][0].days_waited == days + 1
    assert "Escalated to the manager" in body
    assert f"{days + 1} days" in body
    assert logged(user=manager, client_id=handover.client_id, action=AccessAction.LIST).exists()


def test_list__another_team_sees_nothing(client, handover, outsider):
    client.force_login(outsider)
    response = client.get(url("list"))
    assert response.context["waiting"] == [] and response.context["accepted"] == []
    assert not logged(client_id=handover.client_id).exists()


@pytest.mark.parametrize("who", ["sender", "nurse", "manager"])
def test_detail__the_sending_side_and_the_receiving_team_see_it(client, request, handover, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(url("detail", handover))
    assert response.status_code == 200
    assert handover.full_name in response.content.decode()
    assert logged(user=user, client_id=handover.client_id, view="handovers:detail", action=AccessAction.VIEW).exists()


@pytest.mark.parametrize("who", ["outsider", "colleague", "student_sender"])
def test_detail__everyone_else_gets_404_logged(client, request, handover, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(url("detail", handover)).status_code == 404
    denied = logged(user=user, outcome=AccessOutcome.DENIED)
    assert list(denied.values_list("client_id", "reason")) == [(handover.client_id, "no_relationship")]


def test_detail__a_missing_handover_is_404_logged(client, nurse):
    client.force_login(nurse)
    assert client.get(reverse("handovers:detail", args=[999999])).status_code == 404
    assert logged(user=nurse, outcome=AccessOutcome.DENIED, reason="not_found").exists()


def test_detail__kela_partner_gets_403(client, handover):
    kela = UserFactory(profession=Profession.KELA_EXPERT)
    client.force_login(kela)
    assert client.get(url("detail", handover)).status_code == 403


# ------------------------------------------------------------------ opening


def test_create__opens_the_handover_and_logs_nothing_personal_in_the_url(client, sender, team, nurse):
    client.force_login(sender)
    page = client.get(url("create"))
    assert page.status_code == 200
    assert page.context["form"]["sending_contact"].value() == sender.pk
    data = open_data(team, sender)
    response = client.post(url("create"), data)
    handover = Handover.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("detail", handover)
    assert data["identity_code"] not in response["Location"]
    assert handover.client.identity_code == data["identity_code"]


def test_create__an_existing_client_is_linked_and_the_lookup_logged(client, sender, team, nurse):
    existing = ClientFactory()
    client.force_login(sender)
    client.post(url("create"), open_data(team, sender, identity_code=existing.identity_code))
    assert Handover.objects.get().client_id == existing.pk
    assert logged(user=sender, client_id=existing.pk, view="handovers:create", action=AccessAction.SEARCH).exists()


def test_create__bad_input_stays_with_the_error_next_to_the_field(client, sender, team):
    client.force_login(sender)
    response = client.post(url("create"), open_data(team, sender, identity_code="010190-1234", consent_given=""))
    assert response.status_code == 400
    form = response.context["form"]
    assert "identity_code" in form.errors and "consent_given" in form.errors
    assert 'value="Siirtyjä"' in response.content.decode()
    assert not Handover.objects.exists()


# ------------------------------------------------------------------ preparatory and transfer meetings


def test_prepare__the_sender_records_the_checklist(client, handover, sender):
    client.force_login(sender)
    assert client.get(url("prepare", handover)).status_code == 200
    day = (timezone.localdate() - datetime.timedelta(days=2)).strftime("%-d.%-m.%Y")
    response = client.post(
        url("prepare", handover),
        {"revision": handover.revision, "prep_met_on": day, "prep_health_info_on": day, "prep_notes": "Asialista"},
    )
    assert response.status_code == 302
    handover.refresh_from_db()
    assert handover.checklist_done == 1 and handover.prep_notes == "Asialista"


def test_prepare__a_stale_form_is_told_and_nothing_is_overwritten(client, handover, sender):
    client.force_login(sender)
    stale = handover.revision
    services.handover_prepare(actor=sender, handover=handover, expected_revision=stale, prep_notes="Toisen muutos")
    response = client.post(url("prepare", handover), {"revision": stale, "prep_notes": "Oma muutos"})
    assert response.status_code == 400
    assert "Someone else changed this handover" in response.content.decode()
    assert "Oma muutos" in response.content.decode()
    handover.refresh_from_db()
    assert handover.prep_notes == "Toisen muutos"


@pytest.mark.parametrize("name", ["prepare", "transfer"])
def test_edit_pages__the_receiving_team_gets_403_and_others_404(client, handover, nurse, outsider, name):
    client.force_login(nurse)
    assert client.get(url(name, handover)).status_code == 403
    client.force_login(outsider)
    assert client.get(url(name, handover)).status_code == 404


@pytest.mark.parametrize("score", ["11", "-1", "seven", "5.5"])
def test_transfer__the_work_ability_score_error_is_next_to_the_field(client, handover, sender, score):
    client.force_login(sender)
    response = client.post(url("transfer", handover), transfer_data(handover, work_ability_score=score))
    assert response.status_code == 400
    assert response.context["form"].errors["work_ability_score"] == [
        "The work ability score is a whole number from 0 to 10."
    ]
    assert "Haluan töihin." in response.content.decode()
    handover.refresh_from_db()
    assert handover.work_ability_score is None


def test_transfer__saves_the_topics_and_the_receiving_nurse(client, handover, sender, nurse):
    client.force_login(sender)
    response = client.post(url("transfer", handover), transfer_data(handover, receiving_nurse=nurse.pk))
    assert response.status_code == 302
    handover.refresh_from_db()
    assert (handover.work_ability_score, handover.receiving_nurse, handover.service_area) == (6, nurse, "Pori")


def test_edit_pages__after_acceptance_go_back_to_the_handover(client, handover, sender, nurse):
    services.handover_accept(actor=nurse, handover=handover, expected_status=HandoverStatus.OPEN)
    client.force_login(sender)
    response = client.get(url("transfer", handover))
    assert response.status_code == 302 and response["Location"] == url("detail", handover)


# ------------------------------------------------------------------ acceptance


def test_accept__the_nurse_lands_on_the_case_page_which_shows_the_handover(client, handover, sender, nurse):
    services.handover_transfer(
        actor=sender,
        handover=handover,
        expected_revision=handover.revision,
        transfer_at=timezone.now(),
        work_ability_score=3,
        readiness="Valmis osa-aikatyöhön.",
        receiving_nurse=nurse,
        service_area="Pori",
    )
    client.force_login(nurse)
    response = client.post(url("accept", handover), {"status": HandoverStatus.OPEN})
    handover.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[handover.episode_id])
    page = client.get(response["Location"]).content.decode()
    assert "Escorted handover" in page and "Valmis osa-aikatyöhön." in page and "3 / 10" in page


def test_accept__a_second_accept_is_told_it_is_already_accepted(client, handover, nurse, physician):
    services.handover_accept(actor=nurse, handover=handover, expected_status=HandoverStatus.OPEN)
    client.force_login(physician)
    response = client.post(url("accept", handover), {"status": HandoverStatus.OPEN}, follow=True)
    assert "already been accepted by" in response.content.decode()
    assert Handover.objects.get().accepted_by == nurse


def test_accept__the_sending_side_gets_403_and_others_404(client, handover, sender, outsider):
    client.force_login(sender)
    assert client.post(url("accept", handover), {"status": "open"}).status_code == 403
    client.force_login(outsider)
    assert client.post(url("accept", handover), {"status": "open"}).status_code == 404
    assert Handover.objects.get().is_open


def test_accept__get_is_not_allowed(client, handover, nurse):
    client.force_login(nurse)
    assert client.get(url("accept", handover)).status_code == 405


# ------------------------------------------------------------------ query counts


def _count(client, target):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(target)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_list__same_number_of_queries_for_2_and_12_handovers(
    client, sender, team, nurse, django_assert_max_num_queries
):
    for _ in range(2):
        open_handover(sender, team)
    client.force_login(nurse)
    client.get(url("list"))
    few, _response = _count(client, url("list"))
    for i in range(10):
        h = open_handover(sender, team)
        if i % 2:
            services.handover_accept(actor=nurse, handover=h, expected_status=HandoverStatus.OPEN)
    with django_assert_max_num_queries(few):
        many, response = _count(client, url("list"))
    assert many == few
    assert len(response.context["waiting"]) + len(response.context["accepted"]) == 12
    client.force_login(sender)
    client.get(url("list"))
    sent_count, response = _count(client, url("list"))
    assert len(response.context["sent"]) == 12
    open_handover(sender, team)
    with django_assert_max_num_queries(sent_count):
        client.get(url("list"))
