from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from tukipolku.fhir import converters, views
from tukipolku.fhir.schema import SCHEMA_SETTINGS, FhirSchemaGenerator

app_name = "fhir"
converters.register()

resource_patterns = [
    path("metadata", views.MetadataView.as_view(), name="metadata"),
    path("<fhirtype:resource_type>/_search", views.TypeSearchView.as_view(), name="search_post"),
    path("<fhirtype:resource_type>/<fhirid:resource_id>", views.InstanceView.as_view(), name="instance"),
    path("<fhirtype:resource_type>", views.TypeView.as_view(), name="type"),
]

urlpatterns = [
    path(
        "schema/",
        login_not_required(
            SpectacularAPIView.as_view(
                generator_class=FhirSchemaGenerator,
                patterns=[path("fhir/", include((resource_patterns, "fhir")))],
                custom_settings=SCHEMA_SETTINGS,
            )
        ),
        name="schema",
    ),
    *resource_patterns,
]
