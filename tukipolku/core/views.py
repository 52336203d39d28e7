"""View plumbing shared by every module."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views import View

from tukipolku.core.permissions import can_administer, can_work_with_clients


class ProfessionalView(View):
    """Base for every page with client data: only team professionals get past it (403 otherwise).

    Which clients they then see is decided by the access gate (cases/permissions.py).
    """

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not can_work_with_clients(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def redirect_htmx_aware(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful POST: HX-Location for htmx requests, an ordinary 303 otherwise."""
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Location"] = url
        return response
    return redirect(url, permanent=False)


class HomeView(View):
    """The front page sends each kind of user where their work is."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if can_work_with_clients(request.user):
            return redirect("cases:caseload")
        if can_administer(request.user):
            return redirect("admin:index")
        return render(request, "core/home.html")
