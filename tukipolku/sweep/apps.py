from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SweepConfig(AppConfig):
    name = "tukipolku.sweep"
    label = "sweep"
    verbose_name = _("Follow-through")

    def ready(self) -> None:
        from tukipolku.sweep import hooks

        hooks.register()
