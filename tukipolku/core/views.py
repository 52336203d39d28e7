"""View plumbing shared by every module."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views import View

from tukipolku.audit.services import access_denied
from tukipolku.core.permissions import can_administer, can_review_access, can_work_with_clients, is_partner


class ProfessionalView(View):
    """Base for every page with client data: only team professionals get past it (403 otherwise).

    Which clients they then see is decided by the access gate (cases/permissions.py).
    """

    # Pages that partner staff may read (GET only); what they then see is narrowed by the gate.
    partners_may_read = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        allowed = can_work_with_clients(request.user) or (
            self.partners_may_read and request.method in ("GET", "HEAD") and is_partner(request.user)
        )
        if not allowed:
            # The refusal is logged like the gate's (ASVS 16.3.2); no client was looked up.
            match = request.resolver_match
            access_denied(
                actor=request.user,
                view=match.view_name if match is not None else type(self).__name__,
                client_id=None,
                reason="role",
                resource="page",
            )
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
        if is_partner(request.user):
            return redirect("cases:shared")
        if can_review_access(request.user):
            return redirect("oversight:review")
        if can_administer(request.user):
            return redirect("admin:index")
        return render(request, "core/home.html")


def not_found(request: HttpRequest) -> HttpResponse:
    """For third-party pages we do not offer (allauth's e-mail management: administrators keep users'
    addresses, which link identity-provider logins to users)."""
    raise Http404
