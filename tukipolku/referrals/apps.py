from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "tukipolku.referrals"
    label = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from tukipolku.referrals import hooks

        hooks.register()
