"""Input shapes of the episode flows. Rules live in services; these only parse and validate types."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tukipolku.cases.choices import (
    OUTCOMES_WITHOUT_FOLLOW_UP,
    AssignmentKind,
    ConsentMethod,
    FollowUpSituation,
    FollowUpStatus,
    IdentificationSource,
    Outcome,
    RiskFactor,
    SpecialSituation,
)
from tukipolku.cases.privacy_forms import IntakeConsentForm
from tukipolku.clients import identity
from tukipolku.clients.choices import ClientLanguage, EmploymentStatus
from tukipolku.core.forms import DateInput, set_choices, set_queryset
from tukipolku.core.models import Team, User
from tukipolku.pathways.models import Pathway


class ClientSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Identity code or name"),
        max_length=100,
        help_text=_("A full identity code finds any client. A name finds clients of your own teams."),
    )

    def clean_q(self) -> str:
        value: str = self.cleaned_data["q"].strip()
        if identity.looks_like_attempt(value):  # a digit: an identity code, never a name search
            error = identity.problem(value)
            if error is not None:
                raise forms.ValidationError(error)
        elif len(value) < 2:
            raise forms.ValidationError(_("Type at least two letters of the name."))
        return value


class CaseloadSearchForm(forms.Form):
    """The caseload's search field: part of a name or the end of the identity code, never in a URL."""

    q = forms.CharField(
        label=_("Find a client"),
        max_length=100,
        required=False,
        help_text=_("Type part of the name or the end of the identity code (such as 123A)."),
    )

    def __init__(self, *args: Any, typing: bool = False, **kwargs: Any) -> None:
        """`typing`: sent as the user types (htmx), when a code still being typed is not yet wrong."""
        super().__init__(*args, **kwargs)
        self.typing = typing
        self.incomplete_code = False

    def clean_q(self) -> str:
        value: str = self.cleaned_data["q"].strip()
        if identity.starts_like_identity_code(value):  # a whole code (a birth date first), not its end
            if self.typing and len(identity.normalize(value)) < 11:
                self.incomplete_code = True
                return value
            error = identity.problem(value)
            if error is not None:
                raise forms.ValidationError(error)
        return value


class EpisodeFieldsForm(IntakeConsentForm):
    """How the need was identified, the client's agreement to be taken to the team and what else the
    client consented to (partners, `IntakeConsentForm`)."""

    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), empty_label=None)
    pathway = forms.ModelChoiceField(label=_("Operating model"), queryset=Pathway.objects.none(), empty_label=None)
    source = forms.ChoiceField(label=_("Where was the need noticed?"), choices=IdentificationSource.choices)
    situations = forms.MultipleChoiceField(
        label=_("Situations that need special attention"),
        choices=SpecialSituation.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    risk_factors = forms.MultipleChoiceField(
        label=_("Risk factors"),
        choices=RiskFactor.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    need_description = forms.CharField(
        label=_("Describe the need for support"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("What has been noticed, what has been done so far, what the client hopes for."),
    )
    consent_given = forms.BooleanField(
        label=_("The client agreed to be taken to the work ability team"),
        error_messages={"required": _("The client's agreement is needed before the team can take the case.")},
    )
    consent_on = forms.DateField(label=_("Date of agreement"), widget=DateInput())
    consent_method = forms.ChoiceField(label=_("How the client agreed"), choices=ConsentMethod.choices)

    def __init__(self, *args: Any, teams: Any, pathways: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("consent_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        set_queryset(self, "team", teams)
        set_queryset(self, "pathway", pathways, lambda p: p.localized("name"))

    def clean_consent_on(self) -> Any:
        value = self.cleaned_data["consent_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of agreement cannot be in the future."))
        return value


class NewClientForm(forms.Form):
    identity_code = forms.CharField(
        label=_("Personal identity code"),
        max_length=20,
        help_text=_("For example 010190-900P. Spaces and lower case are accepted."),
    )
    first_names = forms.CharField(label=_("First names"), max_length=120)
    last_name = forms.CharField(label=_("Last name"), max_length=120)
    language = forms.ChoiceField(label=_("Language"), choices=ClientLanguage.choices)
    employment_status = forms.ChoiceField(label=_("Employment situation"), choices=EmploymentStatus.choices)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    municipality = forms.CharField(label=_("Municipality of residence"), max_length=80, required=False)

    def clean_identity_code(self) -> str:
        return identity.cleaned(self.cleaned_data["identity_code"])


class StepCompleteForm(forms.Form):
    step_id = forms.IntegerField(widget=forms.HiddenInput)
    output = forms.CharField(
        label=_("What did this step produce?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class StepSkipForm(forms.Form):
    step_id = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why is this step skipped?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class StepReturnForm(forms.Form):
    step_id = forms.IntegerField(widget=forms.HiddenInput)
    to_step = forms.TypedChoiceField(label=_("Go back to"), coerce=int, choices=())
    reason = forms.CharField(label=_("Why go back?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args: Any, earlier_steps: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "to_step", [(s.pk, str(s)) for s in earlier_steps])


class MemberAddForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Professional"), queryset=User.objects.none())
    role_in_case = forms.CharField(
        label=_("Role in this case"),
        max_length=120,
        required=False,
        help_text=_("For example: work ability assessment, job coaching. Leave empty to use the profession."),
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "user", candidates, lambda u: f"{u.display_name} – {u.get_profession_display()}")


class AssignmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Responsibility"), choices=AssignmentKind.choices, widget=forms.HiddenInput)
    user = forms.ModelChoiceField(
        label=_("Professional"),
        queryset=User.objects.none(),
        help_text=_("Anyone of the organisation's teams: naming them also adds them to the client's team."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "user", candidates, lambda u: f"{u.display_name} – {u.get_profession_display()}")


FOLLOW_UP_MONTHS = [(3, _("3 months")), (6, _("6 months")), (12, _("12 months"))]


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("Choose the outcome…")), *Outcome.choices],
        error_messages={"required": _("Choose the outcome. A relationship cannot be closed without one.")},
    )
    outcome_on = forms.DateField(label=_("Date of the outcome"), widget=DateInput())
    outcome_detail = forms.CharField(
        label=_("Details"),
        max_length=300,
        required=False,
        help_text=_("For example the employer, the field of study or the service the client moved to."),
    )
    follow_up_owner = forms.ModelChoiceField(label=_("Who follows up"), queryset=User.objects.none(), required=False)
    follow_up_months = forms.TypedMultipleChoiceField(
        label=_("Follow up after"),
        choices=FOLLOW_UP_MONTHS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    follow_up_on = forms.DateField(label=_("…or on a date"), widget=DateInput(), required=False)
    confirm_early = forms.BooleanField(
        label=_("I close the client relationship before the pathway's end: the steps listed are left undone"),
        required=False,
    )

    def __init__(self, *args: Any, candidates: Any, steps_not_done: Any = (), **kwargs: Any) -> None:
        """`steps_not_done`: the current and later steps when closing early (empty at the last step,
        where `confirm_early` is not asked)."""
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("outcome_on", timezone.localdate())
        kwargs["initial"].setdefault("follow_up_months", [3, 6, 12])
        super().__init__(*args, **kwargs)
        set_queryset(self, "follow_up_owner", candidates, lambda u: u.display_name)
        self.steps_not_done = list(steps_not_done)
        if not self.steps_not_done:
            del self.fields["confirm_early"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.steps_not_done and not data.get("confirm_early"):
            self.add_error(
                "confirm_early",
                _("Confirm that you close the relationship although the steps listed above are not done."),
            )
        outcome = data.get("outcome")
        if outcome and outcome not in OUTCOMES_WITHOUT_FOLLOW_UP:
            if not data.get("follow_up_months") and not data.get("follow_up_on"):
                self.add_error("follow_up_months", _("Agree on when the client is followed up."))
            if not data.get("follow_up_owner"):
                self.add_error("follow_up_owner", _("Choose who follows up."))
        return data


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the relationship reopened?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class FollowUpRecordForm(forms.Form):
    """What was found at a follow-up after closing. `expected_status` detects a second submit."""

    expected_status = forms.CharField(widget=forms.HiddenInput, initial=FollowUpStatus.DUE)
    situation = forms.ChoiceField(
        label=_("The client's situation now"),
        choices=FollowUpSituation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the client's situation.")},
    )
    situation_on = forms.DateField(label=_("Checked on"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("For example the employer or the field of study. No health details here."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("situation_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class FollowUpCancelForm(forms.Form):
    expected_status = forms.CharField(widget=forms.HiddenInput, initial=FollowUpStatus.DUE)
    reason = forms.CharField(
        label=_("Why is the follow-up cancelled?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=300
    )


class BoardFilterForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=None)
    pathway = forms.ModelChoiceField(
        label=_("Operating model"), queryset=Pathway.objects.none(), required=False, empty_label=None
    )
    contact = forms.ModelChoiceField(
        label=_("Contact person"), queryset=User.objects.none(), required=False, empty_label=_("Anyone")
    )
    situation = forms.ChoiceField(
        label=_("Special situation"), choices=[("", _("Any")), *SpecialSituation.choices], required=False
    )
    overdue = forms.BooleanField(label=_("Only overdue steps"), required=False)
    name = forms.CharField(label=_("Client's name"), max_length=60, required=False)

    def clean_name(self) -> str:
        # The board filters travel in the URL: an identity code must not. It is dropped, not searched.
        name = str(self.cleaned_data.get("name") or "")
        if identity.looks_like_identity_code(name) or any(ch.isdigit() for ch in name):
            raise forms.ValidationError(
                _("Filter by name only. Find a client by identity code on the New client relationship page.")
            )
        return name

    def __init__(self, *args: Any, teams: Any, pathways: Any, contacts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "team", teams)
        set_queryset(self, "pathway", pathways, lambda p: p.localized("name"))
        set_queryset(self, "contact", contacts, lambda u: u.display_name)


class PathwayCorrectForm(forms.Form):
    """Correct the pathway and/or the starting step: one choice of a step, grouped by pathway, and a reason.
    The hidden fields carry the step and version the page showed, so that a stale form is detected."""

    step_id = forms.IntegerField(widget=forms.HiddenInput)
    version_id = forms.IntegerField(widget=forms.HiddenInput)
    step = forms.TypedChoiceField(
        label=_("Pathway and the step to continue from"),
        coerce=int,
        choices=(),
        help_text=_("The steps before the chosen one are not marked done."),
    )
    reason = forms.CharField(
        label=_("Why is it corrected?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Shown in the history of the client relationship."),
    )

    def __init__(self, *args: Any, targets: list[tuple[Any, list[Any]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self, "step", [(str(version.pathway), [(s.pk, str(s)) for s in steps]) for version, steps in targets]
        )
