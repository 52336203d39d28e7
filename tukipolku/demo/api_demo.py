"""The demo's system client of the API: the employment services' system, with a known secret (the
local demo only: never created with DEBUG off), so that `make run` can print a working curl line."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from tukipolku.api.choices import Scope
from tukipolku.api.models import SystemClient
from tukipolku.api.services import system_client_create
from tukipolku.core.choices import OrganisationKind
from tukipolku.core.models import Organisation
from tukipolku.privacy.choices import Purpose

DEMO_API_CLIENT_ID = "tukipolku-demo-tyollisyyspalvelut"
DEMO_API_SECRET = "demo-only-secret-change-me"  # noqa: S105  # the local demo's synthetic system, DEBUG only
SITE = "http://127.0.0.1:8000"


def build_api_demo() -> SystemClient | None:
    """The demo system client (once), acting for the first employment services organisation."""
    found = SystemClient.objects.filter(application__client_id=DEMO_API_CLIENT_ID).first()
    if found is not None or not settings.DEBUG:
        return found
    organisation = Organisation.objects.filter(kind=OrganisationKind.EMPLOYMENT_SERVICES).order_by("pk").first()
    if organisation is None:
        return None
    new = system_client_create(
        actor=None,
        name="Työllisyyspalvelujen järjestelmä (demo)",
        organisation=organisation,
        purposes=[Purpose.WORK_ABILITY, Purpose.EMPLOYMENT],
        scopes=[Scope.API_READ, Scope.FHIR_READ, Scope.EXPORT],
    )
    application = new.system_client.application
    application.client_id = DEMO_API_CLIENT_ID
    application.client_secret = DEMO_API_SECRET  # hashed on save
    application.save()
    return new.system_client


def print_api_demo(write: Callable[[str], None]) -> None:
    if not SystemClient.objects.filter(application__client_id=DEMO_API_CLIENT_ID).exists():
        return
    write("")
    write(
        "REST API (docs/api.md; documentation page " + SITE + "/api/v1/docs/), as the demo employment services' system:"
    )
    write(
        f"  TOKEN=$(curl -s -u {DEMO_API_CLIENT_ID}:{DEMO_API_SECRET} -d grant_type=client_credentials "
        f"{SITE}/o/token/ | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')"
    )
    write(f'  curl -s -H "Authorization: Bearer $TOKEN" {SITE}/api/v1/clients/')
