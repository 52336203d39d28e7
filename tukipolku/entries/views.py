from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from tukipolku.access.log import episode_get_for
from tukipolku.access.policy import writable_registers
from tukipolku.cases.case_page import case_page_context
from tukipolku.core.forms import attempt
from tukipolku.core.views import ProfessionalView, redirect_htmx_aware
from tukipolku.entries import services
from tukipolku.entries.forms import EntryForm


class EntryCreateView(ProfessionalView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = episode_get_for(actor=request.user, episode_id=pk, view="entries:create", for_change=True)
        form = EntryForm(request.POST, registers=writable_registers(actor=request.user, episode=episode))
        if form.is_valid():
            d = form.cleaned_data
            ok, _entry = attempt(
                form,
                services.entry_write,
                actor=request.user,
                episode=episode,
                register=d["register"],
                text=d["text"],
                ehr_reference=d["ehr_reference"],
            )
            if ok:
                messages.success(request, _("The entry is saved."))
                return redirect_htmx_aware(request, reverse("cases:detail", args=[pk]) + "#entries")
        context = case_page_context(request, episode)
        for section in context["sections"]:
            if section["name"] == "entries":
                section["context"]["entry_form"] = form
        return render(request, "cases/episode_detail.html", context, status=400)
