"""The OAuth 2.0 scopes a system client may be granted (settings.OAUTH2_PROVIDER["SCOPES"])."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    API_READ = "api.read", _("Read the REST API")
    API_WRITE = "api.write", _("Write through the REST API")
    FHIR_READ = "fhir.read", _("Read the FHIR interface")
    FHIR_WRITE = "fhir.write", _("Write through the FHIR interface")
    EXPORT = "export", _("Bulk export")
    IMPORT = "import", _("Import")
