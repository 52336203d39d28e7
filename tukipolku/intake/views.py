"""HTML interface of notifications of need: send, follow what was sent, the team's intake queue and
decision. Identity codes travel only in POST bodies."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from tukipolku.access.policy import can_send_need
from tukipolku.cases.choices import SpecialSituation
from tukipolku.cases.presentation import choice_label
from tukipolku.core.exceptions import ConflictError
from tukipolku.core.forms import attempt
from tukipolku.core.views import CapabilityView, ProfessionalView, redirect_htmx_aware
from tukipolku.intake import selectors, services
from tukipolku.intake.choices import RiskFactor
from tukipolku.intake.forms import NeedAcceptForm, NeedDeclineForm, NeedSendForm
from tukipolku.intake.models import NeedNotification
from tukipolku.pathways.selectors import pathway_list_for


class SenderView(CapabilityView):
    """Pages for anyone who may send notifications: team professionals and partner staff (403 otherwise)."""

    def allows(self, request: HttpRequest) -> bool:
        return can_send_need(request.user)


# ------------------------------------------------------------------ the sender


class NeedSendView(SenderView):
    template = "intake/need_send.html"

    def _form(self, request: HttpRequest, data: Any = None) -> NeedSendForm:
        organisation = request.user.organisation  # type: ignore[union-attr]
        return NeedSendForm(
            data,
            teams=selectors.team_choices_for_sender(actor=request.user),
            sender_kind=organisation.kind if organisation is not None else "",
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request, request.POST)
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if not k.startswith("share_")}
            ok, need = attempt(
                form, services.need_send, actor=request.user, intake_consent=form.intake_consent(), **fields
            )
            if ok:
                messages.success(
                    request,
                    _("The notification is sent to %(team)s. You see here when the team has decided.")
                    % {"team": need.team.name},
                )
                return redirect_htmx_aware(request, reverse("intake:sent"))
        return render(request, self.template, {"form": form}, status=400)


class NeedSentListView(SenderView):
    def get(self, request: HttpRequest) -> HttpResponse:
        page = selectors.need_sent_list_for(actor=request.user, page_number=request.GET.get("page"))
        return render(request, "intake/need_sent_list.html", {"page": page, "needs": list(page.object_list)})


class NeedSentDetailView(SenderView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        need = selectors.need_get_for_sender(actor=request.user, need_id=pk)
        return render(request, "intake/need_sent_detail.html", {"need": need})


# ------------------------------------------------------------------ the receiving team


class NeedQueueView(ProfessionalView):
    def get(self, request: HttpRequest) -> HttpResponse:
        queue = selectors.need_queue_for(actor=request.user)
        return render(request, "intake/need_queue.html", {"queue": queue})


def _detail(
    request: HttpRequest,
    need: NeedNotification,
    *,
    accept_form: NeedAcceptForm | None = None,
    decline_form: NeedDeclineForm | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    initial = {"status": need.status}
    open_episode = selectors.need_open_episode(need=need) if need.is_waiting else None
    context = {
        "need": need,
        "open_episode": open_episode,
        "accept_form": accept_form or NeedAcceptForm(initial=initial, pathways=pathway_list_for(actor=request.user)),
        "decline_form": decline_form or NeedDeclineForm(initial=initial),
        "conflict": conflict,
        "situations": [choice_label(SpecialSituation, c) for c in need.situations],
        "risk_factors": [choice_label(RiskFactor, c) for c in need.risk_factors],
    }
    return render(request, "intake/need_detail.html", context, status=status)


class NeedDetailView(ProfessionalView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _detail(request, selectors.need_get_for(actor=request.user, need_id=pk))


class NeedAcceptView(ProfessionalView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        need = selectors.need_get_for(actor=request.user, need_id=pk, view="intake:accept")
        form = NeedAcceptForm(request.POST, pathways=pathway_list_for(actor=request.user))
        if not form.is_valid():
            return _detail(request, need, accept_form=form, status=400)
        ok, episode = attempt(
            form,
            services.need_accept,
            actor=request.user,
            need=need,
            expected_status=form.cleaned_data["status"],
            pathway=form.cleaned_data["pathway"],
            link_existing=form.cleaned_data["link_existing"],
        )
        if isinstance(episode, ConflictError):
            need.refresh_from_db()
            return _detail(request, need, conflict=episode.message, status=409)
        if isinstance(episode, services.OpenEpisodeExistsError):
            return _detail(request, need, status=409)
        if not ok:
            return _detail(request, need, accept_form=form, status=400)
        if form.cleaned_data["link_existing"]:
            messages.success(request, _("Accepted into the client's open relationship. The sender sees it accepted."))
        else:
            messages.success(
                request,
                _("Accepted. The client relationship is open: assemble the client's team and name the contact person."),
            )
        return redirect_htmx_aware(request, reverse("cases:detail", args=[episode.pk]))


class NeedDeclineView(ProfessionalView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        need = selectors.need_get_for(actor=request.user, need_id=pk, view="intake:decline")
        form = NeedDeclineForm(request.POST)
        if not form.is_valid():
            return _detail(request, need, decline_form=form, status=400)
        ok, declined = attempt(
            form,
            services.need_decline,
            actor=request.user,
            need=need,
            expected_status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
        )
        if isinstance(declined, ConflictError):
            need.refresh_from_db()
            return _detail(request, need, conflict=declined.message, status=409)
        if not ok:
            return _detail(request, need, decline_form=form, status=400)
        messages.success(request, _("Declined. The sender sees your reason."))
        return redirect_htmx_aware(request, reverse("intake:queue"))
