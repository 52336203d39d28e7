"""The sweep's runs in the administration (read only): is the sweep alive, what did it find."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tukipolku.sweep.models import SweepRun, SweepSlot


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SweepRun)
class SweepRunAdmin(_ReadOnly):
    list_display = ("started_at", "finished_at", "today", "trigger", "counts", "emails_sent", "error")
    list_filter = ("trigger",)
    date_hierarchy = "started_at"


@admin.register(SweepSlot)
class SweepSlotAdmin(_ReadOnly):
    list_display = ("slot", "enqueued_at", "task_id")
