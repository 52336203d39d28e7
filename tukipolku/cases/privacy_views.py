"""Consents and prohibitions of a client, sharing on a legal basis, emergency access and the list of
clients shared with partner staff. The rules themselves live in the gate (permissions.py)."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tukipolku.access import log as access_log
from tukipolku.access.actors import Actor
from tukipolku.access.policy import can_change_episode
from tukipolku.audit.services import access_denied
from tukipolku.cases import selectors
from tukipolku.cases.models import Episode
from tukipolku.cases.privacy_forms import ConsentForm, EmergencyAccessForm, LegalBasisForm, WithdrawForm
from tukipolku.cases.views import EpisodeViewMixin, _looked_up
from tukipolku.core.forms import attempt
from tukipolku.core.permissions import can_share_on_legal_basis, is_partner
from tukipolku.core.views import ProfessionalView, redirect_htmx_aware
from tukipolku.privacy import services
from tukipolku.privacy.models import Consent, LegalBasisGrant
from tukipolku.privacy.selectors import consent_list_for_client, grant_list_for_client


def _refuse(request: HttpRequest, episode: Episode | None, view: str) -> NoReturn:
    """The reader may not make this change (of this episode, or at all): log the refusal, then 403."""
    access_denied(
        actor=request.user,
        view=view,
        client_id=episode.client_id if episode is not None else None,
        episode_id=episode.pk if episode is not None else None,
        reason="not_permitted",
        resource="case",
    )
    raise PermissionDenied


def _grant_candidates(episode: Episode, actor: Actor) -> Any:
    """Who can be given data on a legal basis: members of the client's team (partners included)."""
    members = episode.members.filter(removed_at__isnull=True).values("user_id")
    return selectors.case_team_candidates(episode=episode).filter(pk__in=members)


class ConsentsView(EpisodeViewMixin, ProfessionalView):
    """The client's consents and prohibitions; record a new one; share on a legal basis."""

    view_name = "cases:consents"

    def _context(self, request: HttpRequest, episode: Episode, **forms: Any) -> dict[str, Any]:
        consents = list(consent_list_for_client(client_id=episode.client_id))
        context = {
            "episode": episode,
            "client": episode.client,
            "in_force": [c for c in consents if c.is_in_force()],
            "not_in_force": [c for c in consents if not c.is_in_force()],
            "grants": list(grant_list_for_client(client_id=episode.client_id)),
            "can_change": can_change_episode(actor=request.user, episode=episode),
            "can_grant": can_share_on_legal_basis(request.user)
            and can_change_episode(actor=request.user, episode=episode),
            "consent_form": ConsentForm(prefix="consent"),
            "withdraw_form": WithdrawForm(prefix="withdraw"),
            "grant_form": LegalBasisForm(candidates=_grant_candidates(episode, request.user), prefix="grant"),
            "open_panel": "",
        }
        context.update(forms)
        return context

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = self.episode(request, pk)
        return render(request, "cases/consents.html", self._context(request, episode))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = self.episode(request, pk)
        if not can_change_episode(actor=request.user, episode=episode):
            _refuse(request, episode, self.view_name)
        form = ConsentForm(request.POST, prefix="consent")
        if form.is_valid():
            d = form.cleaned_data
            ok, consent = attempt(
                form,
                services.consent_record,
                actor=request.user,
                client=episode.client,
                episode_id=episode.pk,
                kind=d["kind"],
                recipient_organisation=d["recipient_organisation"],
                recipient_kind=d["recipient_kind"],
                categories=d["categories"],
                purpose=d["purpose"],
                purpose_details=d["purpose_details"],
                valid_from=d["valid_from"],
                valid_until=d["valid_until"],
                given_how=d["given_how"],
                given_note=d["given_note"],
            )
            if ok:
                messages.success(
                    request,
                    _("The prohibition is recorded.") if consent.is_prohibition else _("The consent is recorded."),
                )
                return redirect_htmx_aware(request, reverse("cases:consents", args=[pk]))
        context = self._context(request, episode, consent_form=form, open_panel="consent")
        return render(request, "cases/consents.html", context, status=400)


class ConsentWithdrawView(EpisodeViewMixin, ProfessionalView):
    view_name = "cases:consent_withdraw"

    def post(self, request: HttpRequest, pk: int, consent_id: int) -> HttpResponse:
        episode = self.episode(request, pk)
        if not can_change_episode(actor=request.user, episode=episode):
            _refuse(request, episode, self.view_name)
        # Scoped by the client of an episode the actor may change: another client's consent is 404.
        consent = Consent.objects.filter(pk=consent_id, client_id=episode.client_id).first()
        if consent is None:
            owner = Consent.objects.filter(pk=consent_id).values_list("client_id", flat=True).first()
            access_log.refuse_other_object(
                actor=request.user, view=self.view_name, owner=(owner, None) if owner else None, resource="consent"
            )
        form = WithdrawForm(request.POST, prefix="withdraw")
        if form.is_valid():
            ok, _c = attempt(
                form,
                services.consent_withdraw,
                actor=request.user,
                consent=consent,
                episode_id=episode.pk,
                note=form.cleaned_data["note"],
            )
            if ok:
                messages.success(request, _("Withdrawn. It no longer applies from now on."))
                return redirect_htmx_aware(request, reverse("cases:consents", args=[pk]))
        # Told next to this consent's note field, with the note kept (a too-long note is never cut).
        errors = [str(e) for e in form.non_field_errors()] + [str(e) for e in form.errors.get("note", [])]
        if not Consent.objects.get(pk=consent.pk).is_in_force():  # withdrawn meanwhile: no form to show it by
            messages.error(request, " ".join(errors) or _("Check the form."))
            return redirect("cases:consents", pk=pk)
        context = ConsentsView()._context(
            request,
            episode,
            withdraw_failed=consent.pk,
            withdraw_errors=errors or [_("Check the form.")],
            withdraw_note=request.POST.get("withdraw-note", ""),
        )
        return render(request, "cases/consents.html", context, status=400)


class LegalBasisGrantView(EpisodeViewMixin, ProfessionalView):
    view_name = "cases:legal_basis"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can_share_on_legal_basis(request.user):  # before the episode is read
            _refuse(request, None, self.view_name)
        episode = self.episode(request, pk)
        if not can_change_episode(actor=request.user, episode=episode):
            _refuse(request, episode, self.view_name)
        form = LegalBasisForm(request.POST, candidates=_grant_candidates(episode, request.user), prefix="grant")
        if form.is_valid():
            d = form.cleaned_data
            ok, _g = attempt(
                form,
                services.legal_basis_grant,
                actor=request.user,
                client=episode.client,
                episode_id=episode.pk,
                grantee=d["grantee"],
                categories=d["categories"],
                legal_basis=d["legal_basis"],
                reason=d["reason"],
                valid_until=d["valid_until"],
            )
            if ok:
                messages.success(request, _("Recorded. The data protection officer will review it."))
                return redirect_htmx_aware(request, reverse("cases:consents", args=[pk]))
        context = ConsentsView()._context(request, episode, grant_form=form, open_panel="grant")
        return render(request, "cases/consents.html", context, status=400)


class LegalBasisEndView(EpisodeViewMixin, ProfessionalView):
    view_name = "cases:legal_basis_end"

    def post(self, request: HttpRequest, pk: int, grant_id: int) -> HttpResponse:
        episode = self.episode(request, pk)
        if not can_change_episode(actor=request.user, episode=episode):
            _refuse(request, episode, self.view_name)
        grant = LegalBasisGrant.objects.filter(pk=grant_id, client_id=episode.client_id).first()
        if grant is None:
            owner = LegalBasisGrant.objects.filter(pk=grant_id).values_list("client_id", "episode_id").first()
            access_log.refuse_other_object(actor=request.user, view=self.view_name, owner=owner, resource="grant")
        ok, _ended = attempt(request, services.legal_basis_end, actor=request.user, grant=grant)
        if ok:
            messages.success(request, _("Sharing on a legal basis ended."))
        return redirect_htmx_aware(request, reverse("cases:consents", args=[pk]))


class EmergencyAccessView(ProfessionalView):
    """Break the glass: open a client found by identity code, outside one's teams, with a reason."""

    def _client(self, request: HttpRequest, client_id: int) -> Any:
        return selectors.client_get_for_emergency(
            actor=request.user, client_id=client_id, looked_up_ids=_looked_up(request)
        )

    def get(self, request: HttpRequest, client_id: int) -> HttpResponse:
        client = self._client(request, client_id)
        return render(request, "cases/emergency_access.html", self._context(client, EmergencyAccessForm()))

    def _context(self, client: Any, form: EmergencyAccessForm) -> dict[str, Any]:
        return {"client": client, "form": form, "minutes": settings.TUKIPOLKU_EMERGENCY_ACCESS_MINUTES}

    def post(self, request: HttpRequest, client_id: int) -> HttpResponse:
        client = self._client(request, client_id)
        form = EmergencyAccessForm(request.POST)
        if form.is_valid():
            ok, _access = attempt(
                form,
                services.emergency_access_open,
                actor=request.user,
                client=client,
                reason=form.cleaned_data["reason"],
            )
            if ok:
                episode = selectors.emergency_episode_for(actor=request.user, client=client)
                if episode is None:
                    messages.info(
                        request, _("The client has no client relationship in your organisation. Nothing more to show.")
                    )
                    return redirect("cases:intake")
                return redirect("cases:detail", pk=episode.pk)
        return render(request, "cases/emergency_access.html", self._context(client, form), status=400)


class PartnerHomeView(ProfessionalView):
    """Partner staff's front page: the clients whose consents let their organisation see something."""

    partners_may_read = True

    def get(self, request: HttpRequest) -> HttpResponse:
        if not is_partner(request.user):
            return redirect("cases:caseload")
        rows = selectors.partner_episodes_for(actor=request.user)
        return render(request, "cases/partner_home.html", {"rows": rows})
