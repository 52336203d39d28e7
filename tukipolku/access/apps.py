from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    """The access gate in one place: who may read and change which client's data, on what ground,
    and how each read and refusal is logged. No models of its own: it reads the rows of `core`,
    `cases` and `privacy` (teams, episodes, consents, grants) and writes through `audit`.

    Start at `docs/access-policy.md` ("Who may read an entry") and `docs/modules/access.md`."""

    name = "tukipolku.access"
    label = "access"
    verbose_name = _("Access to client data")
