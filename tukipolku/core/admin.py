"""Organisations, teams and users in the administration, each region's by its regional administrator
(ADR 11, `core.regions`)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tukipolku.core.choices import OrganisationKind
from tukipolku.core.models import Organisation, Team, TeamMembership, User
from tukipolku.core.regions import RegionScopedAdmin, in_users_region, manages_all_regions


@admin.register(Organisation)
class OrganisationAdmin(RegionScopedAdmin):
    list_display = ["name", "kind", "parent", "region"]
    list_filter = ["kind"]
    search_fields = ["name"]
    own_region_field = "region"

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_choice_field(db_field, request, **kwargs)
        if field is not None and db_field.name == "kind" and not manages_all_regions(request.user):
            # A regional administrator adds organisations to their region, never another region.
            field.choices = [c for c in OrganisationKind.choices if c[0] != OrganisationKind.WELFARE_REGION]
        return field

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        own_region = obj.pk is not None and obj.pk == getattr(request.user, "region_id", None)
        if obj.kind == OrganisationKind.WELFARE_REGION and not manages_all_regions(request.user) and not own_region:
            raise PermissionDenied
        super().save_model(request, obj, form, change)


class TeamMembershipForm(forms.ModelForm):
    """Only people of the team's welfare region join it."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        user, team = data.get("user"), getattr(self.instance, "team", None) if self.instance.team_id else None
        if user is not None and team is not None and user.region_id != team.region_id:
            self.add_error("user", _("Only people of the team's welfare region can join it."))
        return data


class TeamMembershipInline(admin.TabularInline):
    form = TeamMembershipForm
    model = TeamMembership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(RegionScopedAdmin):
    list_display = ["name", "organisation", "is_active"]
    list_filter = [("organisation", admin.RelatedOnlyFieldListFilter), "is_active"]
    search_fields = ["name"]
    inlines = [TeamMembershipInline]


@admin.register(User)
class UserAdmin(RegionScopedAdmin, DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "profession", "organisation", "is_active"]
    list_filter = ["profession", ("organisation", admin.RelatedOnlyFieldListFilter), "is_active", "is_staff"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Work"), {"fields": ("profession", "organisation", "title", "phone")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Work"), {"fields": ("first_name", "last_name", "profession", "organisation")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not manages_all_regions(request.user):
            # A regional administrator cannot raise anyone (themselves included) above their own rights.
            fields += ["is_superuser", "user_permissions"]
        return fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not in_users_region(request.user, obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)
