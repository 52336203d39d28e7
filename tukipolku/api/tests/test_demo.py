"""The demo's system client: created only with DEBUG on, and its printed credentials give a token."""

from __future__ import annotations

import base64

import pytest

from tukipolku.api.models import SystemClient
from tukipolku.demo.api_demo import DEMO_API_CLIENT_ID, DEMO_API_SECRET, build_api_demo, print_api_demo

pytestmark = pytest.mark.django_db


def test_demo_system_client__not_created_with_debug_off(settings, partner_org):
    settings.DEBUG = False
    assert build_api_demo() is None
    assert not SystemClient.objects.exists()


def test_demo_system_client__printed_credentials_give_a_token(client, settings, partner_org):
    settings.DEBUG = True
    created = build_api_demo()
    assert created is not None and created.organisation == partner_org
    assert build_api_demo() == created  # once
    lines: list[str] = []
    print_api_demo(lines.append)
    assert any(DEMO_API_CLIENT_ID in line and "/o/token/" in line for line in lines)
    basic = base64.b64encode(f"{DEMO_API_CLIENT_ID}:{DEMO_API_SECRET}".encode()).decode()
    response = client.post(
        "/o/token/", {"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    )
    assert response.status_code == 200, response.content
    assert "api.read" in response.json()["scope"]
