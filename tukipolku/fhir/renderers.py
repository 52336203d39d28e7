"""`application/fhir+json` in and out (JSON only: XML is not offered, as the Finnish SMART IG allows)."""

from __future__ import annotations

from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer


class FhirJsonRenderer(JSONRenderer):
    media_type = "application/fhir+json"
    format = "fhir"
    charset = "utf-8"


class PlainJsonRenderer(JSONRenderer):
    """A client that asks for `application/json` gets the same resources."""

    media_type = "application/json"
    format = "json"


class FhirJsonParser(JSONParser):
    media_type = "application/fhir+json"
