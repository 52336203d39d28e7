"""The notification-of-need pages through the test client: who may use which (allowed and denied),
the flows whose errors matter, and query counts that do not grow with the number of notifications.
On PostgreSQL the audit tripwire checks that every client read in a request is logged."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tukipolku.access.choices import AccessGround
from tukipolku.audit.choices import AccessOutcome
from tukipolku.audit.models import PersonalDataAccess
from tukipolku.cases.models import Episode
from tukipolku.clients.tests.factories import make_identity_code
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory
from tukipolku.intake import services
from tukipolku.intake.choices import NeedStatus
from tukipolku.intake.models import NeedNotification
from tukipolku.intake.tests.factories import partner_user, send_need

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def browser(user=None):
    c = HttpClient()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def coordinator(db):
    return partner_user(username="employment", first_name="Antti", last_name="Työllisyys")


@pytest.fixture
def need(coordinator, team, nurse):
    return send_need(coordinator, team, first_names="Sylvikki", last_name="Näkymätön")


def _form(team, **kw):
    data = {
        "team": team.pk,
        "identity_code": make_identity_code(datetime.date(1985, 3, 7), 952),
        "first_names": "Veera",
        "last_name": "Välitetty",
        "language": "fi",
        "phone": "",
        "email": "",
        "situations": ["long_unemployment"],
        "risk_factors": ["chronic_illness"],
        "done_so_far": "Työkokeilu tehty.",
        "need_description": "Toistuvia sairauspoissaoloja ja työttömyys pitkittyy.",
        "consent_given": "on",
        "consent_on": (timezone.localdate() - datetime.timedelta(days=1)).strftime("%d.%m.%Y"),
        "consent_method": "oral",
    }
    data.update(kw)
    return data


# ---------------------------------------------------------------- who may use which page


def test_anonymous_goes_to_login(client, need):
    for url in [
        reverse("intake:send"),
        reverse("intake:sent"),
        reverse("intake:sent_detail", args=[need.pk]),
        reverse("intake:queue"),
        reverse("intake:detail", args=[need.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    assert client.post(reverse("intake:accept", args=[need.pk])).status_code == 302


def test_administrator_is_refused_with_403(client, admin_user, need):
    client.force_login(admin_user)
    for url in [reverse("intake:send"), reverse("intake:sent"), reverse("intake:queue")]:
        assert client.get(url).status_code == 403, url
    assert PersonalDataAccess.objects.filter(user=admin_user, outcome=AccessOutcome.DENIED).exists()


def test_sender_sees_status_but_not_the_team_page(client, coordinator, need):
    client.force_login(coordinator)
    listing = client.get(reverse("intake:sent"))
    assert listing.status_code == 200
    assert "Näkymätön Sylvikki" in listing.content.decode()
    detail = client.get(reverse("intake:sent_detail", args=[need.pk]))
    assert detail.status_code == 200
    assert "Waiting for the team" in detail.content.decode()
    # The sender's need text and the register's data are not on the status page.
    assert need.need_description not in detail.content.decode()
    assert need.client.identity_code not in detail.content.decode()
    assert PersonalDataAccess.objects.filter(
        user=coordinator, basis=AccessGround.INTAKE_SENDER, client_id=need.client_id
    ).exists()
    # Partner staff have no team pages at all.
    assert client.get(reverse("intake:queue")).status_code == 403
    assert client.get(reverse("intake:detail", args=[need.pk])).status_code == 403


def test_other_sender_of_same_organisation_gets_404(client, coordinator, need):
    colleague = partner_user(organisation=coordinator.organisation)
    client.force_login(colleague)
    assert client.get(reverse("intake:sent_detail", args=[need.pk])).status_code == 404
    assert "Näkymätön" not in client.get(reverse("intake:sent")).content.decode()
    denied = PersonalDataAccess.objects.get(user=colleague, outcome=AccessOutcome.DENIED)
    assert denied.client_id == need.client_id


def test_partner_not_sender_gets_404(client, need):
    other = partner_user(kind=OrganisationKind.KELA)
    client.force_login(other)
    assert client.get(reverse("intake:sent_detail", args=[need.pk])).status_code == 404
    response = client.post(reverse("intake:decline", args=[need.pk]), {"status": "waiting", "reason": "x"})
    assert response.status_code == 403


def test_team_member_sees_the_whole_notification(client, nurse, need):
    client.force_login(nurse)
    response = client.get(reverse("intake:detail", args=[need.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert need.need_description in text
    assert "Repeated sick leave" in text
    assert need.client.identity_code not in text  # masked
    assert PersonalDataAccess.objects.filter(
        user=nurse, basis=AccessGround.INTAKE_TEAM, client_id=need.client_id
    ).exists()
    # …but not the sender's status page.
    assert client.get(reverse("intake:sent_detail", args=[need.pk])).status_code == 404


def test_member_of_another_team_gets_404(client, outsider, need):
    client.force_login(outsider)
    assert client.get(reverse("intake:detail", args=[need.pk])).status_code == 404
    response = client.post(reverse("intake:decline", args=[need.pk]), {"status": "waiting", "reason": "Ei."})
    assert response.status_code == 404
    assert "Näkymätön" not in client.get(reverse("intake:queue")).content.decode()
    need.refresh_from_db()
    assert need.status == NeedStatus.WAITING
    assert PersonalDataAccess.objects.filter(user=outsider, outcome=AccessOutcome.DENIED).count() == 2


def test_missing_notification_is_404(client, nurse, need):
    client.force_login(nurse)
    assert client.get(reverse("intake:detail", args=[need.pk + 999])).status_code == 404


# ---------------------------------------------------------------- sending


def test_send__without_consent_refused_next_to_the_field_with_input_kept(client, coordinator, team):
    client.force_login(coordinator)
    data = _form(team)
    del data["consent_given"]
    response = client.post(reverse("intake:send"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["consent_given"] == ["The client's consent is needed before the notification can be passed on."]
    assert "Välitetty" in response.content.decode()
    assert not NeedNotification.objects.exists()


def test_send__invalid_identity_code_error_and_code_only_in_post(client, coordinator, team):
    client.force_login(coordinator)
    response = client.post(reverse("intake:send"), _form(team, identity_code="070385-952X"))
    assert response.status_code == 400
    assert "Invalid identity code: " in response.context["form"].errors["identity_code"][0]


def test_send__success_redirects_to_sent_list(client, coordinator, team, nurse):
    client.force_login(coordinator)
    response = client.post(reverse("intake:send"), _form(team))
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:sent")
    need = NeedNotification.objects.get()
    assert need.client.identity_code not in response["Location"]
    page = client.get(reverse("intake:sent"))
    assert "Välitetty Veera" in page.content.decode()


def test_send__team_list_and_get(client, nurse, team):
    client.force_login(nurse)  # a team professional may send too
    response = client.get(reverse("intake:send"))
    assert response.status_code == 200
    assert team.name in response.content.decode()


# ---------------------------------------------------------------- deciding


def test_accept__opens_episode_and_lands_on_the_case_page(client, nurse, need, satakunta):
    client.force_login(nurse)
    response = client.post(reverse("intake:accept", args=[need.pk]), {"status": "waiting", "pathway": satakunta.pk})
    episode = Episode.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[episode.pk])
    case_page = client.get(response["Location"])
    assert "Where the client came from" in case_page.content.decode()
    assert "Notification of need from Antti Työllisyys" in case_page.content.decode()


def test_accept__second_decision_is_told_it_was_decided(client, nurse, physician, need, satakunta):
    client.force_login(nurse)
    client.post(reverse("intake:accept", args=[need.pk]), {"status": "waiting", "pathway": satakunta.pk})
    other = browser(physician)
    response = other.post(reverse("intake:decline", args=[need.pk]), {"status": "waiting", "reason": "Ei meille."})
    assert response.status_code == 409
    assert "already decided" in response.content.decode()
    response = other.post(reverse("intake:accept", args=[need.pk]), {"status": "waiting", "pathway": satakunta.pk})
    assert response.status_code == 409
    assert Episode.objects.count() == 1


def test_accept__open_episode_clash_links_to_it(client, nurse, team, coordinator, satakunta):
    first = send_need(coordinator, team)
    client.force_login(nurse)
    client.post(reverse("intake:accept", args=[first.pk]), {"status": "waiting", "pathway": satakunta.pk})
    episode = Episode.objects.get()
    second = send_need(coordinator, team, identity_code=episode.client.identity_code)
    page = client.get(reverse("intake:detail", args=[second.pk]))
    assert "already has an open client relationship" in page.content.decode()
    assert reverse("cases:detail", args=[episode.pk]) in page.content.decode()
    response = client.post(reverse("intake:accept", args=[second.pk]), {"status": "waiting", "pathway": satakunta.pk})
    assert response.status_code == 409
    response = client.post(reverse("intake:accept", args=[second.pk]), {"status": "waiting", "link_existing": "True"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.episode_id == episode.pk
    assert Episode.objects.count() == 1


def test_decline__reason_required_then_sender_sees_it(client, nurse, need, coordinator):
    client.force_login(nurse)
    response = client.post(reverse("intake:decline", args=[need.pk]), {"status": "waiting", "reason": ""})
    assert response.status_code == 400
    assert response.context["decline_form"].errors["reason"] == ["Write the reason: the sender sees it."]
    response = client.post(
        reverse("intake:decline", args=[need.pk]), {"status": "waiting", "reason": "Ohjataan mielenterveyspalveluihin."}
    )
    assert response.status_code == 302
    sender = browser(coordinator)
    text = sender.get(reverse("intake:sent")).content.decode()
    assert "Declined" in text and "Ohjataan mielenterveyspalveluihin." in text


def test_navigation_shows_waiting_count_to_team(client, nurse, need):
    client.force_login(nurse)
    text = client.get(reverse("intake:queue")).content.decode()
    assert "Intake queue" in text
    assert "1 waiting" in text
    assert "Waiting for a decision (1)" in text


def test_navigation_for_partner_has_send_links_only(client, coordinator):
    client.force_login(coordinator)
    text = client.get(reverse("intake:sent")).content.decode()
    assert "Send a notification of need" in text
    assert "Intake queue" not in text


# ---------------------------------------------------------------- query counts


def _measure(c, url):
    with CaptureQueriesContext(connection) as ctx:
        response = c.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_queue_and_sent_list__same_number_of_queries_for_3_and_30(client, coordinator, team, nurse, physician):
    client.force_login(nurse)
    sender = browser(coordinator)
    queue, sent = reverse("intake:queue"), reverse("intake:sent")
    client.get(queue)
    sender.get(sent)

    def fill(n):
        for i in range(n):
            need = send_need(coordinator, team)
            if i % 3 == 1:
                services.need_decline(actor=physician, need=need, expected_status="waiting", reason="Ei meille.")

    fill(3)
    few_queue, _r = _measure(client, queue)
    few_sent, _r = _measure(sender, sent)
    fill(27)
    many_queue, response = _measure(client, queue)
    many_sent, sent_response = _measure(sender, sent)

    assert len(response.context["queue"].waiting) == 20
    assert len(sent_response.context["needs"]) == 30
    assert many_queue == few_queue
    assert many_sent == few_sent


def test_other_professional_without_team_sees_empty_queue(client):
    reception = UserFactory(profession=Profession.NURSE, organisation=OrganisationFactory())
    client.force_login(reception)
    response = client.get(reverse("intake:queue"))
    assert response.status_code == 200
    assert "not a member of a work ability support team" in response.content.decode()
