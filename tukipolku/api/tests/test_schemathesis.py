"""Schemathesis over the whole /api/v1/ schema, in process (WSGI), with a system client's token and a
staff session's data behind it: no server errors, responses as the schema says (status codes, content
types, bodies, headers). The OpenAPI document itself is validated (OpenAPI 3.1) when it is loaded.

Kept under ~2 minutes: a few examples per operation (`MAX_EXAMPLES`); raise it locally to dig."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tukipolku.api.tests.factories import make_system_client
from tukipolku.plans import services as plan_services

MAX_EXAMPLES = int(os.environ.get("TUKIPOLKU_SCHEMATHESIS_EXAMPLES", "15"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def api_world(db, nurse, episode, partner_org):
    """A relationship with a plan action whose client consented to the partner's system."""
    from tukipolku.api.tests.conftest import consent_for

    consent_for(actor=nurse, episode=episode, organisation=partner_org)
    plan_services.action_create(
        actor=nurse, episode=episode, title="Työkokeilu", owner=nurse, due_on=episode.opened_at.date()
    )
    return make_system_client(organisation=partner_org)


def _fuzz(operation, ran: dict[str, int], headers: dict[str, str]):
    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case):
        ran[operation.label] += 1
        case.call_and_validate(headers=headers, checks=CHECKS)

    return check


def test_api_conforms_to_its_schema(api_world, wsgi_app):
    """Every operation of the schema, a few generated requests each (valid and invalid input)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)
    ran: dict[str, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        ran[operation.label] = 0
        _fuzz(operation, ran, api_world.headers)()
    assert len(ran) >= 8 and all(ran.values()), ran  # every operation ran
    print(f"schemathesis: {len(ran)} operations, {sum(ran.values())} cases, 0 failures")


def test_openapi_document_validates_against_the_openapi_31_schema(client, db):
    """The generated document is OpenAPI 3.1 by the specification's own JSON Schema (as schemathesis
    ships it), every error response is problem details, and no path carries an identity code."""
    import jsonschema
    from schemathesis.specs.openapi.definitions import OPENAPI_31

    document = client.get("/api/v1/schema/?format=json").json()
    assert document["openapi"] == "3.1.0"
    errors = [e.message for e in jsonschema.Draft202012Validator(OPENAPI_31).iter_errors(document)]
    assert errors == []
    for path, operations in document["paths"].items():
        assert "identity" not in path and "hetu" not in path, path
        for operation in operations.values():
            for code, response in operation.get("responses", {}).items():
                if code.startswith("4") and "content" in response:
                    assert list(response["content"]) == ["application/problem+json"], (path, code)
