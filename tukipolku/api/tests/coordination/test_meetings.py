"""The meetings of a client relationship through the REST API (staff session): the same answers as
the meeting page, the access-log rows, scheduling with its rules and changing with `If-Match`."""

from __future__ import annotations

import datetime

import pytest

from conftest import open_episode
from tukipolku.access.choices import AccessGround
from tukipolku.api.tests.coordination.conftest import CLIENT_LAST, ahead, log_of
from tukipolku.audit.models import AuditEvent, Disclosure
from tukipolku.meetings.choices import MeetingStatus
from tukipolku.meetings.models import Meeting

pytestmark = pytest.mark.django_db


def _list(episode):
    return f"/api/v1/episodes/{episode.pk}/meetings/"


def _one(meeting):
    return f"/api/v1/episodes/{meeting.episode_id}/meetings/{meeting.pk}/"


def test_meeting_list__team_member_reads_and_the_read_is_logged(api, nurse, episode, scheduled):
    api.force_login(nurse)

    response = api.get(_list(episode))

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert (row["id"], row["status"], row["minutes"]) == (scheduled.pk, "scheduled", None)
    assert {p["kind"] for p in row["participants"]} == {"user"}
    logged = log_of(response).get()
    assert (logged.outcome, logged.client_id, logged.basis, logged.view) == (
        "allowed",
        episode.client_id,
        AccessGround.TEAM,
        "api:meeting_list",
    )


def test_meeting_detail__partner_with_consent_reads_it_disclosed(api, partner, scheduled):
    api.force_login(partner)

    response = api.get(_one(scheduled))

    assert response.status_code == 200
    assert response.json()["id"] == scheduled.pk
    assert response["ETag"]
    assert log_of(response).get().basis == AccessGround.PARTNER
    assert Disclosure.objects.filter(
        request_id=response["X-Request-ID"], recipient_organisation_id=partner.organisation_id
    ).exists()


@pytest.mark.parametrize("who", ["outsider", "kela_partner"])
def test_meeting_detail__out_of_reach_is_404_logged_and_names_nobody(api, request, who, scheduled):
    user = request.getfixturevalue(who)
    api.force_login(user)

    response = api.get(_one(scheduled))

    assert response.status_code == 404
    assert CLIENT_LAST not in response.content.decode()
    assert "Sote-keskus" not in response.content.decode()
    assert log_of(response).get().outcome == "denied"


def test_meeting_list__administrator_is_refused_403_logged(api, admin_user, scheduled):
    api.force_login(admin_user)

    response = api.get(_list(scheduled.episode))

    assert response.status_code == 403
    assert log_of(response).get().outcome == "denied"


def test_meeting_detail__another_clients_meeting_is_404_logged_against_its_client(api, nurse, scheduled, team):
    other = open_episode(nurse, team, scheduled.episode.pathway_version.pathway)
    api.force_login(nurse)

    response = api.get(f"/api/v1/episodes/{other.pk}/meetings/{scheduled.pk}/")

    assert response.status_code == 404
    denied = log_of(response).filter(outcome="denied").get()
    assert (denied.client_id, denied.reason) == (scheduled.episode.client_id, "other_episode")


def test_meeting_list__bad_status_filter_is_a_translated_400(api, nurse, scheduled):
    api.force_login(nurse)

    response = api.get(_list(scheduled.episode) + "?status=nope")

    assert response.status_code == 400
    assert response.json()["errors"]["status"] == ["Choose one of the statuses listed."]


def _body(**kw):
    starts = ahead(10)
    body = {
        "kind": "team",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + datetime.timedelta(hours=1)).isoformat(),
        "location": "Neuvotteluhuone 3",
        "agenda": "Työkokeilu",
    }
    body.update(kw)
    return body


def test_meeting_schedule__team_member_schedules_with_the_services_rules(api, nurse, physician, episode):
    api.force_login(nurse)

    response = api.post(_list(episode), _body(users=[physician.pk]), format="json")

    assert response.status_code == 201, response.content
    meeting = Meeting.objects.get(pk=response.json()["id"])
    assert (meeting.status, meeting.organizer_id) == (MeetingStatus.SCHEDULED, nurse.pk)
    assert AuditEvent.objects.filter(verb="meeting_scheduled", target_id=str(meeting.pk)).exists() or (
        AuditEvent.objects.filter(verb="meeting_scheduled").exists()
    )


def test_meeting_schedule__a_time_in_the_past_is_refused_next_to_the_field(api, nurse, episode):
    api.force_login(nurse)
    past = ahead(-3)

    response = api.post(
        _list(episode),
        _body(starts_at=past.isoformat(), ends_at=(past + datetime.timedelta(hours=1)).isoformat(), users=[nurse.pk]),
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"]["starts_at"] == ["Choose a time in the future."]
    assert not Meeting.objects.filter(episode=episode).exists()


@pytest.mark.parametrize("who", ["partner", "admin_user"])
def test_meeting_schedule__partner_and_administrator_are_refused_403(api, request, who, episode):
    api.force_login(request.getfixturevalue(who))

    response = api.post(_list(episode), _body(client_takes_part=True), format="json")

    assert response.status_code == 403
    assert not Meeting.objects.filter(episode=episode).exists()
    assert log_of(response).get().outcome == "denied"


def test_meeting_schedule__other_organisation_is_404(api, outsider, episode):
    api.force_login(outsider)

    response = api.post(_list(episode), _body(client_takes_part=True), format="json")

    assert response.status_code == 404
    assert not Meeting.objects.filter(episode=episode).exists()


def test_meeting_change__with_the_current_etag_changes_the_place(api, nurse, scheduled):
    api.force_login(nurse)
    etag = api.get(_one(scheduled))["ETag"]

    response = api.patch(_one(scheduled), {"location": "Kirjasto"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200, response.content
    assert response.json()["location"] == "Kirjasto"
    assert response["ETag"] != etag
    scheduled.refresh_from_db()
    assert (scheduled.location, scheduled.sequence) == ("Kirjasto", 1)


def test_meeting_change__a_stale_etag_is_412_and_changes_nothing(api, nurse, scheduled):
    api.force_login(nurse)
    etag = api.get(_one(scheduled))["ETag"]
    api.patch(_one(scheduled), {"location": "Kirjasto"}, format="json", HTTP_IF_MATCH=etag)

    response = api.patch(_one(scheduled), {"location": "Uimahalli"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    scheduled.refresh_from_db()
    assert scheduled.location == "Kirjasto"


def test_meeting_change__without_if_match_is_428(api, nurse, scheduled):
    api.force_login(nurse)

    response = api.patch(_one(scheduled), {"location": "Kirjasto"}, format="json")

    assert response.status_code == 428
    scheduled.refresh_from_db()
    assert scheduled.location != "Kirjasto"


def test_meeting_change__partner_is_refused_403(api, partner, scheduled):
    api.force_login(partner)

    response = api.patch(_one(scheduled), {"location": "Kirjasto"}, format="json", HTTP_IF_MATCH='"x"')

    assert response.status_code == 403
    scheduled.refresh_from_db()
    assert scheduled.location != "Kirjasto"
