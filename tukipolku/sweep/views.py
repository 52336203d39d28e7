"""Notification list (every logged-in user) and the managers' unfinished processes."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from tukipolku.access.log import refuse
from tukipolku.audit.services import access_denied
from tukipolku.core.forms import attempt
from tukipolku.core.http import safe_next
from tukipolku.core.views import ProfessionalView, redirect_htmx_aware
from tukipolku.notifications.services import mark_read
from tukipolku.sweep import selectors


class NotificationListView(View):
    """The user's own notifications. Names only clients the gate lets the user see now."""

    def get(self, request: HttpRequest) -> HttpResponse:
        page, rows = selectors.notification_page_for(actor=request.user, page_number=request.GET.get("page"))
        return render(request, "sweep/notifications.html", {"page": page, "rows": rows})


class NotificationOpenView(View):
    """Open one notification (POST): mark it read and go to what it is about."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        notification = selectors.notification_get_own(actor=request.user, notification_id=pk)
        if notification is None:  # someone else's (or none): 404, the refusal logged like any other
            access_denied(
                actor=request.user,
                view="sweep:notification_open",
                client_id=None,
                reason="not_found",
                resource="notification",
            )
            raise Http404
        attempt(request, mark_read, user=request.user, ids=[notification.pk])
        target = safe_next(request, notification.url, fallback=reverse("sweep:notifications"))
        return redirect_htmx_aware(request, target)


class NotificationReadAllView(View):
    def post(self, request: HttpRequest) -> HttpResponse:
        _ok, n = attempt(request, mark_read, user=request.user)
        if n:
            messages.success(request, _("All notifications are marked read."))
        return redirect_htmx_aware(request, reverse("sweep:notifications"))


class UnfinishedView(ProfessionalView):
    """Team managers: open client relationships of their teams where something is left undone."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not selectors.can_see_unfinished(actor=request.user):
            refuse(request)
        data = selectors.unfinished_for(
            actor=request.user, page_number=request.GET.get("page"), problem=request.GET.get("problem", "")
        )
        return render(request, "sweep/unfinished.html", {"data": data})
