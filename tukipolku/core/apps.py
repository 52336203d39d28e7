from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tukipolku.core"
    verbose_name = _("Organisations and users")

    def ready(self) -> None:
        from tukipolku.core import hooks

        hooks.register()
