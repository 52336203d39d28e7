from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoversConfig(AppConfig):
    name = "tukipolku.handovers"
    label = "handovers"
    verbose_name = _("Escorted handovers")

    def ready(self) -> None:
        from tukipolku.handovers import hooks

        hooks.register()
