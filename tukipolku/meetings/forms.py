from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy as _

from tukipolku.core.forms import DateInput, DateTimeInput, HiddenFieldErrorsMixin, set_queryset
from tukipolku.core.models import User
from tukipolku.meetings.calendar import HELSINKI
from tukipolku.meetings.choices import MeetingKind

TIME_FORMATS = ["%H:%M", "%H.%M", "%H"]
OUTSIDE_TEXT_LIMIT = 200
"""How long an outside participant's name or organisation may be (the columns' length)."""


def _user_label(u: User) -> str:
    org = f", {u.organisation.name}" if u.organisation_id and u.organisation is not None else ""
    return f"{u.display_name} – {u.get_profession_display()}{org}"


class TimeInput(forms.TimeInput):
    """A 24-hour time typed as hh:mm (hh.mm accepted too)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {"placeholder": _("hh:mm"), "autocomplete": "off", "size": 6, "inputmode": "numeric"}
        super().__init__(attrs={**base, **(attrs or {})}, format="%H:%M")


class MeetingForm(forms.Form):
    """Recording a meeting held already (not scheduled in the system)."""

    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=MeetingKind.choices)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=DateTimeInput(),
        help_text=_("When the meeting was held: now or earlier."),
    )
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

    def clean_starts_at(self) -> datetime.datetime:
        value: datetime.datetime = self.cleaned_data["starts_at"]
        if value > timezone.now():
            raise forms.ValidationError(
                _("This time is still ahead: a meeting is recorded here once it has been held. Schedule it instead.")
            )
        return value

    def clean_outside_participants(self) -> str:
        value: str = self.cleaned_data["outside_participants"]
        for number, line in enumerate(value.splitlines(), start=1):
            name, _sep, org = line.partition(",")
            if len(name.strip()) > OUTSIDE_TEXT_LIMIT or len(org.strip()) > OUTSIDE_TEXT_LIMIT:
                raise forms.ValidationError(
                    _("Line %(line)s: a name and an organisation can each be at most %(limit)s characters long.")
                    % {"line": number, "limit": OUTSIDE_TEXT_LIMIT}
                )
        return value

    def outside(self) -> list[tuple[str, str]]:
        rows = []
        for line in (self.cleaned_data.get("outside_participants") or "").splitlines():
            name, _sep, org = line.partition(",")
            if name.strip():
                rows.append((name.strip(), org.strip()))
        return rows


class ScheduleForm(HiddenFieldErrorsMixin, forms.Form):
    """Scheduling a meeting (and changing it later): when, where, who, what about."""

    sequence = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=MeetingKind.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    starts = forms.TimeField(label=_("Starts"), widget=TimeInput(), input_formats=TIME_FORMATS)
    ends = forms.TimeField(label=_("Ends"), widget=TimeInput(), input_formats=TIME_FORMATS)
    location = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("Sent in the invitations: do not write the client's name here."),
    )
    video_link = forms.URLField(
        label=_("Video link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("If the meeting is online."),
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )
    team_users = forms.ModelMultipleChoiceField(
        label=_("From the client's team"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_users = forms.ModelMultipleChoiceField(
        label=_("Professionals of other organisations and teams"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Partner staff (employment services, Kela, occupational and student health) then see what the "
            "client's consents allow for their organisation."
        ),
    )
    client_takes_part = forms.BooleanField(label=_("The client takes part"), required=False)
    invite_client = forms.BooleanField(label=_("Send the client an invitation by e-mail"), required=False)
    agenda = forms.CharField(
        label=_("Agenda"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=8000,
        help_text=_("Prefilled from the current step of the pathway. Stays in Tukipolku: it is not sent by e-mail."),
    )

    def __init__(
        self, *args: Any, members: Any, others: Any, client_email: str, details_url: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "team_users", members, _user_label)
        set_queryset(self, "other_users", others, _user_label)
        field = self.fields["invite_client"]
        if client_email:
            # Django renders help text unescaped: the address is client data, so escape it here.
            field.help_text = _("To the e-mail address recorded for the client: %(email)s") % {
                "email": escape(client_email)
            }
        else:
            field.disabled = True
            field.help_text = format_html(
                '{} <a href="{}">{}</a>',
                _("No e-mail address is recorded for the client."),
                details_url,
                _("Add one on the client's details page."),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, starts, ends = data.get("date"), data.get("starts"), data.get("ends")
        if day is not None and starts is not None:
            data["starts_at"] = self._aware(day, starts, "starts")
        if day is not None and ends is not None:
            data["ends_at"] = self._aware(day, ends, "ends")
        return data

    def _aware(self, day: datetime.date, time: datetime.time, field: str) -> datetime.datetime | None:
        """A wall-clock time in Finland; a time skipped by the change to summer time is refused."""
        naive = datetime.datetime.combine(day, time)
        aware = timezone.make_aware(naive, HELSINKI)
        if aware.astimezone(datetime.UTC).astimezone(HELSINKI).replace(tzinfo=None) != naive:
            self.add_error(field, _("This time does not exist: the clocks are moved forward then."))
            return None
        return aware


class OutsideForm(forms.Form):
    """A participant who is not a user of Tukipolku."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("name", "").strip() and (data.get("organisation") or data.get("email")):
            self.add_error("name", _("Give the person's name."))
        return data


OutsideFormSet = formset_factory(OutsideForm, extra=2, can_delete=True)


class HeldForm(HiddenFieldErrorsMixin, forms.Form):
    """Recording a scheduled meeting as held."""

    sequence = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    client_participated = forms.BooleanField(label=_("The client took part"), required=False)
    minutes = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 8}), required=False, max_length=20000
    )


class CancelForm(forms.Form):
    sequence = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), max_length=500)
    owner = forms.ModelChoiceField(label=_("Responsible"), queryset=User.objects.none(), required=False)
    due_on = forms.DateField(label=_("Due"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "owner", owners if owners is not None else User.objects.none(), lambda u: u.display_name)

    def clean_due_on(self) -> datetime.date | None:
        due: datetime.date | None = self.cleaned_data.get("due_on")
        if due is not None and due < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be in the past."))
        return due

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("owner")) != bool(data.get("due_on")):
            raise forms.ValidationError(
                _("To turn the decision into an action, give both the responsible person and the due date.")
            )
        return data


DecisionFormSet = formset_factory(DecisionForm, extra=3)
