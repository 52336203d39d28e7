"""Forms for consents, prohibitions, sharing on a legal basis and emergency access."""

from __future__ import annotations

import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tukipolku.core.choices import OrganisationKind
from tukipolku.core.forms import DateInput, set_queryset
from tukipolku.core.models import Organisation, User
from tukipolku.privacy.choices import ConsentKind, DataCategory, GivenHow, LegalBasis, Purpose
from tukipolku.privacy.services import INTAKE_CONSENT_MONTHS, INTAKE_RECIPIENT_KINDS, IntakeConsent


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the client decided"),
        choices=[
            (ConsentKind.CONSENT, _("Consent: the data may be disclosed")),
            (ConsentKind.PROHIBITION, _("Prohibition: the data must not be disclosed")),
        ],
        widget=forms.RadioSelect,
        initial=ConsentKind.CONSENT,
    )
    recipient_organisation = forms.ModelChoiceField(
        label=_("Recipient organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Choose an organisation…"),
    )
    recipient_kind = forms.ChoiceField(
        label=_("…or every organisation of a kind"),
        choices=[("", _("Not by kind")), *OrganisationKind.choices],
        required=False,
    )
    categories = forms.MultipleChoiceField(
        label=_("Data categories"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one data category.")},
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=[("", _("Choose the purpose…")), *Purpose.choices])
    purpose_details = forms.CharField(label=_("Purpose in more detail"), max_length=300, required=False)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_until = forms.DateField(
        label=_("Valid until"), widget=DateInput(), required=False, help_text=_("Leave empty if until withdrawn.")
    )
    given_how = forms.ChoiceField(label=_("How the client gave it"), choices=GivenHow.choices, widget=forms.RadioSelect)
    given_note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("For an oral consent: who heard it and in what situation. For a written one: where the form is."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("valid_from", timezone.localdate())
        super().__init__(*args, **kwargs)
        set_queryset(self, "recipient_organisation", Organisation.objects.order_by("name"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("recipient_organisation")) == bool(data.get("recipient_kind")):
            self.add_error(
                "recipient_organisation", _("Choose either one recipient organisation or every organisation of a kind.")
            )
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end date cannot be before the start date."))
        return data


class IntakeConsentForm(forms.Form):
    """The consent part of an intake form: the partners the client agreed to share with, what, why
    and until when. Nothing ticked: the client agreed to the team's own work only (no consent row).
    Defaults need no clicks: the shared plan, for assessing and supporting work ability, for a year."""

    share_with = forms.MultipleChoiceField(
        label=_("Partners the client also agreed to share with"),
        choices=[(k, OrganisationKind(k).label) for k in INTAKE_RECIPIENT_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick only what the client agreed to. Each is saved as a consent on the client's consents page."),
    )
    share_categories = forms.MultipleChoiceField(
        label=_("Data they may receive"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[DataCategory.SHARED_PLAN],
    )
    share_purpose = forms.ChoiceField(
        label=_("Purpose of sharing"), choices=Purpose.choices, initial=Purpose.WORK_ABILITY, required=False
    )
    share_until = forms.DateField(
        label=_("Sharing allowed until"),
        widget=DateInput(),
        required=False,
        help_text=_(
            "A year ahead by default: about as long as a work ability pathway of the team's operating models "
            "takes with its follow-up. Empty: until the client withdraws it, which the client may do at any time."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("share_until", timezone.localdate() + relativedelta(months=INTAKE_CONSENT_MONTHS))
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("share_with"):
            if "share_categories" in data and not data["share_categories"]:
                self.add_error("share_categories", _("Choose at least one data category."))
            until = data.get("share_until")
            if until is not None and until < timezone.localdate():
                self.add_error("share_until", _("The consent cannot end in the past."))
        return data

    def intake_consent(self) -> IntakeConsent:
        return IntakeConsent.from_form(self.cleaned_data)

    @property
    def shares_with_partners(self) -> bool:
        """Whether the form (as shown) has partners ticked: decides which help box shows without JS."""
        if self.is_bound:
            return bool(self.data.getlist(self.add_prefix("share_with")))  # type: ignore[attr-defined]
        return bool(self.initial.get("share_with"))


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("Note on the withdrawal"),
        max_length=300,
        required=False,
        help_text=_("For example how the client told you."),
    )


class LegalBasisForm(forms.Form):
    grantee = forms.ModelChoiceField(label=_("Share with"), queryset=User.objects.none())
    categories = forms.MultipleChoiceField(
        label=_("Data categories"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one data category.")},
    )
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"), choices=[("", _("Choose the legal basis…")), *LegalBasis.choices]
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Why the data is needed without the client's consent. The data protection officer reviews this."),
    )
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput())

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("valid_until", timezone.localdate() + datetime.timedelta(days=30))
        super().__init__(*args, **kwargs)
        set_queryset(
            self,
            "grantee",
            candidates,
            lambda u: f"{u.display_name} ({u.organisation})" if u.organisation_id else u.display_name,
        )


class EmergencyAccessForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to see this client's data now?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        help_text=_("The reason is saved with every page you open and reviewed by the data protection officer."),
    )
