from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils.translation import gettext_lazy as _

from tukipolku.access.choices import AccessGround
from tukipolku.audit.choices import AccessOutcome
from tukipolku.clients import identity
from tukipolku.core.dates import format_date
from tukipolku.core.forms import DateInput, set_queryset
from tukipolku.core.models import User
from tukipolku.oversight.constants import REPORT_DEFAULT_YEARS
from tukipolku.oversight.selectors import LogFilters
from tukipolku.privacy.choices import ReviewOutcome

TAB_ACCESSES = "accesses"
TAB_DISCLOSURES = "disclosures"


class IdentityCodeForm(forms.Form):
    """Finding a client by identity code: always a POST, so the code never reaches a URL."""

    identity_code = forms.CharField(
        label=_("Client's personal identity code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("For example 010190-900P."),
    )

    def clean_identity_code(self) -> str:
        return identity.cleaned(self.cleaned_data["identity_code"])


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome of the review"), choices=[("", "---------"), *ReviewOutcome.choices])
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
        help_text=_("Required unless the access was appropriate: what needs to be clarified, and with whom."),
    )


def _user_label(user: User) -> str:
    profession = user.get_profession_display()
    return f"{user.display_name} – {profession}" if profession else user.display_name


class LogFilterForm(forms.Form):
    """Filters of the access and disclosure log search. A GET form: it holds internal ids only."""

    tab = forms.ChoiceField(
        choices=[(TAB_ACCESSES, TAB_ACCESSES), (TAB_DISCLOSURES, TAB_DISCLOSURES)],
        required=False,
        widget=forms.HiddenInput,
    )
    client = forms.IntegerField(required=False, min_value=1, max_value=10**18 - 1, widget=forms.HiddenInput)
    user = forms.ModelChoiceField(label=_("User"), queryset=User.objects.none(), required=False, empty_label=_("All"))
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", _("All")), *AccessOutcome.choices], required=False)
    ground = forms.ChoiceField(label=_("Basis"), choices=[("", _("All")), *AccessGround.choices], required=False)
    flagged = forms.BooleanField(label=_("Only reads flagged for review"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "user", User.objects.order_by("last_name", "first_name", "username"), _user_label)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date cannot be before the start date."))
        return data

    @property
    def tab_name(self) -> str:
        data = getattr(self, "cleaned_data", {})
        return TAB_DISCLOSURES if data.get("tab") == TAB_DISCLOSURES else TAB_ACCESSES

    def filters(self) -> LogFilters:
        """The validated filters (none when the form is unbound or invalid)."""
        if not self.is_bound or not self.is_valid():
            return LogFilters()
        d = self.cleaned_data
        return LogFilters(
            user_id=d["user"].pk if d.get("user") else None,
            client_id=d.get("client"),
            since=d.get("since"),
            until=d.get("until"),
            outcome=d.get("outcome") or "",
            ground=d.get("ground") or "",
            flagged_only=bool(d.get("flagged")),
        )

    def params(self, **overrides: Any) -> list[tuple[str, str]]:
        """The validated filters as query parameters, rebuilt from parsed values (never raw input)."""
        f = self.filters()
        values: dict[str, Any] = {
            "tab": self.tab_name if self.tab_name != TAB_ACCESSES else None,
            "client": f.client_id,
            "user": f.user_id,
            "since": format_date(f.since) or None,
            "until": format_date(f.until) or None,
            "outcome": f.outcome or None,
            "ground": f.ground or None,
            "flagged": "on" if f.flagged_only else None,
        }
        values.update(overrides)
        return [(k, str(v)) for k, v in values.items() if v not in (None, "")]

    def query(self, **overrides: Any) -> str:
        return urlencode(self.params(**overrides))


def report_earliest(today: datetime.date) -> datetime.date:
    """The start of the period the client's right covers without a special reason."""
    return today - relativedelta(years=REPORT_DEFAULT_YEARS)


class ReportPeriodForm(forms.Form):
    since = forms.DateField(
        label=_("From"),
        widget=DateInput(),
        help_text=_("The client's right covers the last 2 years. An earlier start needs a special reason."),
    )
    until = forms.DateField(label=_("To"), widget=DateInput())
    special_reason = forms.CharField(
        label=_("Special reason for logs older than 2 years"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=500,
        help_text=_("For example a suspected misuse. Stored in the access log with this report."),
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if until and until > self.today:
            self.add_error("until", _("The end date cannot be in the future."))
        if since and until and until < since:
            self.add_error("until", _("The end date cannot be before the start date."))
        if since and since < report_earliest(self.today):
            if not (data.get("special_reason") or "").strip():
                self.add_error("special_reason", _("The start is more than 2 years back: write the special reason."))
        else:
            data["special_reason"] = ""  # not needed within 2 years: nothing to store
        if "special_reason" in data:
            data["special_reason"] = data["special_reason"].strip()
        return data

    def needs_reason(self) -> bool:
        """Whether the special-reason field is shown: the start (typed or saved) is over 2 years back."""
        if self.is_bound:
            if self.errors.get("special_reason") or (self.data.get(self.add_prefix("special_reason")) or "").strip():
                return True
            try:
                since = self.fields["since"].clean(self.data.get(self.add_prefix("since")))
            except forms.ValidationError:
                return False
        else:
            since = self.initial.get("since")
        return bool(since and since < report_earliest(self.today))
