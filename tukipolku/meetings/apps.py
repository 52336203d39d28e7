from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "tukipolku.meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from tukipolku.meetings import hooks

        hooks.register()
