from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EntriesConfig(AppConfig):
    name = "tukipolku.entries"
    verbose_name = _("Entries")

    def ready(self) -> None:
        from tukipolku.entries import hooks

        hooks.register()
