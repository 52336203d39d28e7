from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "tukipolku.plans"
    verbose_name = _("Service plans")

    def ready(self) -> None:
        from tukipolku.plans import hooks

        hooks.register()
