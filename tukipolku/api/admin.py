"""System clients in the administration: see them, switch them off, change purposes, scopes and
rate. They are created with `manage.py system_client_create` (which shows the secret once)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from tukipolku.api.models import SystemClient
from tukipolku.api.services import system_client_change
from tukipolku.core.exceptions import ApplicationError
from tukipolku.core.regions import RegionScopedAdmin, in_users_region


@admin.register(SystemClient)
class SystemClientAdmin(RegionScopedAdmin):
    list_display = ("__str__", "organisation", "is_active", "requests_per_minute", "created_at")
    list_filter = ("is_active",)
    fields = ("application", "organisation", "account", "purposes", "scopes", "requests_per_minute", "is_active")
    readonly_fields = ("application", "organisation", "account")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # `manage.py system_client_create`: the secret is shown once, on the command line

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the access log names its account: switch it off instead

    def save_model(self, request: HttpRequest, obj: SystemClient, form: Any, change: bool) -> None:
        if not in_users_region(request.user, obj):
            raise PermissionDenied
        try:
            system_client_change(
                actor=request.user,
                client=obj,
                is_active=obj.is_active,
                purposes=list(obj.purposes),
                scopes=list(obj.scopes),
                requests_per_minute=obj.requests_per_minute,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
