"""Access checks of the coordination resources (issue 4) that do not fit one row of the policy table:
the team managers' page (no role of the table manages a team), what an open referral opens and when
it stops, the other side of a handover and of a partner-managed referral, and notifications of
another user. Same world as the matrix (tests/access/world.py); each test runs in its savepoint."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.access import world as W
from tukipolku.access.choices import AccessGround
from tukipolku.audit.models import AuditEvent, PersonalDataAccess
from tukipolku.core.choices import Profession, TeamRole
from tukipolku.core.models import TeamMembership
from tukipolku.core.tests.factories import member
from tukipolku.handovers.models import Handover
from tukipolku.notifications.models import Notification
from tukipolku.plans.models import Action
from tukipolku.referrals import services as referral_services
from tukipolku.referrals.choices import ReferralStatus


def _login(c, user):
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    c.force_login(user)


def _rows(response):
    return PersonalDataAccess.objects.filter(request_id=response["X-Request-ID"])


def _last_event() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# ---------------------------------------------------------------- the managers' unfinished processes


@pytest.mark.django_db
def test_unfinished__the_teams_manager_sees_the_client_and_other_managers_do_not(client, world):
    w = world
    Action.objects.filter(pk=w.action.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=3))
    manager = member(w.team, profession=Profession.NURSE, role=TeamRole.MANAGER, username="m-manager-a")
    sister_manager = member(w.sister_team, profession=Profession.NURSE, role=TeamRole.MANAGER, username="m-manager-a2")
    other_manager = member(w.other_team, profession=Profession.NURSE, role=TeamRole.MANAGER, username="m-manager-b")
    url = reverse("sweep:unfinished")

    _login(client, manager)
    response = client.get(url)

    assert response.status_code == 200
    assert W.LAST_NAME in response.content.decode()
    assert _rows(response).filter(client_id=w.client.pk, outcome="allowed", basis=AccessGround.TEAM).exists()
    for other in (sister_manager, other_manager):
        _login(client, other)
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200
        assert not [t for t in W.client_texts(w.client) if t in body]
        assert not _rows(response).filter(client_id=w.client.pk).exists()


@pytest.mark.django_db
def test_unfinished__a_manager_whose_membership_ended_is_refused(client, world):
    w = world
    manager = member(w.team, profession=Profession.NURSE, role=TeamRole.MANAGER, username="m-manager-ended")
    TeamMembership.objects.filter(user=manager).update(ended_on=timezone.localdate() - datetime.timedelta(days=1))
    _login(client, manager)

    response = client.get(reverse("sweep:unfinished"))

    assert response.status_code == 403
    assert _rows(response).filter(outcome="denied", user_id=manager.pk).exists()


# ---------------------------------------------------------------- referrals


@pytest.mark.django_db
def test_referral__an_open_referral_lets_the_recipient_organisation_read_and_closing_it_ends_that(client, world):
    """Rule 12: partner staff of the recipient organisation who are not in the client's team read the
    case page (what the consent allows) while the referral is open; another organisation's do not."""
    w = world
    outside, other_partner = w.users["partner_outside"], w.users["partner_health"]
    case_page = reverse("cases:detail", args=[w.episode.pk])
    _login(client, outside)
    assert client.get(case_page).status_code == 404

    referral = W.send_partner_referral(w)
    response = client.get(case_page)

    assert response.status_code == 200
    assert _rows(response).filter(client_id=w.client.pk, outcome="allowed", basis=AccessGround.PARTNER).exists()
    assert W.HEALTH_MARKER not in response.content.decode()  # the consent is for the shared plan only

    referral_services.referral_status_set(
        actor=outside, referral=referral, status=ReferralStatus.DONE, expected_status=ReferralStatus.SENT, note=""
    )
    response = client.get(case_page)
    assert response.status_code == 404
    assert _rows(response).filter(client_id=w.client.pk, outcome="denied").exists()
    # The done referral itself stays readable to its recipient (what was sent, on the consent).
    assert client.get(reverse("referrals:received_detail", args=[referral.pk])).status_code == 200
    _login(client, other_partner)
    assert client.get(reverse("referrals:received_detail", args=[referral.pk])).status_code == 404


@pytest.mark.django_db
def test_referral__the_team_cannot_set_the_status_the_recipient_organisation_records(client, world):
    """A referral to a partner organisation is updated by its partner staff: the team gets 403, logged."""
    w = world
    referral = W.send_partner_referral(w)
    _login(client, w.users["nurse"])
    before = _last_event()

    response = client.post(
        reverse("referrals:detail", args=[w.episode.pk, referral.pk]),
        {"status-status": "done", "status-expected_status": "sent", "status-note": ""},
    )

    assert response.status_code == 403
    assert _rows(response).filter(outcome="denied", client_id=w.client.pk, resource="referral").exists()
    assert not AuditEvent.objects.filter(pk__gt=before).exists()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


# ---------------------------------------------------------------- handovers


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "route"),
    [("nurse", "handovers:prepare"), ("nurse", "handovers:transfer"), ("partner_health", "handovers:accept")],
)
def test_handover__the_other_side_is_refused_without_a_read_logged(client, world, role, route):
    """The receiving team sees the handover but does not edit the sending side's parts; the sender sees
    it but does not accept. 403, logged as a refusal, and no allowed read (nothing was shown)."""
    w = world
    _login(client, w.users[role])
    url = reverse(route, args=[w.handover.pk])

    response = client.post(url, {"status": "open"}) if route.endswith("accept") else client.get(url)

    assert response.status_code == 403
    rows = _rows(response)
    assert rows.filter(outcome="denied", client_id=w.handover_client.pk, resource="handover").exists()
    assert not rows.filter(outcome="allowed").exists()
    assert Handover.objects.get(pk=w.handover.pk).status == "open"


@pytest.mark.django_db
def test_handover__after_acceptance_the_sender_reads_the_handover_not_the_case(client, world):
    w = world
    _login(client, w.users["nurse"])
    response = client.post(reverse("handovers:accept", args=[w.handover.pk]), {"status": "open"})
    assert response.status_code in (302, 303)
    handover = Handover.objects.get(pk=w.handover.pk)
    assert handover.episode_id is not None

    _login(client, w.users["partner_health"])
    assert client.get(reverse("handovers:detail", args=[handover.pk])).status_code == 200
    # The sending contact joined the client's team as a partner member, but the person gave no
    # consent for their organisation (no escort consent): the case page stays hidden.
    response = client.get(reverse("cases:detail", args=[handover.episode_id]))
    assert response.status_code == 404
    assert W.HANDOVER_LAST not in response.content.decode()


# ---------------------------------------------------------------- notifications of need


@pytest.mark.django_db
def test_need__the_sender_sees_the_decision_but_not_the_relationship_that_follows(client, world):
    w = world
    _login(client, w.users["nurse"])
    response = client.post(
        reverse("intake:accept", args=[w.need.pk]),
        {"status": "waiting", "pathway": str(w.pathway.pk), "link_existing": "on"},
    )
    assert response.status_code in (302, 303)

    _login(client, w.users["partner_plan"])  # the sender follows the status
    response = client.get(reverse("intake:sent_detail", args=[w.need.pk]))
    assert response.status_code == 200
    assert "Accepted" in response.content.decode()

    _login(client, w.users["partner_outside"])  # the sender's colleague: not the sender
    response = client.get(reverse("intake:sent_detail", args=[w.need.pk]))
    assert response.status_code == 404
    assert _rows(response).filter(outcome="denied", client_id=w.client.pk).exists()


# ---------------------------------------------------------------- notifications


@pytest.mark.django_db
def test_notification__anothers_is_404_logged_and_stays_unread(client, world):
    w = world
    _login(client, w.users["social_worker"])

    response = client.post(reverse("sweep:notification_open", args=[w.notification.pk]))

    assert response.status_code == 404
    assert _rows(response).filter(outcome="denied", resource="notification").exists()
    assert Notification.objects.get(pk=w.notification.pk).read_at is None


@pytest.mark.django_db
def test_notification__opening_ones_own_marks_it_read_and_goes_where_it_points(client, world):
    w = world
    _login(client, w.users["nurse"])

    response = client.post(reverse("sweep:notification_open", args=[w.notification.pk]))

    assert response.status_code in (302, 303)
    assert response["Location"] == reverse("intake:detail", args=[w.need.pk])
    assert Notification.objects.get(pk=w.notification.pk).read_at is not None
