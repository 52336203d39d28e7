"""HTML interface of the client process: caseload, board, intake, case page, team, steps, closing."""

from __future__ import annotations

import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tukipolku.access import log as access_log
from tukipolku.access.policy import can_change_episode, can_record_follow_up
from tukipolku.cases import selectors, services
from tukipolku.cases.case_page import case_page_context
from tukipolku.cases.choices import AssignmentKind, FollowUpStatus
from tukipolku.cases.forms import (
    AssignmentForm,
    BoardFilterForm,
    CaseloadSearchForm,
    ClientSearchForm,
    CloseForm,
    EpisodeFieldsForm,
    FollowUpCancelForm,
    FollowUpRecordForm,
    MemberAddForm,
    NewClientForm,
    ReopenForm,
    StepCompleteForm,
    StepReturnForm,
    StepSkipForm,
)
from tukipolku.cases.models import Episode
from tukipolku.cases.steps import forget_draft, keep_draft, step_label
from tukipolku.clients import identity
from tukipolku.clients.services import DuplicateClientError, client_create
from tukipolku.core.converters import parse_id
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.core.forms import add_service_error, attempt
from tukipolku.core.models import User
from tukipolku.core.permissions import SOCIAL_PROFESSIONS
from tukipolku.core.views import ProfessionalView, redirect_htmx_aware
from tukipolku.pathways.models import PathwayStep
from tukipolku.pathways.selectors import pathway_list_for, pathway_usual_for
from tukipolku.privacy.choices import DataCategory

LOOKUP_SESSION_KEY = "identity_lookups"


def _looked_up(request: HttpRequest) -> set[int]:
    return set(request.session.get(LOOKUP_SESSION_KEY, []))


def _remember_lookup(request: HttpRequest, client_id: int) -> None:
    ids = _looked_up(request) | {client_id}
    request.session[LOOKUP_SESSION_KEY] = sorted(ids)[-50:]


# ------------------------------------------------------------------ lists


class CaseloadView(ProfessionalView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_caseload(request, CaseloadSearchForm())

    def render_caseload(
        self,
        request: HttpRequest,
        search: CaseloadSearchForm,
        found: list[Episode] | None = None,
        lookup_code: str = "",
    ) -> HttpResponse:
        only_contact = request.GET.get("show") == "contact"
        page, rows = selectors.caseload_for(
            actor=request.user, page_number=request.GET.get("page"), only_contact=only_contact
        )
        follow_ups = selectors.follow_ups_due_for(actor=request.user)
        return render(
            request,
            "cases/caseload.html",
            {
                "page": page,
                "rows": rows,
                "only_contact": only_contact,
                "follow_ups": follow_ups,
                "search": search,
                "found": found,
                "lookup_code": lookup_code,
            },
        )


class CaseloadSearchView(CaseloadView):
    """Find one's own and team's clients by name or identity-code end, as one types.

    POST only, so what was typed (possibly part of an identity code) never enters a URL or the
    server's request log. htmx gets the result list; without JavaScript the caseload page shows it.
    """

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        htmx = getattr(request, "htmx", None)
        search = CaseloadSearchForm(request.POST, typing=htmx is not None and bool(htmx) and htmx.trigger == "id_q")
        found = None  # a malformed identity code is told next to the field, never searched as a name
        lookup_code = ""
        if search.is_valid() and not search.incomplete_code:
            query = search.cleaned_data["q"]
            found = selectors.caseload_search_for(actor=request.user, query=query)
            # A full identity code none of these clients has: offer the lookup among all clients (New
            # client relationship's search, which offers a new client's form when nobody has the code).
            if not found and identity.is_valid(query):
                lookup_code = identity.normalize(query)
        if htmx:
            context = {"search": search, "found": found, "lookup_code": lookup_code}
            return render(request, "cases/_caseload_search.html", context)
        return self.render_caseload(request, search, found, lookup_code)


class BoardView(ProfessionalView):
    def get(self, request: HttpRequest) -> HttpResponse:
        teams = selectors.board_teams_for(actor=request.user)
        pathways = pathway_list_for(actor=request.user)
        team = teams.filter(pk=parse_id(request.GET.get("team")) or 0).first() or teams.first()
        contacts = (
            User.objects.filter(memberships__team=team).distinct().order_by("last_name")
            if team
            else User.objects.none()
        )
        form = BoardFilterForm(request.GET or None, teams=teams, pathways=pathways, contacts=contacts)
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        pathway = data.get("pathway") or selectors.board_default_pathway(team=team) or pathways.first()
        if not form.is_bound:  # the selects show what the board shows
            form.initial.update(team=team.pk if team else None, pathway=pathway.pk if pathway else None)
        columns: list[selectors.BoardColumn] = []
        if team is not None:
            filters = selectors.BoardFilters(
                team=team,
                pathway=pathway,
                contact_person_id=data["contact"].pk if data.get("contact") else None,
                situation=data.get("situation") or None,
                overdue_only=bool(data.get("overdue")),
                name=data.get("name") or "",
            )
            columns = selectors.board_for(
                actor=request.user, filters=filters, per_column=settings.TUKIPOLKU_BOARD_CARDS_PER_STEP
            )
        return render(
            request,
            "cases/board.html",
            {
                "form": form,
                "columns": columns,
                "team": team,
                "pathway": pathway,
                "total": sum(c.total for c in columns),
            },
        )


# ------------------------------------------------------------------ intake


def _episode_form(request: HttpRequest, data: Any = None) -> EpisodeFieldsForm:
    teams = selectors.board_teams_for(actor=request.user)
    pathways = pathway_list_for(actor=request.user)
    initial = {}
    if data is None:
        # The operating model of the team offered first: the one the administrator set for the team,
        # else the one most of its open relationships follow (as the board opens on it).
        team = teams.first()
        usual = pathway_usual_for(pathways=pathways, team_id=team.pk if team is not None else None)
        usual = usual or selectors.board_default_pathway(team=team)
        if usual is not None and pathways.filter(pk=usual.pk).exists():
            initial["pathway"] = usual.pk
    return EpisodeFieldsForm(data, teams=teams, pathways=pathways, prefix="ep", initial=initial)


def _open_episode(*, request: HttpRequest, client: Any, form: EpisodeFieldsForm) -> Episode:
    # The service's keywords; the consent to share with partners travels as one value.
    fields = {k: v for k, v in form.cleaned_data.items() if k != "consent_given" and not k.startswith("share_")}
    return services.episode_open(actor=request.user, client=client, intake_consent=form.intake_consent(), **fields)


def _opened(request: HttpRequest, episode: Episode) -> HttpResponse:
    messages.success(
        request, _("The client relationship is open. Next: assemble the client's team and name the contact person.")
    )
    return redirect_htmx_aware(request, reverse("cases:detail", args=[episode.pk]))


class IntakeView(ProfessionalView):
    """Find a client by identity code or name; open a relationship for them or for a new client.

    Searching is a POST so that an identity code never appears in a URL or an access log line.
    """

    template = "cases/intake.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, {"search_form": ClientSearchForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        search_form = ClientSearchForm(request.POST)
        context: dict[str, Any] = {"search_form": search_form, "searched": False}
        if search_form.is_valid():
            hits, code = selectors.client_find_for(actor=request.user, query=search_form.cleaned_data["q"])
            for hit in hits:
                if not hit.visible:
                    _remember_lookup(request, hit.client.pk)
            context.update(searched=True, hits=hits, by_code=code is not None)
            if not hits:
                context["client_form"] = NewClientForm(initial={"identity_code": code or ""}, prefix="cl")
                context["episode_form"] = _episode_form(request)
        return render(request, self.template, context)


class IntakeNewClientView(ProfessionalView):
    """Create a new client and open their first relationship, on one screen."""

    template = "cases/intake.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            self.template,
            {
                "search_form": ClientSearchForm(),
                "client_form": NewClientForm(prefix="cl"),
                "episode_form": _episode_form(request),
                "searched": True,
                "hits": [],
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        client_form = NewClientForm(request.POST, prefix="cl")
        episode_form = _episode_form(request, request.POST)
        if client_form.is_valid() and episode_form.is_valid():
            try:
                with transaction.atomic():
                    client = client_create(actor=request.user, **client_form.cleaned_data)
                    episode = _open_episode(request=request, client=client, form=episode_form)
            except DuplicateClientError as exc:
                selectors.client_log_duplicate_for(actor=request.user, client=exc.existing)
                _remember_lookup(request, exc.existing.pk)
                client_form.add_error(
                    "identity_code",
                    format_html(
                        '{} <a href="{}">{}</a>',
                        exc.message,
                        reverse("cases:episode_open", args=[exc.existing.pk]),
                        _("Open a relationship for %(name)s instead") % {"name": exc.existing.full_name},
                    ),
                )
            except ApplicationError as exc:
                add_service_error(episode_form, exc)
            else:
                return _opened(request, episode)
        return render(
            request,
            self.template,
            {
                "search_form": ClientSearchForm(),
                "client_form": client_form,
                "episode_form": episode_form,
                "searched": True,
                "hits": [],
            },
            status=400,
        )


class EpisodeOpenView(ProfessionalView):
    """Open a new relationship for an existing client."""

    def _client(self, request: HttpRequest, client_id: int) -> Any:
        return selectors.client_get_for_opening(
            actor=request.user, client_id=client_id, looked_up_ids=_looked_up(request)
        )

    def get(self, request: HttpRequest, client_id: int) -> HttpResponse:
        client = self._client(request, client_id)
        return render(request, "cases/episode_open.html", {"client": client, "episode_form": _episode_form(request)})

    def post(self, request: HttpRequest, client_id: int) -> HttpResponse:
        client = self._client(request, client_id)
        form = _episode_form(request, request.POST)
        if form.is_valid():
            ok, episode = attempt(form, _open_episode, request=request, client=client, form=form)
            if ok:
                return _opened(request, episode)
        return render(request, "cases/episode_open.html", {"client": client, "episode_form": form}, status=400)


# ------------------------------------------------------------------ the case page


class EpisodeViewMixin:
    view_name = "cases:detail"
    require: str | None = DataCategory.SHARED_PLAN

    def episode(self, request: HttpRequest, pk: int) -> Episode:
        return access_log.episode_get_for(
            actor=request.user,
            episode_id=pk,
            view=self.view_name,
            require=self.require,
            for_change=request.method == "POST",
        )


class EpisodeDetailView(EpisodeViewMixin, ProfessionalView):
    partners_may_read = True
    require = None  # the case page shows each section the reader may read

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = self.episode(request, pk)
        return render(request, "cases/episode_detail.html", case_page_context(request, episode))


class EpisodeStepView(EpisodeViewMixin, ProfessionalView):
    """Complete, skip or go back a step. Errors re-render the case page with what was typed."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = self.episode(request, pk)
        action = request.POST.get("action")
        earlier = []
        if episode.current_step is not None:
            earlier = list(episode.pathway_version.steps.filter(order__lt=episode.current_step.order).order_by("order"))
        form_class: Any = {"complete": StepCompleteForm, "skip": StepSkipForm, "return": StepReturnForm}.get(
            action or ""
        )
        if form_class is None:
            return HttpResponse(status=400)
        kwargs = {"earlier_steps": earlier} if form_class is StepReturnForm else {}
        form = form_class(request.POST, prefix=action, **kwargs)
        if form.is_valid():
            d = form.cleaned_data
            if action == "complete":
                ok, moved = attempt(
                    form,
                    services.episode_step_complete,
                    actor=request.user,
                    episode=episode,
                    expected_step_id=d["step_id"],
                    output=d["output"],
                )
                done = _("Step marked done. Now: %(step)s.")
            elif action == "skip":
                ok, moved = attempt(
                    form,
                    services.episode_step_skip,
                    actor=request.user,
                    episode=episode,
                    expected_step_id=d["step_id"],
                    reason=d["reason"],
                )
                done = _("Step skipped. Now: %(step)s.")
            else:
                ok, moved = attempt(
                    form,
                    services.episode_step_return,
                    actor=request.user,
                    episode=episode,
                    expected_step_id=d["step_id"],
                    to_step_id=d["to_step"],
                    reason=d["reason"],
                )
                done = _("Returned to an earlier step. Now: %(step)s.")
            if ok:
                forget_draft(request, episode)
                messages.success(request, done % {"step": step_label(moved)})
                return redirect_htmx_aware(request, reverse("cases:detail", args=[episode.pk]))
            if action == "complete" and not isinstance(moved, ConflictError):
                # The check refused: what was typed waits while the user does what the step needs.
                keep_draft(request, episode=episode, step_id=d["step_id"], output=d["output"])
        episode.refresh_from_db()
        context = case_page_context(request, episode, **{f"{action}_form": form, "open_panel": action})
        return render(request, "cases/episode_detail.html", context, status=400)


def _own_worker_form(data: Any, professionals: Any) -> AssignmentForm:
    """The own worker (omatyöntekijä, SHL 42 §) is chosen among social-care professionals only."""
    form = AssignmentForm(
        data,
        candidates=professionals.filter(profession__in=SOCIAL_PROFESSIONS),
        initial={"kind": AssignmentKind.OWN_WORKER},
        prefix="own",
    )
    form.fields["user"].help_text = _("Only a social worker or a social instructor can be the own worker.")
    return form


class EpisodeTeamView(EpisodeViewMixin, ProfessionalView):
    """The client's team: members with their roles, the contact person and the own worker."""

    partners_may_read = True

    view_name = "cases:team"

    def _context(self, request: HttpRequest, episode: Episode, **forms: Any) -> dict[str, Any]:
        candidates = selectors.case_team_candidates(episode=episode)
        professionals = selectors.case_team_candidates(episode=episode, include_partners=False)
        detail = selectors.episode_detail(actor=request.user, episode=episode)
        context = {
            "episode": episode,
            "client": episode.client,
            "detail": detail,
            "partner_members": selectors.partner_member_sharing(episode=episode, members=detail.members),
            "can_change": can_change_episode(actor=request.user, episode=episode),
            "member_form": MemberAddForm(candidates=candidates),
            "contact_form": AssignmentForm(
                candidates=professionals, initial={"kind": AssignmentKind.CONTACT_PERSON}, prefix="contact"
            ),
            "own_worker_form": _own_worker_form(None, professionals),
        }
        context.update(forms)
        return context

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = self.episode(request, pk)
        return render(request, "cases/episode_team.html", self._context(request, episode))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = self.episode(request, pk)
        candidates = selectors.case_team_candidates(episode=episode)
        op = request.POST.get("op")
        forms: dict[str, Any] = {}
        if op == "add":
            form = MemberAddForm(request.POST, candidates=candidates)
            forms["member_form"] = form
            if form.is_valid():
                ok, _member = attempt(
                    form,
                    services.case_member_add,
                    actor=request.user,
                    episode=episode,
                    user=form.cleaned_data["user"],
                    role_in_case=form.cleaned_data["role_in_case"],
                )
                if ok:
                    messages.success(request, _("Added to the client's team."))
                    return redirect_htmx_aware(request, reverse("cases:team", args=[pk]))
        elif op == "remove":
            member = (
                episode.members.filter(pk=parse_id(request.POST.get("member")) or 0, removed_at__isnull=True)
                .select_related("user")
                .first()
            )
            if member is None:
                messages.error(request, _("This professional is not in the client's team."))
            else:
                ok, _removed = attempt(
                    request, services.case_member_remove, actor=request.user, episode=episode, member=member
                )
                if ok:
                    messages.success(request, _("Removed from the client's team."))
                    return redirect_htmx_aware(request, reverse("cases:team", args=[pk]))
        elif op in ("contact", "own"):
            professionals = selectors.case_team_candidates(episode=episode, include_partners=False)
            assign_form = (
                AssignmentForm(request.POST, candidates=professionals, prefix=op)
                if op == "contact"
                else _own_worker_form(request.POST, professionals)
            )
            forms["contact_form" if op == "contact" else "own_worker_form"] = assign_form
            if assign_form.is_valid():
                ok, _assignment = attempt(
                    assign_form,
                    services.assignment_set,
                    actor=request.user,
                    episode=episode,
                    kind=assign_form.cleaned_data["kind"],
                    user=assign_form.cleaned_data["user"],
                    note=assign_form.cleaned_data["note"],
                )
                if ok:
                    messages.success(request, _("Responsibility recorded."))
                    return redirect_htmx_aware(request, reverse("cases:team", args=[pk]))
        else:
            return HttpResponse(status=400)
        return render(request, "cases/episode_team.html", self._context(request, episode, **forms), status=400)


def _steps_not_done(episode: Episode) -> list[PathwayStep]:
    """The current step and the ones after it, when the episode is not at its pathway's last step:
    what closing now leaves undone. Empty at the last step (closing there is the pathway's end)."""
    current = episode.current_step
    if current is None:
        return []
    steps = list(
        PathwayStep.objects.filter(version_id=episode.pathway_version_id, order__gte=current.order).order_by("order")
    )
    return steps if len(steps) > 1 else []


class EpisodeCloseView(EpisodeViewMixin, ProfessionalView):
    view_name = "cases:close"

    def _form(self, request: HttpRequest, episode: Episode, data: Any = None) -> CloseForm:
        form = CloseForm(
            data, candidates=selectors.case_team_candidates(episode=episode), steps_not_done=_steps_not_done(episode)
        )
        detail_contact = episode.assignments.filter(kind=AssignmentKind.CONTACT_PERSON, ended_at__isnull=True).first()
        if data is None and detail_contact is not None:
            form.initial["follow_up_owner"] = detail_contact.user_id
        return form

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = self.episode(request, pk)
        return render(
            request,
            "cases/episode_close.html",
            {"episode": episode, "client": episode.client, "form": self._form(request, episode)},
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = self.episode(request, pk)
        form = self._form(request, episode, request.POST)
        if form.is_valid():
            d = form.cleaned_data
            dates = [d["outcome_on"] + relativedelta(months=m) for m in d.get("follow_up_months") or []]
            if d.get("follow_up_on"):
                dates.append(d["follow_up_on"])
            owner = d.get("follow_up_owner")
            follow_ups: list[tuple[datetime.date, Any]] = [(x, owner) for x in sorted(set(dates))] if owner else []
            ok, _closed = attempt(
                form,
                services.episode_close,
                actor=request.user,
                episode=episode,
                outcome=d["outcome"],
                outcome_on=d["outcome_on"],
                outcome_detail=d["outcome_detail"],
                follow_ups=follow_ups,
                confirm_early=bool(d.get("confirm_early")),
            )
            if ok:
                messages.success(request, _("The client relationship is closed."))
                return redirect_htmx_aware(request, reverse("cases:detail", args=[pk]))
        return render(
            request,
            "cases/episode_close.html",
            {"episode": episode, "client": episode.client, "form": form},
            status=400,
        )


class EpisodeReopenView(EpisodeViewMixin, ProfessionalView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = self.episode(request, pk)
        form = ReopenForm(request.POST)
        if form.is_valid():
            ok, _reopened = attempt(
                form, services.episode_reopen, actor=request.user, episode=episode, reason=form.cleaned_data["reason"]
            )
            if ok:
                messages.success(request, _("The client relationship is open again."))
                return redirect_htmx_aware(request, reverse("cases:detail", args=[pk]))
        context = case_page_context(request, episode, reopen_form=form, open_panel="reopen")
        return render(request, "cases/episode_detail.html", context, status=400)


class FollowUpView(EpisodeViewMixin, ProfessionalView):
    """Record what was found at a follow-up agreed at closing, or cancel it with a reason.

    The one change a closed episode accepts (`can_record_follow_up`); the gate still decides who may
    see the episode, and a follow-up of another episode is 404.
    """

    view_name = "cases:follow_up"

    def _render(self, request: HttpRequest, episode: Episode, follow_up: Any, status: int = 200, **forms: Any) -> Any:
        context = {
            "episode": episode,
            "client": episode.client,
            "follow_up": follow_up,
            "is_due": follow_up.status == FollowUpStatus.DUE,
            "overdue": follow_up.status == FollowUpStatus.DUE and follow_up.due_on < timezone.localdate(),
            "can_record": can_record_follow_up(actor=request.user, episode=episode),
            "record_form": FollowUpRecordForm(initial={"expected_status": follow_up.status}),
            "cancel_form": FollowUpCancelForm(initial={"expected_status": follow_up.status}, prefix="cancel"),
            "open_panel": "",
        }
        context.update(forms)
        return render(request, "cases/follow_up.html", context, status=status)

    def get(self, request: HttpRequest, pk: int, follow_up_id: int) -> HttpResponse:
        episode = self.episode(request, pk)
        follow_up = selectors.follow_up_get_for(
            actor=request.user, episode=episode, follow_up_id=follow_up_id, view=self.view_name
        )
        return self._render(request, episode, follow_up)

    def post(self, request: HttpRequest, pk: int, follow_up_id: int) -> HttpResponse:
        episode = self.episode(request, pk)
        follow_up = selectors.follow_up_get_for(
            actor=request.user, episode=episode, follow_up_id=follow_up_id, view=self.view_name
        )
        if request.POST.get("op") == "cancel":
            cancel_form = FollowUpCancelForm(request.POST, prefix="cancel")
            if cancel_form.is_valid():
                ok, _done = attempt(
                    cancel_form,
                    services.follow_up_cancel,
                    actor=request.user,
                    episode=episode,
                    follow_up_id=follow_up.pk,
                    expected_status=cancel_form.cleaned_data["expected_status"],
                    reason=cancel_form.cleaned_data["reason"],
                )
                if ok:
                    messages.success(request, _("The follow-up is cancelled."))
                    return redirect_htmx_aware(request, reverse("cases:detail", args=[pk]))
            follow_up.refresh_from_db()
            return self._render(request, episode, follow_up, 400, cancel_form=cancel_form, open_panel="cancel")
        form = FollowUpRecordForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            ok, _done = attempt(
                form,
                services.follow_up_record,
                actor=request.user,
                episode=episode,
                follow_up_id=follow_up.pk,
                expected_status=d["expected_status"],
                situation=d["situation"],
                situation_on=d["situation_on"],
                note=d["note"],
            )
            if ok:
                messages.success(request, _("The follow-up is recorded. Thank you."))
                return redirect_htmx_aware(request, reverse("cases:detail", args=[pk]))
        follow_up.refresh_from_db()
        return self._render(request, episode, follow_up, 400, record_form=form)
