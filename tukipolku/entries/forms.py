from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tukipolku.entries.choices import Register


class EntryForm(forms.Form):
    """A short entry. Only the registers the author may write to are offered."""

    register = forms.ChoiceField(label=_("Register"), choices=Register.choices)
    text = forms.CharField(label=_("Entry"), widget=forms.Textarea(attrs={"rows": 3}), max_length=8000)
    ehr_reference = forms.CharField(
        label=_("Reference to the patient record system"),
        max_length=200,
        required=False,
        help_text=_("Optional: where the full clinical note is, for example the visit date and system."),
    )

    def __init__(self, *args: Any, registers: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if registers is not None:
            field = self.fields["register"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(v, label) for v, label in Register.choices if v in registers]
