"""Input shapes of the import pages; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tukipolku.core.models import Team
from tukipolku.imports.columns import COLUMNS


class ImportUploadForm(forms.Form):
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        help_text=_("The rows go to this team unless the file has a team column."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8 or Windows-1252, separated by semicolons or commas) or XLSX. "
            "The first row holds the column headings."
        ),
    )

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = teams
        if teams.count() == 1:
            field.initial = teams.first()


class ImportColumnsForm(forms.Form):
    """One choice per field: which of the file's columns holds it."""

    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, headers: list[str], mapping: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in the file —")), *[(str(i), h or f"#{i + 1}") for i, h in enumerate(headers)]]
        for column in COLUMNS:
            self.fields[column.key] = forms.ChoiceField(
                label=column.label,
                choices=choices,
                required=False,
                help_text=column.help,
                initial=str(mapping[column.key]) if column.key in mapping else "",
            )

    def mapping(self) -> dict[str, int]:
        return {c.key: int(self.cleaned_data[c.key]) for c in COLUMNS if self.cleaned_data.get(c.key) not in (None, "")}
