"""Schemathesis over the FHIR facade's OpenAPI document (`/fhir/schema/`), in process: generated
requests with a system client's token whose client consented to its organisation, against every
operation – no server errors, status codes, content types and headers as the document says. The
document itself is validated (OpenAPI 3.1) when schemathesis loads it."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    status_code_conformance,
)

from tukipolku.api.choices import Scope
from tukipolku.api.tests.factories import make_system_client
from tukipolku.privacy.choices import Purpose

MAX_EXAMPLES = int(os.environ.get("TUKIPOLKU_SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance]


@pytest.fixture
def fhir_world(plan, meeting, referral, consent, employment_org):
    return make_system_client(
        organisation=employment_org, purposes=[Purpose.EMPLOYMENT], scopes=[Scope.FHIR_READ, Scope.FHIR_WRITE]
    )


def test_fhir_conforms_to_its_schema(fhir_world, wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/fhir/schema/", wsgi_app)
    ran: dict[str, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        ran[operation.label] = 0
        _run(operation, ran, fhir_world.headers)
    assert len(ran) >= 6 and all(ran.values()), ran  # every operation ran
    print(f"schemathesis (FHIR): {len(ran)} operations, {sum(ran.values())} cases, 0 failures")


def _run(operation, ran: dict[str, int], headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case):
        ran[operation.label] += 1
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()
