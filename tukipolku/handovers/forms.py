"""Input shapes of the handover pages. Rules live in `services.py`; these parse and check types."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tukipolku.cases.choices import ConsentMethod
from tukipolku.clients.forms import PersonForm
from tukipolku.core.dates import format_date
from tukipolku.core.forms import DateInput, DateTimeInput, HiddenFieldErrorsMixin, set_queryset
from tukipolku.core.models import Team, User
from tukipolku.handovers.choices import PREP_CHECKLIST, HandoverReason, InformationSource, JobSearch
from tukipolku.handovers.models import WAS_MAX, WAS_MIN
from tukipolku.handovers.services import transfer_ahead_message
from tukipolku.pathways.models import Pathway

WAS_ERROR = _("The work ability score is a whole number from 0 to 10.")


class HandoverOpenForm(PersonForm):
    team = forms.ModelChoiceField(
        label=_("Receiving work ability team"), queryset=Team.objects.none(), empty_label=_("Choose a team")
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=HandoverReason.choices, widget=forms.RadioSelect)
    background = forms.CharField(
        label=_("Background"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
        help_text=_("In a few sentences: why the employment or studies end and what has been tried."),
    )
    sending_contact = forms.ModelChoiceField(
        label=_("Sending contact person"),
        queryset=User.objects.none(),
        empty_label=None,
        help_text=_("Walks the person over to the team, for example the work ability coordinator."),
    )
    consent_given = forms.BooleanField(
        label=_("The person agreed to the escorted handover"),
        error_messages={"required": _("The person's agreement is needed before the handover can be opened.")},
    )
    consent_on = forms.DateField(label=_("Date of agreement"), widget=DateInput())
    consent_method = forms.ChoiceField(
        label=_("How the person agreed"), choices=ConsentMethod.choices, widget=forms.RadioSelect
    )
    escort_consent = forms.BooleanField(
        label=_("The person also agreed that the sending contact person may follow the shared plan afterwards"),
        required=False,
        help_text=_("Recorded as a consent for your organisation when the team accepts the handover."),
    )
    info_sources = forms.MultipleChoiceField(
        label=_("Information gathered from"),
        choices=InformationSource.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only for a graduating student: whom student health care asked before the handover."),
    )
    info_summary = forms.CharField(
        label=_("What the gathered information shows"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
        help_text=_("Only for a graduating student: in a few sentences, what the teachers and others told."),
    )

    def __init__(self, *args: Any, teams: Any, contacts: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("consent_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        set_queryset(self, "team", teams, lambda t: f"{t.name} – {t.organisation.name}")
        set_queryset(
            self, "sending_contact", contacts, lambda u: f"{u.display_name} – {u.title or u.get_profession_display()}"
        )

    def clean_consent_on(self) -> Any:
        value = self.cleaned_data["consent_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of agreement cannot be in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") != HandoverReason.GRADUATING:  # asked only when a student graduates
            data["info_sources"], data["info_summary"] = [], ""
            return data
        if not data.get("info_sources"):
            self.add_error("info_sources", _("Choose whom information was gathered from."))
        if not (data.get("info_summary") or "").strip():
            self.add_error("info_summary", _("Write what the gathered information shows."))
        return data


class RevisionForm(HiddenFieldErrorsMixin, forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)


class HandoverPrepForm(RevisionForm):
    """The preparatory meeting: when it was held, and a checklist of checkboxes.

    A newly ticked item is recorded as done on the date the form gives (the preparatory meeting's
    date, today by default); an item ticked before keeps its date; unticking clears it.
    """

    prep_met_on = forms.DateField(
        label=_("Preparatory meeting held on"),
        widget=DateInput(),
        required=False,
        help_text=_("Newly ticked items are recorded as done on this date."),
    )
    prep_agenda_agreed_on = forms.BooleanField(label=_("Agenda agreed"), required=False)
    prep_health_info_on = forms.BooleanField(label=_("Health information collected"), required=False)
    prep_rehabilitation_on = forms.BooleanField(
        label=_("Information on rehabilitation so far collected"), required=False
    )
    prep_statement_on = forms.BooleanField(
        label=_("Statement on work and functional capacity collected"), required=False
    )
    prep_nurse_invited_on = forms.BooleanField(label=_("The team's public health nurse invited"), required=False)
    prep_employment_invited_on = forms.BooleanField(
        label=_("Employment services' work ability coordinator invited"), required=False
    )
    prep_time_place_agreed_on = forms.BooleanField(
        label=_("Time and place of the transfer meeting agreed"), required=False
    )
    transfer_at = forms.DateTimeField(label=_("Transfer meeting date and time"), widget=DateTimeInput(), required=False)
    transfer_place = forms.CharField(label=_("Transfer meeting place"), max_length=200, required=False)
    prep_notes = forms.CharField(
        label=_("What will be discussed, notes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=8000,
        required=False,
    )

    CHECKLIST = tuple(name for name, _code in PREP_CHECKLIST)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.done_on = {name: self.initial.get(name) for name in self.CHECKLIST}  # the dates recorded so far
        if self.initial.get("prep_met_on") is None:
            self.initial["prep_met_on"] = timezone.localdate()
        for name, done in self.done_on.items():
            self.initial[name] = done is not None
            if isinstance(done, datetime.date):
                self.fields[name].help_text = _("Done on %(date)s.") % {"date": format_date(done)}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        met_on = data.get("prep_met_on")
        if met_on is not None and met_on > timezone.localdate():
            self.add_error("prep_met_on", _("The preparatory meeting cannot be in the future."))
        on = met_on or timezone.localdate()
        for name in self.CHECKLIST:  # ticked: the date it was done; not ticked: not done
            data[name] = (self.done_on.get(name) or on) if data.get(name) else None
        return data

    def checklist_fields(self) -> list[Any]:
        return [self[name] for name in self.CHECKLIST]


class HandoverTransferForm(RevisionForm):
    transfer_at = forms.DateTimeField(
        label=_("Date and time"), widget=DateTimeInput(), help_text=_("When the transfer meeting was held.")
    )
    transfer_place = forms.CharField(label=_("Place"), max_length=200, required=False)
    transfer_participants = forms.CharField(
        label=_("Participants"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("One per line: name, organisation."),
    )
    own_view = forms.CharField(
        label=_("The person's own view"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=8000,
        required=False,
        help_text=_("Ask first and write it in the person's own words."),
    )
    readiness = forms.CharField(
        label=_("Readiness to return to work"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        required=False,
    )
    own_assessment = forms.CharField(
        label=_("Own assessment of work ability"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        required=False,
    )
    work_ability_score = forms.IntegerField(
        label=_("Work ability score (0–10)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": WAS_MIN, "max": WAS_MAX, "step": 1, "inputmode": "numeric"}),
        help_text=_("Current work ability compared with the lifetime best: 0 = cannot work at all, 10 = at its best."),
        error_messages={"invalid": WAS_ERROR},
    )
    resources = forms.CharField(
        label=_("Resources and limitations"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False
    )
    skills = forms.CharField(
        label=_("Skills, education and work experience"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )
    receiving_nurse = forms.ModelChoiceField(
        label=_("Receiving nurse"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Not yet named"),
        help_text=_("The public health nurse of the person's service area in the receiving team."),
    )
    service_area = forms.CharField(
        label=_("Service area"),
        max_length=120,
        required=False,
        help_text=_("The area of the welfare region the person belongs to."),
    )
    job_search = forms.ChoiceField(
        label=_("Job search"),
        choices=JobSearch.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    job_search_note = forms.CharField(label=_("Why not started?"), max_length=500, required=False)
    other_help = forms.CharField(
        label=_("Other help secured"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        required=False,
        help_text=_("For example income support, rehabilitation or a Kela benefit."),
    )

    def __init__(self, *args: Any, nurses: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "receiving_nurse", nurses, lambda u: u.display_name)

    def clean_transfer_at(self) -> datetime.datetime:
        value: datetime.datetime = self.cleaned_data["transfer_at"]
        if value > timezone.now():
            raise forms.ValidationError(transfer_ahead_message())
        return value

    def clean_work_ability_score(self) -> int | None:
        value = self.cleaned_data.get("work_ability_score")
        if value is not None and not WAS_MIN <= value <= WAS_MAX:
            raise forms.ValidationError(WAS_ERROR)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("job_search") == JobSearch.NOT_STARTED and not (data.get("job_search_note") or "").strip():
            self.add_error("job_search_note", _("Write why job search was not started."))
        return data


class AcceptForm(forms.Form):
    status = forms.CharField(widget=forms.HiddenInput)
    pathway = forms.ModelChoiceField(
        label=_("Pathway"),
        queryset=Pathway.objects.none(),
        empty_label=None,
        required=False,
        help_text=_("Preselected from the reason of the handover. The steps the handover already did are marked done."),
    )

    def __init__(self, *args: Any, pathways: list[Pathway], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "pathway", Pathway.objects.filter(pk__in=[p.pk for p in pathways]).order_by("pk"), str)
