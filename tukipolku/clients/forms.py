"""The person fields shared by the forms that name a client before a relationship exists (a notification
of need, an escorted handover): identity code (checked and normalised), names and contact details."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tukipolku.clients import identity


class PersonForm(forms.Form):
    identity_code = forms.CharField(
        label=_("Personal identity code"),
        max_length=20,
        help_text=_("For example 010190-900A. Spaces and lower case are accepted."),
    )
    first_names = forms.CharField(label=_("First names"), max_length=120)
    last_name = forms.CharField(label=_("Last name"), max_length=120)
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)

    def clean_identity_code(self) -> str:
        return identity.cleaned(self.cleaned_data["identity_code"])
