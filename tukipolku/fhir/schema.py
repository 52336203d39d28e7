"""The FHIR facade's own OpenAPI document at `/fhir/schema/` (the REST API's `/api/v1/schema/` leaves
the FHIR views out: their bodies are FHIR resources, described by the CapabilityStatement and the
FHIR specification, and their errors OperationOutcomes rather than problem details).

`FhirAutoSchema` excludes a FHIR view from every schema except the one `FhirSchemaGenerator` builds."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema

_BUILDING_FHIR_SCHEMA: ContextVar[bool] = ContextVar("building_fhir_schema", default=False)


class FhirAutoSchema(AutoSchema):
    def is_excluded(self) -> bool:
        return not _BUILDING_FHIR_SCHEMA.get()


class FhirSchemaGenerator(SchemaGenerator):
    def get_schema(self, request: Any = None, public: bool = False) -> Any:
        token = _BUILDING_FHIR_SCHEMA.set(True)
        try:
            return super().get_schema(request=request, public=public)
        finally:
            _BUILDING_FHIR_SCHEMA.reset(token)


SCHEMA_SETTINGS = {
    "TITLE": "Tukipolku FHIR R4 facade",
    "DESCRIPTION": "HL7 FHIR R4 (4.0.1) on the Finnish base profiles (FI Base). See /fhir/metadata and "
    "docs/fhir.md. OAuth 2.0 client credentials at /o/token/ (scopes fhir.read, fhir.write); errors are "
    "OperationOutcome resources; identity codes only in POST bodies.",
    "SCHEMA_PATH_PREFIX": "/fhir",
    # The REST API's hooks turn errors into problem details: the FHIR facade answers OperationOutcomes.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums"],
}
