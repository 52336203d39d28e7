"""Malformed ids and parameters answer 404 or 400, never 500."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "path",
    [
        "/episodes/99999999999999999999/",
        "/episodes/123456789012345678/",
        "/episodes/0/plan/",
        "/clients/999999999999999999/open/",
        "/episodes/1/meetings/999999999999999999/",
    ],
)
def test_huge_or_unknown_ids__404(client, nurse, path):
    client.force_login(nurse)
    assert client.get(path).status_code == 404


def test_board__junk_team_parameter(client, nurse, episode):
    client.force_login(nurse)
    for junk in ["abc", "-1", "1e9", "99999999999999999999999", "' OR 1=1 --"]:
        assert client.get(reverse("cases:board"), {"team": junk, "contact": junk, "pathway": junk}).status_code == 200


def test_team__junk_member_parameter(client, nurse, episode):
    client.force_login(nurse)
    url = reverse("cases:team", args=[episode.pk])
    for junk in ["abc", "", "99999999999999999999999"]:
        assert client.post(url, {"op": "remove", "member": junk}).status_code == 400
    assert client.post(url, {"op": "bogus"}).status_code == 400


def test_step__junk_values(client, nurse, episode):
    client.force_login(nurse)
    url = reverse("cases:step", args=[episode.pk])
    assert (
        client.post(url, {"action": "complete", "complete-step_id": "abc", "complete-output": "x"}).status_code == 400
    )
    assert (
        client.post(
            url, {"action": "return", "return-step_id": "1", "return-to_step": "zz", "return-reason": "x"}
        ).status_code
        == 400
    )
    assert client.post(url, {"action": "nonsense"}).status_code == 400


def test_plan__tampered_management_form(client, nurse, episode):
    client.force_login(nurse)
    url = reverse("plans:edit", args=[episode.pk])
    response = client.post(url, {"revision": "0", "goals-TOTAL_FORMS": "abc"})
    assert response.status_code == 400
    response = client.post(url, {"revision": "x"})
    assert response.status_code == 400
