"""Escorted handovers and notifications of need through the REST API (staff session): the sending
side and the receiving team read them, everyone else is refused like on the pages."""

from __future__ import annotations

import pytest

from tukipolku.access.choices import AccessGround
from tukipolku.api.tests.coordination.conftest import log_of
from tukipolku.handovers.tests.factories import occupational_health_org, open_handover, sender_user
from tukipolku.intake.tests.factories import send_need

pytestmark = pytest.mark.django_db

PERSON = "Siirtyjä"


@pytest.fixture
def sender(db):
    return sender_user(occupational_health_org(), username="oh_sender")


@pytest.fixture
def handover(sender, team, satakunta):
    return open_handover(sender, team, last_name=PERSON)


def test_handover_list__receiving_team_and_sender_read_each_on_their_side(api, nurse, sender, handover):
    api.force_login(nurse)
    team_side = api.get("/api/v1/handovers/")
    api.force_login(sender)
    sending_side = api.get("/api/v1/handovers/")

    assert [h["id"] for h in team_side.json()["results"]] == [handover.pk]
    assert [h["id"] for h in sending_side.json()["results"]] == [handover.pk]
    assert log_of(team_side).get().basis == AccessGround.HANDOVER_RECEIVING_TEAM
    assert log_of(sending_side).get().basis == AccessGround.HANDOVER_SENDER


def test_handover_detail__another_organisations_nurse_gets_404(api, outsider, handover):
    api.force_login(outsider)

    response = api.get(f"/api/v1/handovers/{handover.pk}/")

    assert response.status_code == 404
    assert PERSON not in response.content.decode()
    assert log_of(response).get().outcome == "denied"


@pytest.mark.parametrize("who", ["partner", "admin_user"])
def test_handover_list__other_partner_and_administrator_403(api, request, who, handover):
    api.force_login(request.getfixturevalue(who))

    response = api.get("/api/v1/handovers/")

    assert response.status_code == 403
    assert PERSON not in response.content.decode()


@pytest.fixture
def need(partner, team):
    return send_need(partner, team, last_name="Ilmoitettu")


def test_need_list__receiving_team_reads_the_whole_notification(api, nurse, need):
    api.force_login(nurse)

    response = api.get("/api/v1/needs/?status=waiting")

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert (row["id"], row["last_name"]) == (need.pk, "Ilmoitettu")
    assert row["need_description"]
    assert log_of(response).get().basis == AccessGround.INTAKE_TEAM


def test_need_sent__the_sender_follows_the_status_only(api, partner, need):
    api.force_login(partner)

    listed = api.get("/api/v1/needs/sent/")
    one = api.get(f"/api/v1/needs/sent/{need.pk}/")

    assert [r["id"] for r in listed.json()["results"]] == [need.pk]
    assert one.status_code == 200
    assert "need_description" not in one.json()
    assert log_of(one).get().basis == AccessGround.INTAKE_SENDER


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("partner", 403), ("admin_user", 403)])
def test_need_detail__refused_like_the_page(api, request, who, status, need):
    api.force_login(request.getfixturevalue(who))

    response = api.get(f"/api/v1/needs/{need.pk}/")

    assert response.status_code == status
    assert "Ilmoitettu" not in response.content.decode()
    assert log_of(response).get().outcome == "denied"


def test_need_sent_detail__a_colleague_of_the_sender_gets_404(api, nurse, need):
    api.force_login(nurse)

    response = api.get(f"/api/v1/needs/sent/{need.pk}/")

    assert response.status_code == 404
    assert "Ilmoitettu" not in response.content.decode()
