from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "tukipolku.cases"
    verbose_name = _("Client relationships")

    def ready(self) -> None:
        from tukipolku.cases import hooks

        hooks.register()
