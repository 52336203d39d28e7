from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    """The data protection officer's tools: review of exceptional accesses, the access and disclosure
    logs, and the client's log report. No models of its own: it reads `audit` and `privacy`."""

    name = "tukipolku.oversight"
    label = "oversight"
    verbose_name = _("Data protection oversight")
