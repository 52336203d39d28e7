"""Plan editor, client agreement and quick action status changes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from tukipolku.access.log import episode_get_for, refuse_other_object
from tukipolku.access.policy import can_change_episode
from tukipolku.cases.selectors import case_team_candidates
from tukipolku.cases.steps import finish_step, step_to_finish
from tukipolku.core.converters import parse_id
from tukipolku.core.exceptions import ConflictError
from tukipolku.core.forms import add_service_error, attempt
from tukipolku.core.http import safe_next
from tukipolku.core.models import User
from tukipolku.core.views import ProfessionalView, redirect_htmx_aware
from tukipolku.pathways.choices import CompletionCheck
from tukipolku.plans import services
from tukipolku.plans.compare import plan_compare
from tukipolku.plans.forms import ActionFormSet, ActionStatusForm, AgreementForm, GoalFormSet, PlanForm
from tukipolku.plans.models import Action
from tukipolku.plans.selectors import (
    PlanView,
    plan_version_get,
    plan_versions_to_compare,
    plan_view_for,
    snapshot_date,
    snapshot_domains,
)


def _owners(episode: Any, view: PlanView) -> Any:
    """People who may own an action: the organisation's team professionals and anyone owning one now."""
    current = {a.owner_id for d in view.domains for g in d.goals for a in getattr(g, "action_list", [])}
    current |= {a.owner_id for a in view.loose_actions}
    return (case_team_candidates(episode=episode) | User.objects.filter(pk__in=current)).distinct()


def _action_initial(actions: Any) -> list[dict[str, Any]]:
    return [
        {"id": a.pk, "title": a.title, "owner": a.owner_id, "due_on": a.due_on, "status": a.status} for a in actions
    ]


class Editor:
    """The bound or unbound forms of the plan editor."""

    def __init__(self, episode: Any, view: PlanView, data: Any = None) -> None:
        owners = _owners(episode, view)
        self.plan_form = PlanForm(
            data,
            initial={
                "revision": view.revision,
                "summary": view.plan.summary if view.plan else "",
                "next_review_on": view.plan.next_review_on if view.plan else None,
            },
        )
        goals = [g for d in view.domains for g in d.goals]
        self.goal_formset = GoalFormSet(
            data,
            prefix="goals",
            initial=[
                {
                    "id": g.pk,
                    "domain": g.domain,
                    "description": g.description,
                    "client_wording": g.client_wording,
                    "target_on": g.target_on,
                    "status": g.status,
                }
                for g in goals
            ],
        )
        self.action_formsets = []
        for i, goal_form in enumerate(self.goal_formset.forms):
            initial = _action_initial(getattr(goals[i], "action_list", [])) if i < len(goals) else []
            fs = ActionFormSet(data, prefix=f"goals-{i}-actions", initial=initial, form_kwargs={"owners": owners})
            self.action_formsets.append(fs)
            goal_form.actions = fs  # type: ignore[attr-defined]
        self.loose_formset = ActionFormSet(
            data, prefix="loose", initial=_action_initial(view.loose_actions), form_kwargs={"owners": owners}
        )

    def is_valid(self) -> bool:
        valid = self.plan_form.is_valid() & self.goal_formset.is_valid() & self.loose_formset.is_valid()
        for fs in self.action_formsets:
            valid &= fs.is_valid()
        if valid:
            for goal_form, fs in zip(self.goal_formset.forms, self.action_formsets, strict=True):
                goal_empty = not goal_form.has_changed() and not goal_form.cleaned_data.get("id")
                if goal_empty and any(f.has_changed() for f in fs.forms):
                    goal_form.add_error("description", _("Write the goal that these actions serve."))
                    valid = False
        return valid

    @staticmethod
    def _actions(fs: Any) -> list[services.ActionInput]:
        out = []
        for f in fs.forms:
            d = f.cleaned_data
            if not d or (not d.get("id") and not f.has_changed()):
                continue
            out.append(
                services.ActionInput(
                    id=d.get("id"),
                    title=d.get("title", ""),
                    owner=d.get("owner"),
                    due_on=d.get("due_on"),
                    status=d.get("status") or "open",
                    delete=bool(d.get("DELETE")),
                )
            )
        return out

    def inputs(self) -> tuple[list[services.GoalInput], list[services.ActionInput]]:
        goals = []
        for goal_form, fs in zip(self.goal_formset.forms, self.action_formsets, strict=True):
            d = goal_form.cleaned_data
            if not d or (not d.get("id") and not goal_form.has_changed()):
                continue
            goals.append(
                services.GoalInput(
                    id=d.get("id"),
                    domain=d.get("domain", ""),
                    description=d.get("description", ""),
                    client_wording=d.get("client_wording", ""),
                    target_on=d.get("target_on"),
                    status=d.get("status") or "open",
                    delete=bool(d.get("DELETE")),
                    actions=self._actions(fs),
                )
            )
        return goals, self._actions(self.loose_formset)


class PlanEditView(ProfessionalView):
    template = "plans/plan_edit.html"
    partners_may_read = True

    def _render(
        self,
        request: HttpRequest,
        episode: Any,
        view: PlanView,
        editor: Editor,
        status: int = 200,
        conflict: bool = False,
    ) -> HttpResponse:
        return render(
            request,
            self.template,
            {
                "episode": episode,
                "client": episode.client,
                "plan_view": view,
                "editor": editor,
                "can_change": can_change_episode(actor=request.user, episode=episode),
                "conflict": conflict,
                "agreement_form": AgreementForm(initial={"revision": view.revision}),
                # "Save and mark step N done" where the current step asks for a goal or the agreement.
                "finish_plan": step_to_finish(actor=request.user, episode=episode, checks=[CompletionCheck.PLAN]),
                "finish_agreement": step_to_finish(
                    actor=request.user, episode=episode, checks=[CompletionCheck.PLAN_AGREED]
                ),
                "plan_view_ctx": {"plan_view": view},
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = episode_get_for(actor=request.user, episode_id=pk, view="plans:edit")
        view = plan_view_for(episode=episode)
        return self._render(request, episode, view, Editor(episode, view))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = episode_get_for(actor=request.user, episode_id=pk, view="plans:edit", for_change=True)
        view = plan_view_for(episode=episode)
        editor = Editor(episode, view, request.POST)
        conflict = False
        if editor.is_valid():
            goals, loose = editor.inputs()
            ok, plan = attempt(
                editor.plan_form,
                services.plan_save,
                actor=request.user,
                episode=episode,
                expected_revision=editor.plan_form.cleaned_data["revision"],
                summary=editor.plan_form.cleaned_data["summary"],
                next_review_on=editor.plan_form.cleaned_data["next_review_on"],
                goals=goals,
                loose_actions=loose,
            )
            if ok:
                step_id = parse_id(request.POST.get("finish_step"))
                if step_id is not None:
                    messages.success(request, _("The plan is saved."))
                    output = _("Recorded in the service plan, version %(revision)s.") % {"revision": plan.revision}
                    if finish_step(request, episode=episode, step_id=step_id, output=output):
                        return redirect_htmx_aware(request, reverse("cases:detail", args=[pk]))
                else:
                    messages.success(
                        request, _("The plan is saved. Go through it with the client and record their agreement.")
                    )
                return redirect_htmx_aware(request, reverse("plans:edit", args=[pk]))
            if isinstance(plan, ConflictError):
                # Keep everything typed; show what the other person saved; a deliberate second save
                # (after comparing) goes against the current revision.
                conflict = True
                view = plan_view_for(episode=episode)
                data = request.POST.copy()
                data["revision"] = str(view.revision)
                editor = Editor(episode, view, data)
                editor.is_valid()
                add_service_error(editor.plan_form, plan)
        return self._render(request, episode, view, editor, status=409 if conflict else 400, conflict=conflict)


class PlanAgreeView(ProfessionalView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        episode = episode_get_for(actor=request.user, episode_id=pk, view="plans:agree", for_change=True)
        form = AgreementForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            ok, _agreed = attempt(
                request,
                services.plan_agree,
                actor=request.user,
                episode=episode,
                revision=d["revision"],
                agreed_on=d["agreed_on"],
                method=d["method"],
            )
            if ok:
                messages.success(request, _("The client's agreement is recorded."))
                step_id = parse_id(request.POST.get("finish_step"))
                output = _("The client agreed to version %(revision)s of the service plan.") % {
                    "revision": d["revision"]
                }
                if step_id is not None and finish_step(request, episode=episode, step_id=step_id, output=output):
                    return redirect_htmx_aware(request, reverse("cases:detail", args=[pk]))
        else:
            messages.error(request, _("Check the date and how the client agreed."))
        return redirect_htmx_aware(request, reverse("plans:edit", args=[pk]))


class ActionStatusView(ProfessionalView):
    def post(self, request: HttpRequest, pk: int, action_id: int) -> HttpResponse:
        episode = episode_get_for(actor=request.user, episode_id=pk, view="plans:action_status", for_change=True)
        owner = Action.objects.filter(pk=action_id).values_list("plan__episode__client_id", "plan__episode_id").first()
        if owner is not None and owner[1] != episode.pk:  # another client's action: 404, logged
            refuse_other_object(actor=request.user, view="plans:action_status", owner=owner, resource="action")
        form = ActionStatusForm(request.POST)
        if form.is_valid():
            ok, _action = attempt(
                request,
                services.action_set_status,
                actor=request.user,
                episode=episode,
                action_id=action_id,
                status=form.cleaned_data["status"],
            )
            if ok:
                messages.success(request, _("Action updated."))
        target = safe_next(request, request.POST.get("next"), fallback=reverse("cases:detail", args=[pk]))
        return redirect_htmx_aware(request, target)


class PlanVersionView(ProfessionalView):
    """One saved version of the plan as it was, read through the gate like the plan itself."""

    partners_may_read = True

    def get(self, request: HttpRequest, pk: int, number: int) -> HttpResponse:
        episode = episode_get_for(actor=request.user, episode_id=pk, view="plans:version")
        version = plan_version_get(episode=episode, number=number)
        if version is None:
            raise Http404
        domains, loose = snapshot_domains(snapshot=version.snapshot)
        return render(
            request,
            "plans/plan_version.html",
            {
                "episode": episode,
                "client": episode.client,
                "version": version,
                "is_current": version.number == version.plan.revision,
                "current_number": version.plan.revision,
                "domains": domains,
                "loose_actions": loose,
                "snapshot": version.snapshot,
                "next_review_on": snapshot_date(value=version.snapshot.get("next_review_on")),
            },
        )


class PlanVersionCompareView(ProfessionalView):
    """What changed from version N to the current version: goals and actions added, removed, changed."""

    partners_may_read = True

    def get(self, request: HttpRequest, pk: int, number: int) -> HttpResponse:
        episode = episode_get_for(actor=request.user, episode_id=pk, view="plans:version_compare")
        pair = plan_versions_to_compare(episode=episode, number=number)
        if pair is None:
            raise Http404
        older, current = pair
        return render(
            request,
            "plans/plan_version_compare.html",
            {
                "episode": episode,
                "client": episode.client,
                "older": older,
                "current": current,
                "comparison": plan_compare(older=older.snapshot, newer=current.snapshot),
            },
        )
