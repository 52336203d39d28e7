"""Relationships, consents and the plan through the API: allowed and denied, If-Match and Idempotency-Key."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tukipolku.api.tests.factories import bearer, token_for
from tukipolku.audit.models import Disclosure, PersonalDataAccess
from tukipolku.plans import services as plan_services
from tukipolku.plans.models import Action

pytestmark = pytest.mark.django_db


def url(episode, tail: str = "") -> str:
    return f"/api/v1/episodes/{episode.pk}/{tail}"


@pytest.fixture
def plan_action(episode, nurse):
    return plan_services.action_create(
        actor=nurse, episode=episode, title="Työkokeilun aloitus", owner=nurse, due_on=timezone.localdate()
    )


def _status(response, code):
    assert response.status_code == code, response.content
    return response.json()


# ---------------------------------------------------------------- relationships


def test_episode_list__team_member_sees_team_and_step_and_it_is_logged(client, nurse, episode):
    client.force_login(nurse)
    body = _status(client.get("/api/v1/episodes/"), 200)
    row = body["results"][0]
    assert row["id"] == episode.pk and row["team"]["id"] == episode.team_id
    assert row["current_step"] is not None
    assert PersonalDataAccess.objects.filter(view="api:episode-list", episode_id=episode.pk, outcome="allowed").exists()


def test_episode_list__filter_by_status_and_bad_filter_is_400(client, nurse, episode):
    client.force_login(nurse)
    assert _status(client.get("/api/v1/episodes/?status=closed"), 200)["results"] == []
    assert client.get("/api/v1/episodes/?status=nonsense").status_code == 400


def test_episode_detail__outsider_404_logged(client, outsider, episode):
    client.force_login(outsider)
    response = client.get(url(episode))
    assert response.status_code == 404
    assert episode.client.last_name not in response.content.decode()
    assert PersonalDataAccess.objects.filter(episode_id=episode.pk, outcome="denied", user=outsider).exists()


def test_episode_detail__system_client_reads_with_consent_and_discloses(client, system_client, shared_episode):
    body = _status(client.get(url(shared_episode), headers=system_client.headers), 200)
    assert body["categories"] == ["shared_plan"]
    assert Disclosure.objects.filter(view="api:episode-detail", episode_id=shared_episode.pk).exists()


def test_episode_detail__system_client_without_consent_is_404(client, system_client, episode):
    assert client.get(url(episode), headers=system_client.headers).status_code == 404


# ---------------------------------------------------------------- consents


def test_consents__team_member_reads_them(client, nurse, shared_episode, partner_org):
    client.force_login(nurse)
    rows = _status(client.get(url(shared_episode, "consents/")), 200)
    assert [r["recipient_organisation"] for r in rows] == [partner_org.pk]


def test_consents__system_client_is_refused_403_and_logged(client, system_client, shared_episode):
    response = client.get(url(shared_episode, "consents/"), headers=system_client.headers)
    assert response.status_code == 403
    assert PersonalDataAccess.objects.filter(view="api:episode-consents", outcome="denied").exists()


# ---------------------------------------------------------------- plan


def test_plan__team_member_reads_goals_and_actions_with_etag(client, nurse, episode, plan_action):
    client.force_login(nurse)
    response = client.get(url(episode, "plan/"))
    body = _status(response, 200)
    assert [a["id"] for a in body["actions"]] == [plan_action.pk]
    assert response["ETag"]


def test_plan__system_client_with_shared_plan_consent_reads_it(client, system_client, shared_episode, plan_action):
    body = _status(client.get(url(shared_episode, "plan/"), headers=system_client.headers), 200)
    assert [a["title"] for a in body["actions"]] == ["Työkokeilun aloitus"]


def test_action_status__if_match_current_changes_stale_is_412_missing_is_428(client, nurse, episode, plan_action):
    client.force_login(nurse)
    target = url(episode, f"plan/actions/{plan_action.pk}/")
    etag = client.get(url(episode, "plan/")).json()["actions"][0]["etag"]
    missing = client.patch(target, {"status": "done"}, content_type="application/json")
    assert missing.status_code == 428
    done = client.patch(target, {"status": "done"}, content_type="application/json", headers={"If-Match": etag})
    assert _status(done, 200)["status"] == "done"
    stale = client.patch(target, {"status": "open"}, content_type="application/json", headers={"If-Match": etag})
    assert stale.status_code == 412 and stale["Content-Type"].startswith("application/problem+json")
    assert Action.objects.get(pk=plan_action.pk).status == "done"


def test_action_status__another_clients_action_is_404_and_logged(client, nurse, episode, team, satakunta, plan_action):
    from conftest import open_episode

    other = open_episode(nurse, team, satakunta)
    client.force_login(nurse)
    response = client.patch(
        url(other, f"plan/actions/{plan_action.pk}/"),
        {"status": "done"},
        content_type="application/json",
        headers={"If-Match": "*"},
    )
    assert response.status_code == 404
    assert PersonalDataAccess.objects.filter(reason="other_episode", client_id=episode.client_id).exists()


def test_action_status__system_client_may_not_change(client, system_client, shared_episode, plan_action):
    response = client.patch(
        url(shared_episode, f"plan/actions/{plan_action.pk}/"),
        {"status": "done"},
        content_type="application/json",
        headers={**system_client.headers, "If-Match": "*"},
    )
    assert response.status_code == 403
    assert Action.objects.get(pk=plan_action.pk).status == "open"


def test_action_status__read_scope_only_is_403(client, system_client, shared_episode, plan_action):
    token = token_for(system_client.client, scopes=["api.read"])
    response = client.patch(
        url(shared_episode, f"plan/actions/{plan_action.pk}/"),
        {"status": "done"},
        content_type="application/json",
        headers={**bearer(token), "If-Match": "*"},
    )
    assert response.status_code == 403


def test_action_create__idempotency_key_creates_once_and_replays(client, nurse, episode):
    client.force_login(nurse)
    body = {
        "title": "Soitto työnantajalle",
        "owner": nurse.pk,
        "due_on": str(timezone.localdate() + datetime.timedelta(days=7)),
    }
    headers = {"Idempotency-Key": "k-1"}
    first = client.post(url(episode, "plan/actions/"), body, content_type="application/json", headers=headers)
    assert _status(first, 201)["title"] == "Soitto työnantajalle"
    again = client.post(url(episode, "plan/actions/"), body, content_type="application/json", headers=headers)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Action.objects.filter(plan__episode=episode).count() == 1
    other = client.post(
        url(episode, "plan/actions/"), {**body, "title": "Muu"}, content_type="application/json", headers=headers
    )
    assert other.status_code == 422


def test_action_create__bad_input_is_a_400_problem_and_nothing_is_created(client, nurse, episode, outsider):
    client.force_login(nurse)
    bad = {"title": "", "owner": outsider.pk, "due_on": "31.12.2026"}
    response = client.post(url(episode, "plan/actions/"), bad, content_type="application/json")
    body = _status(response, 400)
    assert set(body["errors"]) >= {"title", "due_on"}
    wrong_owner = {"title": "X", "owner": outsider.pk, "due_on": "2026-12-31"}
    assert (
        "owner"
        in _status(client.post(url(episode, "plan/actions/"), wrong_owner, content_type="application/json"), 400)[
            "errors"
        ]
    )
    assert not Action.objects.filter(plan__episode=episode).exists()


def test_action_create__outsider_is_404(client, outsider, episode):
    client.force_login(outsider)
    body = {"title": "X", "owner": outsider.pk, "due_on": "2026-12-31"}
    assert client.post(url(episode, "plan/actions/"), body, content_type="application/json").status_code == 404
