from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API `/api/v1/` (ADR 0015, docs/api.md): system clients (OAuth 2.0 client credentials)
    and staff sessions read through the access gate like a page; the conventions every resource
    shares (problem details, cursor pagination, ETag/If-Match, idempotency keys, throttling) are here."""

    name = "tukipolku.api"
    label = "api"
    verbose_name = _("API")
