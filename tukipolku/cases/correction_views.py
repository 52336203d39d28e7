"""Correcting an episode's pathway or starting step afterwards (a handover accepted on the wrong pathway, a
step the sending side had already done): a page of its own, linked from the case page while a correction is
still possible (`services.pathway_correction_open`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from tukipolku.access.log import episode_get_for
from tukipolku.cases import services
from tukipolku.cases.forms import PathwayCorrectForm
from tukipolku.cases.models import Episode
from tukipolku.core.forms import attempt
from tukipolku.core.views import ProfessionalView, redirect_htmx_aware
from tukipolku.pathways.models import PathwayStep
from tukipolku.pathways.selectors import pathway_steps


class EpisodePathwayCorrectView(ProfessionalView):
    """The team (those who may change the episode) corrects the pathway or the step; others get 404 (403 for
    read-only access), logged by the gate. A closed episode is 404."""

    template = "cases/pathway_correct.html"

    def _episode(self, request: HttpRequest, pk: int) -> Episode:
        return episode_get_for(actor=request.user, episode_id=pk, view="cases:correct", for_change=True, open_only=True)

    def _render(self, request: HttpRequest, episode: Episode, form: Any = None, status: int = 200) -> HttpResponse:
        allowed = services.pathway_correction_open(episode=episode)
        targets = [(v, pathway_steps(version=v)) for v in services.pathway_correction_targets(episode=episode)]
        if form is None:
            initial = {"step_id": episode.current_step_id, "version_id": episode.pathway_version_id}
            form = PathwayCorrectForm(initial={**initial, "step": episode.current_step_id}, targets=targets)
        context = {"episode": episode, "client": episode.client, "form": form, "allowed": allowed}
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self._episode(request, pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = self._episode(request, pk)
        targets = [(v, pathway_steps(version=v)) for v in services.pathway_correction_targets(episode=episode)]
        form = PathwayCorrectForm(request.POST, targets=targets)
        if form.is_valid():
            d = form.cleaned_data
            step = PathwayStep.objects.select_related("version").filter(pk=d["step"]).first()
            assert step is not None  # a choice of the form
            ok, corrected = attempt(
                form,
                services.episode_pathway_correct,
                actor=request.user,
                episode=episode,
                pathway_version=step.version,
                step=step,
                reason=d["reason"],
                expected_step_id=d["step_id"],
                expected_version_id=d["version_id"],
            )
            if ok:
                messages.success(
                    request,
                    _("Corrected. Now: %(pathway)s, step %(step)s.")
                    % {"pathway": corrected.pathway_version.pathway, "step": corrected.current_step},
                )
                return redirect_htmx_aware(request, reverse("cases:detail", args=[episode.pk]))
        return self._render(request, episode, form, status=400)
