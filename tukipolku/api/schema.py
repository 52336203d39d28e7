"""OpenAPI pieces every resource shares: the problem-details body and its responses."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

Problem = inline_serializer(
    name="Problem",
    fields={
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "errors": serializers.DictField(required=False),
    },
)
"""RFC 9457 problem details (`application/problem+json`)."""


def _problem(text: str) -> OpenApiResponse:
    return OpenApiResponse(response=Problem, description=text)


PROBLEM_RESPONSES = {
    400: _problem("The request is not valid (problem details, `errors` by field)."),
    401: _problem("No valid token or session."),
    403: _problem("The token lacks the scope, or the reader may not do this."),
    404: _problem("Not found, or not available to the reader (the same answer)."),
    405: _problem("Method not allowed."),
    406: _problem("Not acceptable (the API answers JSON)."),
    415: _problem("Unsupported media type (send JSON)."),
    429: _problem("Too many requests (Retry-After)."),
}
CHANGE_RESPONSES = {
    **PROBLEM_RESPONSES,
    409: _problem("A conflicting change."),
    412: _problem("If-Match names a version that is no longer current."),
    428: _problem("If-Match is missing."),
}
CREATE_RESPONSES = {
    **PROBLEM_RESPONSES,
    409: _problem("The same Idempotency-Key is being processed."),
    422: _problem("The Idempotency-Key was used for another request."),
}

IF_MATCH = OpenApiParameter(
    name="If-Match",
    location=OpenApiParameter.HEADER,
    required=True,
    type=str,
    description="The ETag of the version the change is made on.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    type=str,
    description="A unique key per create: a retry with the same key and body gets the same answer.",
)


class SystemClientAuthenticationScheme(OpenApiAuthenticationExtension):
    """The bearer token of the OAuth 2.0 client-credentials flow, in the schema."""

    target_class = "tukipolku.api.auth.SystemClientAuthentication"
    name = "oauth2"

    def get_security_definition(self, auto_schema: object) -> dict[str, object]:
        return {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/o/token/",
                    "scopes": {
                        "api.read": "Read the REST API",
                        "api.write": "Write through the REST API",
                        "fhir.read": "Read the FHIR interface",
                        "fhir.write": "Write through the FHIR interface",
                        "export": "Bulk export",
                        "import": "Import",
                    },
                }
            },
        }
