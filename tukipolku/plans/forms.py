"""The plan editor: one screen with goals, each goal's actions nested under it, and loose actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tukipolku.core.forms import DateInput, set_queryset
from tukipolku.core.models import User
from tukipolku.plans.choices import ActionStatus, AgreementMethod, GoalDomain, GoalStatus


class PlanForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    summary = forms.CharField(
        label=_("Situation and the client's own view"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=8000,
        help_text=_("In a few sentences: the client's situation, strengths, and what they want to achieve."),
    )
    next_review_on = forms.DateField(label=_("Next review of the plan"), widget=DateInput(), required=False)


class GoalForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The initial value is what a browser submits for an untouched select (its first option), so that
    # the empty "new goal" row counts as unchanged and the plan can be saved without filling it in.
    domain = forms.ChoiceField(label=_("Domain"), choices=GoalDomain.choices, initial=GoalDomain.choices[0][0])
    description = forms.CharField(label=_("Goal"), max_length=500)
    client_wording = forms.CharField(label=_("In the client's own words"), max_length=500, required=False)
    target_on = forms.DateField(label=_("Target date"), widget=DateInput(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices, initial=GoalStatus.OPEN)


class ActionForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.ModelChoiceField(label=_("Responsible"), queryset=User.objects.none())
    due_on = forms.DateField(label=_("Due"), widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices, initial=ActionStatus.OPEN)

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "owner", owners if owners is not None else User.objects.none(), lambda u: u.display_name)


GoalFormSet = formset_factory(GoalForm, extra=1, can_delete=True)
ActionFormSet = formset_factory(ActionForm, extra=1, can_delete=True)


class AgreementForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    agreed_on = forms.DateField(label=_("Date"), widget=DateInput())
    method = forms.ChoiceField(label=_("How the client agreed"), choices=AgreementMethod.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("agreed_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)
