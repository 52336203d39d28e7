"""URL converters of the FHIR facade: a resource type is a capitalised word and a resource id is our
object id, optionally after a lower-case prefix (`action-12`, `handover-3`). Neither can take anything
shaped like an identity code (tukipolku/core/tests/test_identity_code_privacy.py walks every URL)."""

from django.urls import register_converter
from django.urls.converters import get_converters

RESOURCE_ID_PATTERN = "(?:[a-z]{1,20}-)?[0-9]{1,18}"


class ResourceTypeConverter:
    regex = "[A-Z][A-Za-z]{1,63}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class ResourceIdConverter(ResourceTypeConverter):
    regex = RESOURCE_ID_PATTERN


def register() -> None:
    """Registering twice is a no-op (Django 6 refuses an override)."""
    converters = get_converters()
    if "fhirtype" not in converters:
        register_converter(ResourceTypeConverter, "fhirtype")
    if "fhirid" not in converters:
        register_converter(ResourceIdConverter, "fhirid")
