from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulkExportConfig(AppConfig):
    name = "tukipolku.bulkexport"
    label = "bulkexport"
    verbose_name = _("FHIR bulk export")

    def ready(self) -> None:
        from tukipolku.bulkexport import hooks

        hooks.register()
