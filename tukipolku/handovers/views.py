"""HTML interface of escorted handovers: lists, opening, preparatory and transfer meetings, acceptance."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tukipolku.access.choices import AccessGround
from tukipolku.access.log import refuse
from tukipolku.access.policy import (
    can_accept_handover,
    can_edit_handover,
    can_send_handovers,
    can_use_handovers,
    can_view_episode,
    handover_is_receiver,
    handover_is_sender,
)
from tukipolku.core.exceptions import ConflictError
from tukipolku.core.forms import attempt
from tukipolku.core.views import CapabilityView, redirect_htmx_aware
from tukipolku.handovers import selectors, services
from tukipolku.handovers.choices import HandoverReason
from tukipolku.handovers.forms import AcceptForm, HandoverOpenForm, HandoverPrepForm, HandoverTransferForm
from tukipolku.handovers.models import Handover


class HandoverView(CapabilityView):
    """Handover pages: occupational and student health staff (the sending side) and team professionals
    (the receiving side). Everyone else: 403, logged."""

    senders_only = False
    refusal_resource = "handover"

    def allows(self, request: HttpRequest) -> bool:
        return can_send_handovers(request.user) if self.senders_only else can_use_handovers(request.user)


class HandoverListView(HandoverView):
    def get(self, request: HttpRequest) -> HttpResponse:
        sent = selectors.handover_list_sent(actor=request.user)
        waiting, accepted = selectors.handover_list_incoming(actor=request.user)
        return render(
            request,
            "handovers/handover_list.html",
            {
                "is_sender": can_send_handovers(request.user),
                "sent": sent,
                "waiting": waiting,
                "accepted": accepted,
                "escalation_days": settings.TUKIPOLKU_HANDOVER_ESCALATION_DAYS,
            },
        )


class HandoverCreateView(HandoverView):
    senders_only = True
    template = "handovers/handover_open.html"

    def _form(self, request: HttpRequest, data: Any = None) -> HandoverOpenForm:
        return HandoverOpenForm(
            data,
            teams=services.receiving_team_candidates(),
            contacts=services.sending_contact_candidates(actor=request.user),
            initial={"sending_contact": request.user.pk},
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request, request.POST)
        if form.is_valid():
            d = form.cleaned_data
            ok, handover = attempt(
                form,
                services.handover_open,
                actor=request.user,
                identity_code=d["identity_code"],
                first_names=d["first_names"],
                last_name=d["last_name"],
                phone=d["phone"],
                email=d["email"],
                team=d["team"],
                reason=d["reason"],
                sending_contact=d["sending_contact"],
                consent_on=d["consent_on"],
                consent_method=d["consent_method"],
                escort_consent=d["escort_consent"],
                background=d["background"],
                info_sources=d["info_sources"],
                info_summary=d["info_summary"],
            )
            if ok:
                messages.success(
                    request,
                    _("The handover is open and the team has been told. Next: record the preparatory meeting."),
                )
                return redirect_htmx_aware(request, reverse("handovers:detail", args=[handover.pk]))
        return render(request, self.template, {"form": form}, status=400)


def _next_hint(handover: Handover, *, edit: bool, accept: bool) -> str:
    """What to do next, for whoever looks at the handover."""
    if not handover.is_open:
        return ""
    if edit and handover.prep_met_on is None:
        return _("Next: meet the person and record the preparatory meeting.")
    if edit and not handover.transfer_recorded:
        return _("Next: hold the transfer meeting with the receiving team and record it.")
    if edit:
        return _("Waiting for the receiving team to accept the handover.")
    if accept and not handover.transfer_recorded and handover.reason == HandoverReason.EMPLOYMENT_ENDING:
        return _(
            "The transfer meeting is not recorded yet. You can accept now, but the sending side cannot add to "
            "the handover after that."
        )
    if accept:
        return _("Accept the handover to open the client relationship in your team.")
    return ""


def _accept_form(handover: Handover, data: Any = None) -> AcceptForm:
    """The acceptance form: the pathway preselected from the handover's reason among the region's pathways."""
    choices = services.pathway_choices(handover=handover)
    default = services.pathway_default(handover=handover, choices=choices)
    initial = {"status": handover.status, "pathway": default.pk if default else None}
    return AcceptForm(data, initial=initial, pathways=choices)


def _detail_context(request: HttpRequest, handover: Handover, accept_form: AcceptForm | None = None) -> dict[str, Any]:
    edit = can_edit_handover(actor=request.user, handover=handover)
    accept = can_accept_handover(actor=request.user, handover=handover)
    episode_visible = handover.episode is not None and can_view_episode(actor=request.user, episode=handover.episode)
    if accept and accept_form is None:
        accept_form = _accept_form(handover)
    return {
        "handover": handover,
        "can_edit": edit,
        "can_accept": accept,
        "accept_form": accept_form,
        "next_hint": _next_hint(handover, edit=edit, accept=accept),
        "history": selectors.handover_history(handover=handover),
        "days_waited": services.days_waited(handover=handover),
        "escalation_days": settings.TUKIPOLKU_HANDOVER_ESCALATION_DAYS,
        "episode_visible": episode_visible,
    }


class HandoverDetailView(HandoverView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        handover = selectors.handover_get_for(actor=request.user, handover_id=pk, view="handovers:detail")
        return render(request, "handovers/handover_detail.html", _detail_context(request, handover))


class _EditView(HandoverView):
    """The sending side's edit pages, while the handover is open."""

    view_name = ""
    template = ""
    form_class: Any = None
    service: Any = None
    fields: tuple[str, ...] = ()
    done_message: Any = ""

    def _fetch(self, request: HttpRequest, pk: int) -> Handover:
        handover = selectors.handover_get_for(
            actor=request.user, handover_id=pk, view=self.view_name, side=AccessGround.HANDOVER_SENDER
        )
        if not handover_is_sender(actor=request.user, handover=handover):
            refuse(request, resource="handover", client_id=handover.client_id)
        return handover

    def _form(self, handover: Handover, data: Any = None) -> Any:
        initial = {name: getattr(handover, name) for name in self.fields}
        initial["revision"] = handover.revision
        return self.form_class(data, initial=initial)

    def _closed(self, request: HttpRequest, handover: Handover) -> HttpResponse:
        messages.info(request, _("The receiving team has accepted this handover: it can no longer be changed here."))
        return redirect("handovers:detail", handover.pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        handover = self._fetch(request, pk)
        if not handover.is_open:
            return self._closed(request, handover)
        return render(request, self.template, {"handover": handover, "form": self._form(handover)})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        handover = self._fetch(request, pk)
        form = self._form(handover, request.POST)
        if form.is_valid():
            d = form.cleaned_data
            ok, _saved = attempt(
                form,
                type(self).service,
                actor=request.user,
                handover=handover,
                expected_revision=d["revision"],
                **{name: d[name] for name in self.fields},
            )
            if ok:
                messages.success(request, self.done_message)
                return redirect_htmx_aware(request, reverse("handovers:detail", args=[handover.pk]))
        return render(request, self.template, {"handover": handover, "form": form}, status=400)


class HandoverPrepView(_EditView):
    view_name = "handovers:prepare"
    template = "handovers/handover_prep.html"
    form_class = HandoverPrepForm
    service = services.handover_prepare
    fields = services.PREP_FIELDS

    done_message = gettext_lazy("The preparatory meeting is saved. Next: hold the transfer meeting and record it.")


class HandoverTransferView(_EditView):
    view_name = "handovers:transfer"
    template = "handovers/handover_transfer.html"
    form_class = HandoverTransferForm
    service = services.handover_transfer
    fields = services.TRANSFER_FIELDS

    done_message = gettext_lazy(
        "The transfer meeting is saved. The handover waits for the receiving team to accept it."
    )

    def _form(self, handover: Handover, data: Any = None) -> Any:
        initial = {name: getattr(handover, name) for name in self.fields}
        initial["revision"] = handover.revision
        return HandoverTransferForm(
            data, initial=initial, nurses=services.receiving_nurse_candidates(team_id=handover.team_id)
        )


class HandoverAcceptView(HandoverView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        handover = selectors.handover_get_for(
            actor=request.user, handover_id=pk, view="handovers:accept", side=AccessGround.HANDOVER_RECEIVING_TEAM
        )
        if not handover_is_receiver(actor=request.user, handover=handover):  # the sending side sees, not accepts
            refuse(request, resource="handover", client_id=handover.client_id)
        form = _accept_form(handover, request.POST)
        if not form.is_valid():
            if form.has_error("status"):  # no status the page was loaded with: accept nothing blindly
                messages.error(request, _("This page was out of date or incomplete. Reload the page and try again."))
                return redirect_htmx_aware(request, reverse("handovers:detail", args=[handover.pk]))
            context = _detail_context(request, handover, form)
            return render(request, "handovers/handover_detail.html", context, status=400)
        ok, episode = attempt(
            form,
            services.handover_accept,
            actor=request.user,
            handover=handover,
            expected_status=form.cleaned_data["status"],
            pathway=form.cleaned_data.get("pathway"),
        )
        if isinstance(episode, ConflictError):  # already accepted
            messages.error(request, episode.message)
            return redirect_htmx_aware(request, reverse("handovers:detail", args=[handover.pk]))
        if not ok:  # no pathway to open, or one not of the region: said next to the field
            return render(
                request, "handovers/handover_detail.html", _detail_context(request, handover, form), status=400
            )
        messages.success(
            request,
            _("The handover is accepted and the client relationship is open. The sending side has been told."),
        )
        return redirect_htmx_aware(request, reverse("cases:detail", args=[episode.pk]))
