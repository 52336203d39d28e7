"""Bulk exports in the administration: who asked for what, the running ones with a progress bar, and a
cancel action. The jobs hold no client data (counts and file names only); nothing here can be edited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tukipolku.bulkexport.choices import ACTIVE_STATUSES, ExportStatus
from tukipolku.bulkexport.models import ExportFile, ExportJob
from tukipolku.bulkexport.services import export_cancel
from tukipolku.core.regions import RegionScopedAdmin


class ExportFileInline(admin.TabularInline):
    model = ExportFile
    fields = ("resource_type", "name", "count", "size")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RunningFilter(admin.SimpleListFilter):
    title = _("running")
    parameter_name = "running"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Waiting or running")), ("no", _("Finished"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(status__in=ACTIVE_STATUSES)
        if self.value() == "no":
            return queryset.exclude(status__in=ACTIVE_STATUSES)
        return queryset


@admin.register(ExportJob)
class ExportJobAdmin(RegionScopedAdmin):
    list_display = ("requested_at", "level", "account", "status", "progress", "resources", "expires_at")
    list_filter = (RunningFilter, "status", "level")
    date_hierarchy = "requested_at"
    actions = ["cancel_exports"]
    inlines = [ExportFileInline]
    exclude = ("request_url",)  # the request's query string is the requester's own business
    readonly_fields = (
        "id",
        "requested_at",
        "account",
        "reader_kind",
        "organisation_id",
        "purposes",
        "level",
        "team",
        "types",
        "since",
        "status",
        "progress",
        "episodes_total",
        "episodes_checked",
        "clients_exported",
        "resources",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "transaction_time",
        "expires_at",
        "error",
        "task_id",
    )

    @admin.display(description=_("progress"))
    def progress(self, obj: ExportJob) -> str:
        """A native progress bar named by its row, with the figure as text beside it (screen readers read
        both; the text shows without styles)."""
        label = _("Progress of export %(id)s") % {"id": str(obj.pk)[:8]}
        text: object
        if obj.status == ExportStatus.ACCEPTED:
            text = _("waiting")
        else:
            text = _("%(percent)s %% (%(done)s of %(total)s client relationships)") % {
                "percent": obj.percent,
                "done": obj.episodes_checked,
                "total": obj.episodes_total,
            }
        return format_html(
            '<progress max="100" value="{}" aria-label="{}">{} %</progress> <span>{}</span>',
            obj.percent,
            label,
            obj.percent,
            text,
        )

    @admin.action(description=_("Cancel the selected exports"), permissions=["cancel"])
    def cancel_exports(self, request: HttpRequest, queryset: QuerySet[ExportJob]) -> None:
        cancelled = 0
        for job in queryset.exclude(status__in=(ExportStatus.CANCELLED, ExportStatus.EXPIRED)):
            export_cancel(job=job)
            cancelled += 1
        self.message_user(
            request,
            ngettext("%(count)d export cancelled.", "%(count)d exports cancelled.", cancelled) % {"count": cancelled},
            messages.SUCCESS,
        )

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("bulkexport.change_exportjob"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
