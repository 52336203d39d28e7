from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tukipolku.core.choices import Profession
from tukipolku.core.forms import DateInput, HiddenFieldErrorsMixin, set_queryset
from tukipolku.core.models import Organisation, User
from tukipolku.core.permissions import PARTNER_PROFESSIONS
from tukipolku.privacy.choices import DataCategory
from tukipolku.referrals.choices import TRANSITIONS, ReferralKind, ReferralStatus


class ReferralForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of referral"), choices=[("", "---------"), *ReferralKind.choices])
    recipient_organisation = forms.ModelChoiceField(
        label=_("Recipient organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Outside Tukipolku (write the name below)"),
        help_text=_("Only what the client's consent allows for the organisation can be sent."),
    )
    recipient_user = forms.ModelChoiceField(
        label=_("Named recipient (optional)"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("For example the IPS job coach. Must work in the recipient organisation."),
    )
    recipient_name = forms.CharField(
        label=_("Outside recipient"),
        max_length=200,
        required=False,
        help_text=_("When the recipient is not in Tukipolku: unit or person. They get only what is written here."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    categories = forms.MultipleChoiceField(
        label=_("What is sent"), choices=DataCategory.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    due_on = forms.DateField(label=_("Due"), widget=DateInput(), help_text=_("By when it should be done."))
    note = forms.CharField(
        label=_("Note to the recipient"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(
            self,
            "recipient_organisation",
            Organisation.objects.order_by("name"),
            lambda o: f"{o.name} ({o.get_kind_display()})",
        )
        set_queryset(
            self,
            "recipient_user",
            User.objects.filter(
                is_active=True, organisation__isnull=False, profession__in=[*PARTNER_PROFESSIONS, Profession.JOB_COACH]
            )
            .select_related("organisation")
            .order_by("last_name", "first_name"),
            lambda u: f"{u.display_name} – {u.get_profession_display()}, {u.organisation}",
        )

    def clean_due_on(self) -> datetime.date:
        due: datetime.date = self.cleaned_data["due_on"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be in the past."))
        return due

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        org, name = data.get("recipient_organisation"), (data.get("recipient_name") or "").strip()
        if org is None and not name and "recipient_organisation" not in self.errors:
            self.add_error(
                "recipient_organisation",
                _("Choose the recipient organisation or write the name of an outside recipient."),
            )
        elif org is not None and name:
            self.add_error("recipient_name", _("Choose an organisation or write an outside recipient, not both."))
        user = data.get("recipient_user")
        if user is not None and (org is None or user.organisation_id != org.pk):
            self.add_error("recipient_user", _("The named recipient does not work in the chosen organisation."))
        return data


class StatusForm(HiddenFieldErrorsMixin, forms.Form):
    """The status change a recipient (or the team for them) records; carries the status the user saw."""

    status = forms.ChoiceField(label=_("New status"), choices=[], widget=forms.RadioSelect)
    expected_status = forms.ChoiceField(choices=ReferralStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        help_text=_("Required when you decline: write why."),
    )

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("expected_status", current)
        super().__init__(*args, **kwargs)
        labels = dict(ReferralStatus.choices)
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        # Offer every status so that a stale form is answered with a clear message, not a choice error.
        offered = TRANSITIONS.get(current, ())
        field.choices = [(s, labels[s]) for s in offered] or [(s, labels[s]) for s in ReferralStatus.values]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == ReferralStatus.DECLINED and not (data.get("note") or "").strip():
            self.add_error("note", _("Write why the referral is declined."))
        return data
