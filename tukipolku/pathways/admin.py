"""Administrators edit pathways here. Published versions are read-only; changes go to a new draft.
A regional administrator sees and edits only their own welfare region's pathways (ADR 11)."""

from typing import Any

from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tukipolku.core.exceptions import ApplicationError
from tukipolku.core.regions import RegionScopedAdmin
from tukipolku.pathways.models import Pathway, PathwayStep, PathwayVersion
from tukipolku.pathways.services import pathway_version_create_draft, pathway_version_publish


class VersionInline(admin.TabularInline):
    model = PathwayVersion
    fields = ["number", "status", "published_at", "change_note"]
    readonly_fields = ["number", "status", "published_at", "change_note"]
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Pathway)
class PathwayAdmin(RegionScopedAdmin):
    list_display = ["code", "name_fi", "name_sv", "name_en", "is_active", "opened_by_handover", "region"]
    own_region_field = "region"
    filter_horizontal = ["teams"]
    inlines = [VersionInline]
    actions = ["create_draft"]

    @admin.action(description=_("Create a new draft version of the selected pathways"))
    def create_draft(self, request: HttpRequest, queryset: Any) -> None:
        for pathway in queryset:
            try:
                draft = pathway_version_create_draft(actor=request.user, pathway=pathway)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return
            self.message_user(request, _("Draft %(version)s is ready for editing.") % {"version": draft})


class StepFormSet(BaseInlineFormSet):
    """Refuses two steps with the same part of an escorted handover in one save (each form alone passes the
    database constraint check, the pair would not)."""

    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            role = form.cleaned_data.get("handover_role") or ""
            if role and role in seen:
                form.add_error("handover_role", _("Each part of an escorted handover can be on one step only."))
            seen.add(role)


class StepInline(admin.StackedInline):
    model = PathwayStep
    formset = StepFormSet
    extra = 0
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("order", "code", "responsible_role", "expected_duration_days", "completion_check"),
                    "handover_role",
                    ("name_fi", "name_sv", "name_en"),
                    ("guidance_fi", "guidance_sv", "guidance_en"),
                    ("produces_fi", "produces_sv", "produces_en"),
                    "legal_basis",
                ]
            },
        ),
    ]

    def _editable(self, obj: Any) -> bool:
        return obj is None or obj.is_editable

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(PathwayVersion)
class PathwayVersionAdmin(RegionScopedAdmin):
    list_display = ["pathway", "number", "status", "published_at"]
    list_filter = [("pathway", admin.RelatedOnlyFieldListFilter), "status"]  # no other region's names
    inlines = [StepInline]
    actions = ["publish"]
    readonly_fields = ["pathway", "number", "status", "published_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # new versions come from the "create a new draft" action on the pathway

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) or super().has_change_permission(request, None)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Publish the selected draft versions"))
    def publish(self, request: HttpRequest, queryset: Any) -> None:
        for version in queryset:
            try:
                pathway_version_publish(actor=request.user, version=version)
            except ApplicationError as exc:
                self.message_user(request, f"{version}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, _("%(version)s is published.") % {"version": version})
