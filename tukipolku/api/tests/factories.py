"""System clients and their tokens for tests (other modules' API and FHIR tests reuse these).

`make_system_client(organisation=…, purposes=…, scopes=…)` creates one through the real service;
`token_for(client, scopes=…)` issues a bearer token as `/o/token/` would (without the HTTP round
trip); `bearer(token)` is the header dict for Django's test client."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.utils import timezone
from oauth2_provider.models import AccessToken

from tukipolku.api.choices import Scope
from tukipolku.api.models import SystemClient
from tukipolku.api.services import system_client_create
from tukipolku.core.models import Organisation
from tukipolku.privacy.choices import Purpose


@dataclass
class SystemClientWithToken:
    """A system client, its credentials and a valid token (`headers` for the test client)."""

    client: SystemClient
    client_id: str
    client_secret: str
    token: AccessToken

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


def make_system_client(
    *,
    organisation: Organisation,
    purposes: list[str] | None = None,
    scopes: list[str] | None = None,
    name: str = "Testijärjestelmä",
    requests_per_minute: int = 1000,
) -> SystemClientWithToken:
    new = system_client_create(
        actor=None,
        name=name,
        organisation=organisation,
        purposes=purposes if purposes is not None else [Purpose.WORK_ABILITY],
        scopes=scopes if scopes is not None else [Scope.API_READ, Scope.API_WRITE],
        requests_per_minute=requests_per_minute,
    )
    client = new.system_client
    return SystemClientWithToken(client, new.client_id, new.client_secret, token_for(client))


def token_for(client: SystemClient, *, scopes: list[str] | None = None) -> AccessToken:
    """A bearer token of the client with the given scopes (default: all it was granted)."""
    return AccessToken.objects.create(
        application=client.application,
        user=client.account,
        token=secrets.token_urlsafe(30),
        expires=timezone.now() + datetime.timedelta(hours=1),
        scope=" ".join(scopes if scopes is not None else client.scopes),
    )


def bearer(token: AccessToken) -> dict[str, str]:
    return {"Authorization": f"Bearer {token.token}"}
