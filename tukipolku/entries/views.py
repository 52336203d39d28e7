from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from tukipolku.cases.case_page import case_page_context
from tukipolku.cases.selectors import episode_get_for
from tukipolku.core.exceptions import ApplicationError
from tukipolku.core.forms import add_service_error
from tukipolku.core.views import ProfessionalView, redirect_htmx_aware
from tukipolku.entries import services
from tukipolku.entries.forms import EntryForm


class EntryCreateView(ProfessionalView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = episode_get_for(actor=request.user, episode_id=pk, view="entries:create")
        form = EntryForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                with transaction.atomic():
                    services.entry_write(
                        actor=request.user,
                        episode=episode,
                        register=d["register"],
                        text=d["text"],
                        ehr_reference=d["ehr_reference"],
                    )
            except ApplicationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The entry is saved."))
                return redirect_htmx_aware(request, reverse("cases:detail", args=[pk]) + "#entries")
        context = case_page_context(request, episode)
        for section in context["sections"]:
            if section["name"] == "entries":
                section["context"]["entry_form"] = form
        return render(request, "cases/episode_detail.html", context, status=400)
