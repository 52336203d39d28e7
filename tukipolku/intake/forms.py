"""Input shapes of the notification of need. Rules live in `services.py`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tukipolku.cases.choices import ConsentMethod, SpecialSituation
from tukipolku.cases.privacy_forms import IntakeConsentForm
from tukipolku.clients.choices import ClientLanguage
from tukipolku.clients.forms import PersonForm
from tukipolku.core.forms import DateInput, HiddenFieldErrorsMixin, set_queryset
from tukipolku.core.models import Team
from tukipolku.intake.choices import NeedStatus, RiskFactor
from tukipolku.pathways.models import Pathway
from tukipolku.privacy.services import INTAKE_RECIPIENT_KINDS


class NeedSendForm(PersonForm, IntakeConsentForm):
    team = forms.ModelChoiceField(
        label=_("Work ability support team"),
        queryset=Team.objects.none(),
        empty_label=_("Choose a team"),
        help_text=_("The teams of your own welfare region are listed first."),
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=ClientLanguage.choices)
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
    done_so_far = forms.CharField(
        label=_("What has been done already"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
        help_text=_("Services, examinations or support the client has had, as far as you know."),
    )
    need_description = forms.CharField(
        label=_("The need for support in your words"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("What you noticed and what the client hopes for."),
    )
    consent_given = forms.BooleanField(
        label=_("The client consented to passing this notification on to the team"),
        error_messages={
            "required": _("The client's consent is needed before the notification can be passed on."),
        },
    )
    consent_on = forms.DateField(label=_("Date of consent"), widget=DateInput())
    consent_method = forms.ChoiceField(label=_("How the client consented"), choices=ConsentMethod.choices)

    def __init__(self, *args: Any, teams: Any, sender_kind: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("consent_on", timezone.localdate())
        if sender_kind in INTAKE_RECIPIENT_KINDS:
            # The need is about working with the sender's own organisation: offered ticked.
            kwargs["initial"].setdefault("share_with", [sender_kind])
        super().__init__(*args, **kwargs)
        set_queryset(self, "team", teams, lambda t: f"{t.name} – {t.organisation.name}")

    def clean_consent_on(self) -> Any:
        value = self.cleaned_data["consent_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of consent cannot be in the future."))
        return value


class _DecisionForm(HiddenFieldErrorsMixin, forms.Form):
    # The status the page was loaded with: a decision made meanwhile by someone else is detected.
    status = forms.ChoiceField(choices=NeedStatus.choices, widget=forms.HiddenInput)


class NeedAcceptForm(_DecisionForm):
    pathway = forms.ModelChoiceField(
        label=_("Operating model"),
        queryset=Pathway.objects.none(),
        empty_label=None,
        required=False,
        help_text=_("The client relationship follows this model's steps."),
    )
    link_existing = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, pathways: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "pathway", pathways, lambda p: p.localized("name"))


class NeedDeclineForm(_DecisionForm):
    reason = forms.CharField(
        label=_("Reason for declining"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The sender sees this. Say where the client could turn instead."),
        error_messages={"required": _("Write the reason: the sender sees it.")},
    )
