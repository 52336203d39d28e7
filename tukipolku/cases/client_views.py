"""The client's details: names, contact details, language of service and address protection (turvakielto),
edited through the gate from a client relationship, with the history of changes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from tukipolku.access import log as access_log
from tukipolku.access.policy import can_see_protected_address
from tukipolku.cases.models import Episode
from tukipolku.clients.choices import ClientLanguage
from tukipolku.clients.constants import ADDRESS_FIELDS, EDITABLE_FIELDS
from tukipolku.clients.forms import ClientDetailsForm
from tukipolku.clients.models import ClientChange, client_field_label
from tukipolku.clients.services import StaleClientError, client_details_update
from tukipolku.core.forms import add_service_error, attempt
from tukipolku.core.views import ProfessionalView, redirect_htmx_aware


def _shown(name: str, value: Any) -> str:
    if name == "language":
        return str(ClientLanguage(value).label) if value in ClientLanguage.values else str(value)
    if name == "address_protected":
        return _("on") if value else _("off")
    return str(value) if value not in ("", None) else "–"


def change_history(changes: list[ClientChange], *, may_see_address: bool) -> list[dict[str, Any]]:
    """Rows of the history: who, when, which fields, and the earlier values the reader may see."""
    rows = []
    for change in changes:
        fields = []
        for name in change.fields:
            label = client_field_label(name)
            hidden = name in ADDRESS_FIELDS and not may_see_address
            old = None if hidden else _shown(name, change.old_values.get(name, ""))
            fields.append({"label": label, "old": old})
        rows.append({"change": change, "fields": fields})
    return rows


class ClientDetailsView(ProfessionalView):
    """Read and change the client's details. Those who may change the relationship use it (emergency
    access and partner staff 403); a protected address only for its contact person and own worker."""

    view_name = "cases:client_details"
    template = "cases/client_details.html"

    def _episode(self, request: HttpRequest, pk: int) -> Episode:
        # The form is a change page even when only opened: readers who may not change are refused (403).
        return access_log.episode_get_for(actor=request.user, episode_id=pk, view=self.view_name, for_change=True)

    def _context(self, request: HttpRequest, episode: Episode, form: ClientDetailsForm) -> dict[str, Any]:
        client = episode.client
        may_see_address = can_see_protected_address(actor=request.user, episode=episode)
        changes = list(ClientChange.objects.filter(client=client).select_related("changed_by")[:50])
        return {
            "episode": episode,
            "client": client,
            "form": form,
            "may_see_address": may_see_address,
            "history": change_history(changes, may_see_address=may_see_address),
        }

    def _form(self, episode: Episode, request: HttpRequest, data: Any = None) -> ClientDetailsForm:
        client = episode.client
        show_address = can_see_protected_address(actor=request.user, episode=episode)
        initial = {name: getattr(client, name) for name in EDITABLE_FIELDS}
        initial["revision"] = client.revision
        return ClientDetailsForm(data, initial=initial, show_address=show_address)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = self._episode(request, pk)
        return render(request, self.template, self._context(request, episode, self._form(episode, request)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = self._episode(request, pk)
        form = self._form(episode, request, request.POST)
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "revision"}
            ok, changed = attempt(
                form,
                client_details_update,
                actor=request.user,
                client=episode.client,
                expected_revision=form.cleaned_data["revision"],
                values=values,
                may_see_address=can_see_protected_address(actor=request.user, episode=episode),
                episode_id=episode.pk,
            )
            if ok:
                messages.success(
                    request, _("The client's details are saved.") if changed else _("Nothing was changed.")
                )
                return redirect_htmx_aware(request, reverse("cases:detail", args=[episode.pk]))
            if isinstance(changed, StaleClientError):
                # Keep what was typed, show what the other person saved; a second save is deliberate.
                episode.client.refresh_from_db()
                data = request.POST.copy()
                data["revision"] = str(episode.client.revision)
                form = self._form(episode, request, data)
                form.is_valid()
                add_service_error(form, changed)
                context = self._context(request, episode, form)
                context["saved_now"] = self._saved_now(request, episode, values)
                return render(request, self.template, context, status=409)
        return render(request, self.template, self._context(request, episode, form), status=400)

    def _saved_now(self, request: HttpRequest, episode: Episode, typed: dict[str, Any]) -> list[dict[str, str]]:
        """The saved values that differ from what this user typed (those the reader may see)."""
        client = episode.client
        may_see_address = can_see_protected_address(actor=request.user, episode=episode)
        rows = []
        for name, value in typed.items():
            if name in ADDRESS_FIELDS and not may_see_address:
                continue
            saved = getattr(client, name)
            if (value.strip() if isinstance(value, str) else value) != saved:
                rows.append({"label": client_field_label(name), "value": _shown(name, saved)})
        return rows
