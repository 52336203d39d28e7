from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.cases.permissions import can_change_episode
from tukipolku.cases.selectors import case_team_candidates, episode_get_for, refuse_other_object
from tukipolku.core.forms import attempt
from tukipolku.core.models import User
from tukipolku.core.views import ProfessionalView, redirect_htmx_aware
from tukipolku.meetings import services
from tukipolku.meetings.forms import DecisionFormSet, MeetingForm
from tukipolku.meetings.models import Meeting
from tukipolku.meetings.selectors import meeting_list_for


def _members(episode: Any) -> Any:
    ids = episode.members.filter(removed_at__isnull=True).values("user_id")
    return User.objects.filter(pk__in=ids).order_by("last_name", "first_name")


def _agenda(episode: Any) -> str:
    """The agenda starts from the current pathway step: what it is for and what it must produce."""
    step = episode.current_step
    if step is None:
        return ""
    return "\n".join(
        x
        for x in [
            f"{step.order}. {step.localized('name')}",
            step.localized("guidance"),
            _("To produce: %(produces)s") % {"produces": step.localized("produces")},
        ]
        if x
    )


class MeetingCreateView(ProfessionalView):
    template = "meetings/meeting_form.html"

    def _forms(self, episode: Any, data: Any = None) -> tuple[MeetingForm, Any]:
        members = _members(episode)
        form = MeetingForm(
            data,
            members=members,
            initial={
                "starts_at": timezone.localtime().replace(second=0, microsecond=0),
                "agenda": _agenda(episode),
                "participants": list(members.values_list("pk", flat=True)),
            },
        )
        decisions = DecisionFormSet(
            data, prefix="decisions", form_kwargs={"owners": case_team_candidates(episode=episode)}
        )
        return form, decisions

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = episode_get_for(actor=request.user, episode_id=pk, view="meetings:create", for_change=True)
        if not can_change_episode(request.user, episode):
            raise Http404
        form, decisions = self._forms(episode)
        return render(
            request, self.template, {"episode": episode, "client": episode.client, "form": form, "decisions": decisions}
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = episode_get_for(actor=request.user, episode_id=pk, view="meetings:create", for_change=True)
        form, decisions = self._forms(episode, request.POST)
        if form.is_valid() & decisions.is_valid():
            d = form.cleaned_data
            ok, _meeting = attempt(
                form,
                services.meeting_record,
                actor=request.user,
                episode=episode,
                kind=d["kind"],
                starts_at=d["starts_at"],
                location=d["location"],
                client_participated=d["client_participated"],
                participants=list(d["participants"]),
                outside_participants=[services.OutsideParticipant(n, o) for n, o in form.outside()],
                agenda=d["agenda"],
                minutes=d["minutes"],
                decisions=[
                    services.DecisionInput(
                        text=f.cleaned_data["text"],
                        owner=f.cleaned_data.get("owner"),
                        due_on=f.cleaned_data.get("due_on"),
                    )
                    for f in decisions.forms
                    if f.cleaned_data.get("text")
                ],
            )
            if ok:
                messages.success(request, _("The meeting is recorded."))
                return redirect_htmx_aware(request, reverse("cases:detail", args=[pk]) + "#meetings")
        return render(
            request,
            self.template,
            {"episode": episode, "client": episode.client, "form": form, "decisions": decisions},
            status=400,
        )


class MeetingDetailView(ProfessionalView):
    partners_may_read = True

    def get(self, request: HttpRequest, pk: int, meeting_id: int) -> HttpResponse:
        episode = episode_get_for(actor=request.user, episode_id=pk, view="meetings:detail")
        meeting = meeting_list_for(episode=episode).filter(pk=meeting_id).first()
        if meeting is None:  # another client's meeting (or none): 404, logged
            owner = Meeting.objects.filter(pk=meeting_id).values_list("episode__client_id", "episode_id").first()
            refuse_other_object(actor=request.user, view="meetings:detail", owner=owner, resource="meeting")
        return render(
            request, "meetings/meeting_detail.html", {"episode": episode, "client": episode.client, "meeting": meeting}
        )
