from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from tukipolku.core.forms import DateInput, DateTimeInput, set_queryset
from tukipolku.core.models import User
from tukipolku.meetings.choices import MeetingKind


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=MeetingKind.choices)
    starts_at = forms.DateTimeField(label=_("Date and time"), widget=DateTimeInput())
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    client_participated = forms.BooleanField(label=_("The client took part"), required=False)
    participants = forms.ModelMultipleChoiceField(
        label=_("Participants from the client's team"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    outside_participants = forms.CharField(
        label=_("Other participants"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text=_("One per line: name, organisation. For example: Maija Meikäläinen, employment services."),
    )
    agenda = forms.CharField(
        label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=8000
    )
    minutes = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 6}), required=False, max_length=20000
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "participants", members, lambda u: f"{u.display_name} – {u.get_profession_display()}")

    def outside(self) -> list[tuple[str, str]]:
        rows = []
        for line in (self.cleaned_data.get("outside_participants") or "").splitlines():
            name, _sep, org = line.partition(",")
            if name.strip():
                rows.append((name.strip()[:200], org.strip()[:200]))
        return rows


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), max_length=500)
    owner = forms.ModelChoiceField(label=_("Responsible"), queryset=User.objects.none(), required=False)
    due_on = forms.DateField(label=_("Due"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "owner", owners if owners is not None else User.objects.none(), lambda u: u.display_name)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("owner")) != bool(data.get("due_on")):
            raise forms.ValidationError(
                _("To turn the decision into an action, give both the responsible person and the due date.")
            )
        return data


DecisionFormSet = formset_factory(DecisionForm, extra=3)
