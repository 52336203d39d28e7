"""Welfare regions in the administration (ADR 11): a regional administrator manages their own region.

A superuser manages every region. Any other staff user (a regional administrator: staff, the
`ADMINISTRATOR` profession and the model permissions of `REGIONAL_ADMIN_GROUP`) sees, chooses and
saves only the organisations, teams, users and pathway versions of their own organisation's region.
`RegionScopedAdmin` does this for a `ModelAdmin`: the list and every object page (another region's
object answers as not found), the choices of every foreign key, and a check before saving.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

REGIONAL_ADMIN_GROUP = "Alueen pääkäyttäjät"
"""The permission group of regional administrators (the demo creates it; see docs/configuration.md)."""

REGION_LOOKUPS: dict[str, str] = {
    "core.organisation": "region",
    "core.team": "organisation__region",
    "core.user": "organisation__region",
    "core.teammembership": "team__organisation__region",
    "pathways.pathway": "region",
    "pathways.pathwayversion": "pathway__region",
    "pathways.pathwaystep": "version__pathway__region",
    "api.systemclient": "organisation__region",
    "bulkexport.exportjob": "account__organisation__region",
}
"""How each model administered per region reaches its welfare region."""


def manages_all_regions(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


def region_filter(user: Any, model: type[Model]) -> Q:
    """Rows of `model` in the user's welfare region (without a region: the rows without one)."""
    lookup = REGION_LOOKUPS[model._meta.label_lower]
    region_id = getattr(user, "region_id", None)
    if region_id is None:
        return Q(**{f"{lookup}__isnull": True})
    return Q(**{f"{lookup}_id": region_id})


def in_users_region(user: Any, obj: Model) -> bool:
    """Whether a saved or unsaved object belongs to the user's region (a superuser: any)."""
    if manages_all_regions(user):
        return True
    lookup = REGION_LOOKUPS[obj._meta.label_lower]
    target: Any = obj
    for part in lookup.split("__")[:-1]:
        target = getattr(target, part, None)
        if target is None:
            return getattr(user, "region_id", None) is None
    return getattr(target, "region_id", None) == getattr(user, "region_id", None)


class RegionScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose lists, objects, choices and saves stay in the user's welfare region.

    `own_region_field` names a region field the regional administrator does not choose: it is left
    out of their form and set to their region on save."""

    own_region_field = ""

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        exclude = list(super().get_exclude(request, obj) or [])
        if self.own_region_field and not manages_all_regions(request.user):
            exclude.append(self.own_region_field)
        return exclude

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if manages_all_regions(request.user):
            return qs
        return qs.filter(region_filter(request.user, self.model))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        model = db_field.remote_field.model
        scoped = model._meta.label_lower in REGION_LOOKUPS and not manages_all_regions(request.user)
        if field is not None and field.queryset is not None and scoped:
            field.queryset = field.queryset.filter(region_filter(request.user, model))
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        model = db_field.remote_field.model
        scoped = model._meta.label_lower in REGION_LOOKUPS and not manages_all_regions(request.user)
        if field is not None and field.queryset is not None and scoped:
            field.queryset = field.queryset.filter(region_filter(request.user, model))
        return field

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if self.own_region_field and not manages_all_regions(request.user):
            if change and not in_users_region(request.user, obj):
                raise PermissionDenied
            setattr(obj, f"{self.own_region_field}_id", getattr(request.user, "region_id", None))
        if not in_users_region(request.user, obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for inline in formset.save(commit=False):
            if inline._meta.label_lower in REGION_LOOKUPS and not in_users_region(request.user, inline):
                raise PermissionDenied
        super().save_formset(request, form, formset, change)
