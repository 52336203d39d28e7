from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "tukipolku.imports"
    label = "imports"
    verbose_name = _("Import from spreadsheets")

    def ready(self) -> None:
        from tukipolku.imports import hooks

        hooks.register()
