"""Mounted at /fhir/ before the FHIR facade's own URLs (config/urls.py)."""

from django.urls import path

from tukipolku.bulkexport.choices import ExportLevel
from tukipolku.bulkexport.views import ExportFileView, ExportKickoffView, ExportStatusView, GroupReadView
from tukipolku.fhir import converters

app_name = "bulkexport"
converters.register()  # fhirtype: the file name is a resource type, never free text

urlpatterns = [
    path("$export", ExportKickoffView.as_view(level=ExportLevel.SYSTEM), name="export_system"),
    path("Patient/$export", ExportKickoffView.as_view(level=ExportLevel.PATIENT), name="export_patient"),
    path("Group/<int:team_id>/$export", ExportKickoffView.as_view(level=ExportLevel.GROUP), name="export_group"),
    path("Group/<int:team_id>", GroupReadView.as_view(), name="group"),
    path("bulkstatus/<uuid:job_id>", ExportStatusView.as_view(), name="status"),
    path("bulkfiles/<uuid:job_id>/<fhirtype:resource_type>.ndjson", ExportFileView.as_view(), name="file"),
]
