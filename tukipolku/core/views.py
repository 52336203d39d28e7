"""View plumbing shared by every module."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views import View
from django.views.i18n import set_language

from tukipolku.access.log import refuse
from tukipolku.core.http import safe_next
from tukipolku.core.permissions import can_administer, can_review_access, can_work_with_clients, is_partner


class CapabilityView(View):
    """A page for the users `allows` lets in; everyone else gets 403, logged, before the view runs."""

    refusal_resource = "page"

    def allows(self, request: HttpRequest) -> bool:
        raise NotImplementedError

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not self.allows(request):
            refuse(request, resource=self.refusal_resource)
        return super().dispatch(request, *args, **kwargs)


class ProfessionalView(CapabilityView):
    """Base for every page with client data: only team professionals get past it (403 otherwise).

    Which clients they then see is decided by the access policy (`tukipolku/access/policy.py`).
    """

    # Pages that partner staff may read (GET only); what they then see is narrowed by the gate.
    partners_may_read = False

    def allows(self, request: HttpRequest) -> bool:
        return can_work_with_clients(request.user) or (
            self.partners_may_read and request.method in ("GET", "HEAD") and is_partner(request.user)
        )


def redirect_htmx_aware(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful POST: HX-Location for htmx requests, an ordinary redirect otherwise.

    `url` is a URL, never a view name (check a `next` with `core.http.safe_next` first)."""
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Location"] = url
        return response
    return HttpResponseRedirect(url)


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


def language_set(request: HttpRequest) -> HttpResponse:
    """Django's language switch, with its `next` checked like every other redirect (core.http): a
    target that is no path on this site goes to the front page."""
    if request.method == "POST":
        data = request.POST.copy()
        data["next"] = safe_next(request, data.get("next"), fallback="/")
        request.POST = data  # type: ignore[assignment]  # the checked copy replaces the form data
    return set_language(request)
