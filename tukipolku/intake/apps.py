from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "tukipolku.intake"
    label = "intake"
    verbose_name = _("Notifications of need")

    def ready(self) -> None:
        from tukipolku.intake import hooks

        hooks.register()
