"""Referral pages: the team sends and follows referrals from the case page; the recipient
organisation's partner staff see "Referrals to your organisation" and update the status."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.access.log import episode_get_for, refuse
from tukipolku.access.policy import can_send_referral, can_update_referral_status, episode_access, referral_is_recipient
from tukipolku.core.forms import attempt
from tukipolku.core.models import Organisation
from tukipolku.core.permissions import is_partner
from tukipolku.core.views import CapabilityView, ProfessionalView, redirect_htmx_aware
from tukipolku.plans.selectors import plan_view_for
from tukipolku.privacy.choices import DataCategory
from tukipolku.referrals import services
from tukipolku.referrals.choices import ReferralStatus
from tukipolku.referrals.forms import ReferralForm, StatusForm
from tukipolku.referrals.models import Referral
from tukipolku.referrals.selectors import (
    category_options,
    received_get_for,
    received_list_for,
    referral_get_for_episode,
    status_history,
)


def _status_form(referral: Referral, data: Any = None) -> StatusForm:
    """On a POST the form offers the changes from the status the user saw (the service reports a
    change made meanwhile); otherwise from the current one."""
    seen = data.get("expected_status") if data is not None else None
    current = seen if seen in ReferralStatus.values else referral.status
    return StatusForm(data, current=current, prefix="status")


def _status_update(request: HttpRequest, referral: Referral, form: StatusForm) -> bool:
    if not form.is_valid():
        return False
    ok, _r = attempt(
        form,
        services.referral_status_set,
        actor=request.user,
        referral=referral,
        status=form.cleaned_data["status"],
        expected_status=form.cleaned_data["expected_status"],
        note=form.cleaned_data["note"],
    )
    return bool(ok)


# ---------------------------------------------------------------- the team


class ReferralCreateView(ProfessionalView):
    """Send a referral. What may be sent depends on the recipient organisation and the client's consent:
    the categories part is re-rendered (htmx, or the "Show what the consent allows" button) when the
    organisation changes."""

    template = "referrals/referral_form.html"
    view_name = "referrals:create"

    def _episode(self, request: HttpRequest, pk: int) -> Any:
        episode = episode_get_for(
            actor=request.user, episode_id=pk, view=self.view_name, for_change=True, open_only=True
        )
        if not can_send_referral(actor=request.user, episode=episode):
            raise Http404
        return episode

    def _render(self, request: HttpRequest, episode: Any, form: ReferralForm, status: int = 200) -> HttpResponse:
        organisation = None
        if form.is_bound:
            raw = form.data.get("recipient_organisation")
            field = form.fields["recipient_organisation"]
            try:
                organisation = field.clean(raw) if raw else None
            except Exception:  # an id that is not an organisation: nothing can be sent
                organisation = None
            checked = set(form.data.getlist("categories"))  # type: ignore[attr-defined]
        else:
            organisation = form.initial.get("recipient_organisation")
            checked = set(form.initial.get("categories") or [])
        context = {
            "episode": episode,
            "client": episode.client,
            "form": form,
            "organisation": organisation,
            "options": category_options(episode=episode, organisation=organisation),
            "checked": checked,
        }
        if getattr(request, "htmx", False) and request.method == "GET" and "recipient_organisation" in request.GET:
            return render(request, "referrals/_categories.html", context, status=status)
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = self._episode(request, pk)
        initial: dict[str, Any] = {"due_on": timezone.localdate() + datetime.timedelta(days=14)}
        raw = request.GET.get("recipient_organisation") or ""
        if raw.isdigit():  # preselected, or the categories part for the organisation chosen (htmx)
            initial["recipient_organisation"] = Organisation.objects.filter(pk=int(raw)).first()
            initial["categories"] = request.GET.getlist("categories")
        return self._render(request, episode, ReferralForm(initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = self._episode(request, pk)
        if request.POST.get("check"):
            # Only show what the consent allows for the chosen organisation; nothing is sent.
            raw = request.POST.get("recipient_organisation") or ""
            initial: dict[str, Any] = {
                k: request.POST.get(k, "") for k in ("kind", "recipient_name", "reason", "due_on", "note")
            }
            initial["recipient_organisation"] = (
                Organisation.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
            )
            initial["recipient_user"] = request.POST.get("recipient_user") or None
            initial["categories"] = request.POST.getlist("categories")
            return self._render(request, episode, ReferralForm(initial=initial))
        form = ReferralForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            ok, _referral = attempt(
                form,
                services.referral_send,
                actor=request.user,
                episode=episode,
                kind=d["kind"],
                recipient_organisation=d["recipient_organisation"],
                recipient_user=d["recipient_user"],
                recipient_name=d["recipient_name"],
                reason=d["reason"],
                categories=list(d["categories"]),
                due_on=d["due_on"],
                note=d["note"],
            )
            if ok:
                messages.success(request, _("The referral is sent."))
                return redirect_htmx_aware(request, reverse("cases:detail", args=[pk]) + "#referrals")
        return self._render(request, episode, form, status=400)


class ReferralDetailView(ProfessionalView):
    """The team's view of one referral: what was sent, the status history, and the status update when
    the team records it for the recipient (outside recipients, the welfare region's own units)."""

    view_name = "referrals:detail"

    def _context(self, request: HttpRequest, episode: Any, referral: Referral, form: StatusForm | None = None) -> Any:
        may_update = can_update_referral_status(actor=request.user, referral=referral)
        return {
            "episode": episode,
            "client": episode.client,
            "referral": referral,
            "history": status_history(referral=referral),
            "overdue": referral.is_overdue(),
            "status_form": (form or _status_form(referral)) if may_update else None,
        }

    def get(self, request: HttpRequest, pk: int, referral_id: int) -> HttpResponse:
        episode = episode_get_for(actor=request.user, episode_id=pk, view=self.view_name)
        referral = referral_get_for_episode(
            actor=request.user, episode=episode, referral_id=referral_id, view=self.view_name
        )
        return render(request, "referrals/referral_detail.html", self._context(request, episode, referral))

    def post(self, request: HttpRequest, pk: int, referral_id: int) -> HttpResponse:
        episode = episode_get_for(actor=request.user, episode_id=pk, view=self.view_name, for_change=True)
        referral = referral_get_for_episode(
            actor=request.user, episode=episode, referral_id=referral_id, view=self.view_name
        )
        if not can_update_referral_status(actor=request.user, referral=referral) and referral.is_open:
            # The recipient organisation updates it. The refusal is logged like the gate's.
            refuse(request, resource="referral", client_id=episode.client_id, episode_id=episode.pk)
        form = _status_form(referral, request.POST)
        if _status_update(request, referral, form):
            messages.success(request, _("The status is updated."))
            return redirect_htmx_aware(request, reverse("referrals:detail", args=[pk, referral_id]))
        referral.refresh_from_db(fields=["status", "status_changed_at"])
        context = self._context(request, episode, referral, form)
        context["status_form"] = form  # keep what the user wrote, with the reason next to the field
        return render(
            request, "referrals/referral_detail.html", context, status=409 if form.errors.get("status") else 400
        )


# ---------------------------------------------------------------- the recipient organisation


class PartnerView(CapabilityView):
    """Pages of partner staff only (403 for everyone else, logged like the gate's refusals)."""

    def allows(self, request: HttpRequest) -> bool:
        return is_partner(request.user)


class ReceivedListView(PartnerView):
    """Referrals to your organisation: open ones by due date (and, on request, the finished ones)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        include_closed = request.GET.get("all") == "1"
        items = received_list_for(actor=request.user, include_closed=include_closed)
        today = timezone.localdate()
        return render(
            request,
            "referrals/received_list.html",
            {"items": items, "today": today, "include_closed": include_closed},
        )


class ReceivedDetailView(PartnerView):
    """One referral to the actor's organisation: its content while the consent covers what was sent,
    its status and history; the recipient records received, done or declined."""

    view_name = "referrals:received_detail"

    def _context(self, request: HttpRequest, item: Any, form: StatusForm | None = None) -> dict[str, Any]:
        referral = item.referral
        episode = referral.episode
        plan = None
        case_link = False
        if item.content_shown:
            if DataCategory.SHARED_PLAN in item.shown:
                plan = plan_view_for(episode=episode)
            # While the referral is open the gate lets the organisation read what the consent allows.
            case_link = referral.is_open and episode_access(actor=request.user, episode=episode) is not None
        may_update = can_update_referral_status(actor=request.user, referral=referral)
        return {
            "item": item,
            "referral": referral,
            "client": episode.client if item.content_shown else None,
            "plan": plan,
            "case_link": case_link,
            "history": status_history(referral=referral),
            "overdue": referral.is_overdue(),
            "status_form": (form or _status_form(referral)) if may_update else None,
        }

    def get(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        item = received_get_for(actor=request.user, referral_id=referral_id, view=self.view_name)
        return render(request, "referrals/received_detail.html", self._context(request, item))

    def post(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        item = received_get_for(actor=request.user, referral_id=referral_id, view=self.view_name)
        referral = item.referral
        if not referral_is_recipient(actor=request.user, referral=referral) or not referral.recipient_manages:
            raise PermissionDenied  # the team records this referral's status
        form = _status_form(referral, request.POST)
        if _status_update(request, referral, form):
            messages.success(request, _("The status is updated. The sender is told."))
            return redirect_htmx_aware(request, reverse("referrals:received_detail", args=[referral_id]))
        referral.refresh_from_db(fields=["status", "status_changed_at"])
        context = self._context(request, item, form)
        context["status_form"] = form
        return render(
            request, "referrals/received_detail.html", context, status=409 if form.errors.get("status") else 400
        )
