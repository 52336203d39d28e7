"""Meeting pages: schedule, change, cancel, record as held, record a past meeting, read, download .ics.

Every page fetches the episode through the access gate first (404 when out of reach, logged); a
meeting id of another episode is refused and logged like a missing one. Changing pages are for team
members of an open episode; partner staff who take part may read the meeting page and its .ics.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.access.log import episode_get_for, refuse_other_object
from tukipolku.access.policy import can_change_episode
from tukipolku.cases.models import Episode
from tukipolku.cases.selectors import case_team_candidates
from tukipolku.cases.steps import finish_step, step_to_finish
from tukipolku.core.converters import parse_id
from tukipolku.core.dates import format_date
from tukipolku.core.exceptions import ConflictError
from tukipolku.core.forms import attempt
from tukipolku.core.views import ProfessionalView, redirect_htmx_aware
from tukipolku.meetings import services
from tukipolku.meetings.calendar import HELSINKI
from tukipolku.meetings.choices import InvitationStatus, MeetingKind
from tukipolku.meetings.delivery import download_ics
from tukipolku.meetings.forms import (
    CancelForm,
    DecisionFormSet,
    HeldForm,
    MeetingForm,
    OutsideFormSet,
    ScheduleForm,
)
from tukipolku.meetings.models import Meeting
from tukipolku.meetings.selectors import (
    agenda_from_step,
    invitation_state,
    meeting_detail_for,
    participants_active,
    team_members,
)
from tukipolku.pathways.choices import CompletionCheck


def _episode(request: HttpRequest, pk: int, view: str, *, change: bool = False) -> Episode:
    # A closed episode takes no meetings: 404, and the refusal is logged as one (reason "closed").
    return episode_get_for(actor=request.user, episode_id=pk, view=view, for_change=change, open_only=change)


def _meeting(request: HttpRequest, episode: Episode, meeting_id: int, view: str) -> Meeting:
    meeting = meeting_detail_for(episode=episode, meeting_id=meeting_id)
    if meeting is None:  # another client's meeting (or none): 404, logged
        owner = Meeting.objects.filter(pk=meeting_id).values_list("episode__client_id", "episode_id").first()
        refuse_other_object(actor=request.user, view=view, owner=owner, resource="meeting")
    return meeting


MEETING_CHECKS = (CompletionCheck.MEETING, CompletionCheck.JOINT_MEETING)


def _detail_url(meeting: Meeting) -> str:
    return reverse("meetings:detail", args=[meeting.episode_id, meeting.pk])


# ---------------------------------------------------------------- record a past meeting


class MeetingCreateView(ProfessionalView):
    """Record a meeting held already (the original path, kept for meetings not scheduled here)."""

    template = "meetings/meeting_form.html"

    def _forms(self, episode: Any, data: Any = None) -> tuple[MeetingForm, Any]:
        members = team_members(episode=episode)
        # The step that asks for a joint meeting gets one by default: with the client taking part.
        joint = _step_needs_joint_meeting(episode)
        form = MeetingForm(
            data,
            members=members,
            initial={
                "kind": MeetingKind.JOINT if joint else MeetingKind.TEAM,
                "client_participated": joint,
                "starts_at": timezone.localtime().replace(second=0, microsecond=0),
                "agenda": agenda_from_step(episode=episode),
                "participants": list(members.values_list("pk", flat=True)),
            },
        )
        decisions = DecisionFormSet(
            data, prefix="decisions", form_kwargs={"owners": case_team_candidates(episode=episode)}
        )
        return form, decisions

    def _render(self, request: HttpRequest, episode: Episode, form: Any, decisions: Any, status: int = 200) -> Any:
        context = {
            "episode": episode,
            "client": episode.client,
            "form": form,
            "decisions": decisions,
            "finish": step_to_finish(actor=request.user, episode=episode, checks=MEETING_CHECKS),
        }
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = _episode(request, pk, "meetings:create", change=True)
        form, decisions = self._forms(episode)
        return self._render(request, episode, form, decisions)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = _episode(request, pk, "meetings:create", change=True)
        form, decisions = self._forms(episode, request.POST)
        if form.is_valid() & decisions.is_valid():
            d = form.cleaned_data
            ok, recorded = attempt(
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
                decisions=_decision_inputs(decisions),
            )
            if ok:
                messages.success(request, _("The meeting is recorded."))
                step_id = parse_id(request.POST.get("finish_step"))
                if step_id is not None:
                    output = _("%(kind)s held on %(date)s: see its minutes and decisions.") % {
                        "kind": recorded.get_kind_display(),
                        "date": format_date(recorded.starts_at),
                    }
                    if finish_step(request, episode=episode, step_id=step_id, output=output):
                        return redirect_htmx_aware(request, reverse("cases:detail", args=[pk]))
                return redirect_htmx_aware(request, reverse("cases:detail", args=[pk]) + "#meetings")
        return self._render(request, episode, form, decisions, status=400)


def _step_needs_joint_meeting(episode: Episode) -> bool:
    step = episode.current_step
    return step is not None and step.completion_check == CompletionCheck.JOINT_MEETING


def _decision_inputs(decisions: Any) -> list[services.DecisionInput]:
    return [
        services.DecisionInput(
            text=f.cleaned_data["text"], owner=f.cleaned_data.get("owner"), due_on=f.cleaned_data.get("due_on")
        )
        for f in decisions.forms
        if f.cleaned_data.get("text")
    ]


# ---------------------------------------------------------------- schedule and change


class _ScheduleMixin:
    template = "meetings/meeting_schedule.html"

    def forms(self, episode: Episode, data: Any = None, meeting: Meeting | None = None) -> tuple[ScheduleForm, Any]:
        members = team_members(episode=episode)
        others = (
            case_team_candidates(episode=episode)
            .exclude(pk__in=members.values("pk"))
            .order_by("organisation__name", "last_name", "first_name")
        )
        if meeting is None:
            initial: dict[str, Any] = {
                "agenda": agenda_from_step(episode=episode),
                "team_users": list(members.values_list("pk", flat=True)),
                "kind": MeetingKind.JOINT if _step_needs_joint_meeting(episode) else MeetingKind.TEAM,
            }
            outside_initial: list[dict[str, Any]] = []
        else:
            active = participants_active(meeting=meeting)
            member_ids = set(members.values_list("pk", flat=True))
            users = [p.user_id for p in active if p.user_id is not None]
            client = next((p for p in active if p.is_client), None)
            starts = timezone.localtime(meeting.starts_at, HELSINKI)
            ends = timezone.localtime(meeting.ends_at, HELSINKI) if meeting.ends_at else None
            initial = {
                "sequence": meeting.sequence,
                "kind": meeting.kind,
                "date": starts.date(),
                "starts": starts.time(),
                "ends": ends.time() if ends else None,
                "location": meeting.location,
                "video_link": meeting.video_link,
                "agenda": meeting.agenda,
                "team_users": [u for u in users if u in member_ids],
                "other_users": [u for u in users if u not in member_ids],
                "client_takes_part": client is not None,
                "invite_client": client is not None and client.invited,
            }
            outside_initial = [
                {"id": p.pk, "name": p.name, "organisation": p.organisation, "email": p.email}
                for p in active
                if p.user_id is None and not p.is_client
            ]
        form = ScheduleForm(
            data,
            members=members,
            others=others,
            client_email=episode.client.email,
            details_url=reverse("cases:client_details", args=[episode.pk]),
            initial=initial,
        )
        outside = OutsideFormSet(data, prefix="outside", initial=outside_initial)
        return form, outside

    def meeting_input(self, form: ScheduleForm, outside: Any) -> services.MeetingInput:
        d = form.cleaned_data
        return services.MeetingInput(
            kind=d["kind"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            location=d["location"],
            video_link=d["video_link"],
            agenda=d["agenda"],
            users=[*d["team_users"], *d["other_users"]],
            outside=[
                services.OutsideParticipant(
                    name=f.cleaned_data["name"],
                    organisation=f.cleaned_data.get("organisation", ""),
                    email=f.cleaned_data.get("email", ""),
                    id=f.cleaned_data.get("id"),
                )
                for f in outside.forms
                if f.cleaned_data.get("name") and not f.cleaned_data.get("DELETE")
            ],
            client_takes_part=d["client_takes_part"],
            invite_client=bool(d.get("invite_client")),
        )

    def render_form(
        self, request: HttpRequest, episode: Episode, form: Any, outside: Any, status: int = 200, **extra: Any
    ) -> HttpResponse:
        context = {"episode": episode, "client": episode.client, "form": form, "outside": outside, **extra}
        return render(request, self.template, context, status=status)


class MeetingScheduleView(_ScheduleMixin, ProfessionalView):
    """Schedule a meeting in advance; every participant gets a calendar invitation by e-mail."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = _episode(request, pk, "meetings:schedule", change=True)
        form, outside = self.forms(episode)
        return self.render_form(request, episode, form, outside, step=episode.current_step)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = _episode(request, pk, "meetings:schedule", change=True)
        form, outside = self.forms(episode, request.POST)
        if form.is_valid() & outside.is_valid():
            ok, meeting = attempt(
                form,
                services.meeting_schedule,
                actor=request.user,
                episode=episode,
                data=self.meeting_input(form, outside),
            )
            if ok:
                messages.success(request, _("The meeting is scheduled. The invitations are being sent."))
                return redirect_htmx_aware(request, _detail_url(meeting))
        return self.render_form(request, episode, form, outside, status=400, step=episode.current_step)


class MeetingChangeView(_ScheduleMixin, ProfessionalView):
    """Reschedule: new time, place, agenda or participants; everybody gets the updated invitation."""

    def get(self, request: HttpRequest, pk: int, meeting_id: int) -> HttpResponse:
        episode = _episode(request, pk, "meetings:change", change=True)
        meeting = _meeting(request, episode, meeting_id, "meetings:change")
        if not meeting.is_scheduled:
            messages.info(request, _("Only a scheduled meeting can be changed."))
            return redirect(_detail_url(meeting))
        form, outside = self.forms(episode, meeting=meeting)
        return self.render_form(request, episode, form, outside, meeting=meeting)

    def post(self, request: HttpRequest, pk: int, meeting_id: int) -> HttpResponse:
        episode = _episode(request, pk, "meetings:change", change=True)
        meeting = _meeting(request, episode, meeting_id, "meetings:change")
        form, outside = self.forms(episode, request.POST, meeting=meeting)
        conflict = False
        if form.is_valid() & outside.is_valid():
            sequence = form.cleaned_data.get("sequence")
            ok, changed = attempt(
                form,
                services.meeting_change,
                actor=request.user,
                meeting=meeting,
                expected_sequence=sequence if sequence is not None else -1,
                data=self.meeting_input(form, outside),
            )
            conflict = isinstance(changed, ConflictError)
            if ok:
                messages.success(request, _("The meeting is changed. Everyone invited gets the updated invitation."))
                return redirect_htmx_aware(request, _detail_url(changed))
        if conflict:
            # Show what is saved now; the next save is a conscious decision over the current version.
            meeting = _meeting(request, episode, meeting_id, "meetings:change")
            _show_current_sequence(request, form, meeting)
        return self.render_form(request, episode, form, outside, status=400, meeting=meeting, conflict=conflict)


def _show_current_sequence(request: HttpRequest, form: Any, meeting: Meeting) -> None:
    """After a conflict the form carries the current version: saving again is a conscious choice."""
    data = request.POST.copy()
    data["sequence"] = str(meeting.sequence)
    form.data = data


class MeetingCancelView(ProfessionalView):
    """Cancel a scheduled meeting (POST from the meeting page): everybody invited gets a cancellation."""

    def post(self, request: HttpRequest, pk: int, meeting_id: int) -> HttpResponse:
        episode = _episode(request, pk, "meetings:cancel", change=True)
        meeting = _meeting(request, episode, meeting_id, "meetings:cancel")
        form = CancelForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The meeting page was out of date. Check the meeting and try again."))
            return redirect(_detail_url(meeting))
        ok, _cancelled = attempt(
            form,
            services.meeting_cancel,
            actor=request.user,
            meeting=meeting,
            expected_sequence=form.cleaned_data["sequence"],
        )
        if ok:
            messages.success(request, _("The meeting is cancelled. Everyone invited gets a cancellation."))
        else:
            for error in form.non_field_errors():
                messages.error(request, str(error))
        return redirect_htmx_aware(request, _detail_url(meeting))


class MeetingHeldView(ProfessionalView):
    """Record a scheduled meeting as held: minutes, the client's part, decisions that become actions."""

    template = "meetings/meeting_held.html"

    def _forms(self, episode: Episode, meeting: Meeting, data: Any = None) -> tuple[HeldForm, Any]:
        client_expected = any(p.is_client for p in participants_active(meeting=meeting))
        form = HeldForm(data, initial={"sequence": meeting.sequence, "client_participated": client_expected})
        decisions = DecisionFormSet(data, prefix="decisions", form_kwargs={"owners": team_members(episode=episode)})
        return form, decisions

    def _render(
        self, request: HttpRequest, episode: Episode, meeting: Meeting, form: Any, decisions: Any, status: int = 200
    ) -> HttpResponse:
        context = {
            "episode": episode,
            "client": episode.client,
            "meeting": meeting,
            "form": form,
            "decisions": decisions,
        }
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest, pk: int, meeting_id: int) -> HttpResponse:
        episode = _episode(request, pk, "meetings:held", change=True)
        meeting = _meeting(request, episode, meeting_id, "meetings:held")
        if not meeting.is_scheduled:
            messages.info(request, _("Only a scheduled meeting can be recorded as held."))
            return redirect(_detail_url(meeting))
        if services.meeting_time_is_ahead(starts_at=meeting.starts_at):
            messages.info(request, _("The meeting is still ahead: it can be recorded as held once it has begun."))
            return redirect(_detail_url(meeting))
        form, decisions = self._forms(episode, meeting)
        return self._render(request, episode, meeting, form, decisions)

    def post(self, request: HttpRequest, pk: int, meeting_id: int) -> HttpResponse:
        episode = _episode(request, pk, "meetings:held", change=True)
        meeting = _meeting(request, episode, meeting_id, "meetings:held")
        form, decisions = self._forms(episode, meeting, request.POST)
        if form.is_valid() & decisions.is_valid():
            d = form.cleaned_data
            ok, held = attempt(
                form,
                services.meeting_record_held,
                actor=request.user,
                meeting=meeting,
                expected_sequence=d["sequence"],
                client_participated=d["client_participated"],
                minutes=d["minutes"],
                decisions=_decision_inputs(decisions),
            )
            if ok:
                messages.success(request, _("The meeting is recorded as held."))
                return redirect_htmx_aware(request, _detail_url(held))
            if isinstance(held, ConflictError):
                meeting = _meeting(request, episode, meeting_id, "meetings:held")
                _show_current_sequence(request, form, meeting)
        return self._render(request, episode, meeting, form, decisions, status=400)


# ---------------------------------------------------------------- reading


class MeetingDetailView(ProfessionalView):
    partners_may_read = True

    def get(self, request: HttpRequest, pk: int, meeting_id: int) -> HttpResponse:
        episode = episode_get_for(actor=request.user, episode_id=pk, view="meetings:detail")
        meeting = _meeting(request, episode, meeting_id, "meetings:detail")
        can_change = can_change_episode(actor=request.user, episode=episode)
        participants = list(meeting.participants.all())
        state = invitation_state(meeting=meeting) if can_change else {}
        rows = [{"participant": p, "invitation": state.get(p.pk)} for p in participants if p.removed_at is None]
        context = {
            "episode": episode,
            "client": episode.client,
            "meeting": meeting,
            "rows": rows,
            "removed": [p for p in participants if p.removed_at is not None] if can_change else [],
            "can_change": can_change and meeting.is_scheduled,
            "show_invitations": bool(state),
            "cancel_form": CancelForm(initial={"sequence": meeting.sequence}),
            "starts": timezone.localtime(meeting.starts_at, HELSINKI),
            "ends": timezone.localtime(meeting.ends_at, HELSINKI) if meeting.ends_at else None,
            "may_record": meeting.is_scheduled and not services.meeting_time_is_ahead(starts_at=meeting.starts_at),
            "InvitationStatus": InvitationStatus,
        }
        return render(request, "meetings/meeting_detail.html", context)


class MeetingIcsView(ProfessionalView):
    """The calendar file of the meeting's current version: no client name, no case content."""

    partners_may_read = True

    def get(self, request: HttpRequest, pk: int, meeting_id: int) -> HttpResponse:
        episode = episode_get_for(actor=request.user, episode_id=pk, view="meetings:ics")
        meeting = _meeting(request, episode, meeting_id, "meetings:ics")
        body = download_ics(meeting, list(meeting.participants.all()))
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="tukipolku-meeting-{meeting.pk}.ics"'
        response["Cache-Control"] = "no-store"
        return response
