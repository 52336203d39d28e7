"""The person fields shared by the forms that name a client before a relationship exists (a notification
of need, an escorted handover): identity code (checked and normalised), names and contact details."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from tukipolku.clients import identity
from tukipolku.clients.choices import ClientLanguage
from tukipolku.clients.constants import ADDRESS_FIELDS


class PersonForm(forms.Form):
    identity_code = forms.CharField(
        label=_("Personal identity code"),
        max_length=20,
        help_text=_("For example 010190-900P. Spaces and lower case are accepted."),
    )
    first_names = forms.CharField(label=_("First names"), max_length=120)
    last_name = forms.CharField(label=_("Last name"), max_length=120)
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail (optional)"), max_length=254, required=False)

    def clean_identity_code(self) -> str:
        return identity.cleaned(self.cleaned_data["identity_code"])


class ClientDetailsForm(forms.Form):
    """The client's editable details. `revision` is the version the form was opened on: a save over a
    newer one is refused (clients.services.StaleClientError). Without the right to see a protected
    address the address fields are removed (`show_address=False`)."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    first_names = forms.CharField(label=_("First names"), max_length=120)
    last_name = forms.CharField(label=_("Last name"), max_length=120)
    language = forms.ChoiceField(
        label=_("Language of service"),
        choices=ClientLanguage.choices,
        help_text=_("The language the client is served in: letters, meetings and the plan."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        validators=[RegexValidator(r"^\+?[0-9 ()-]{5,}$", _("Enter a phone number: digits, spaces, + and - only."))],
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail"), max_length=254, required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    street_address = forms.CharField(label=_("Street address"), max_length=120, required=False)
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=5,
        required=False,
        validators=[RegexValidator(r"^[0-9]{5}$", _("A postal code is five digits, for example 28100."))],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6}),
    )
    post_office = forms.CharField(label=_("Post office"), max_length=60, required=False)
    municipality = forms.CharField(label=_("Municipality of residence"), max_length=80, required=False)
    address_protected = forms.BooleanField(
        label=_("Address protection (turvakielto)"),
        required=False,
        help_text=_(
            "When on, only the client's contact person and own worker see the address and municipality. "
            "Everyone else sees that the address is protected."
        ),
    )

    def __init__(self, *args: Any, show_address: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not show_address:
            for name in ADDRESS_FIELDS:
                del self.fields[name]

    def clean_postal_code(self) -> str:
        return str(self.cleaned_data.get("postal_code") or "").strip()
