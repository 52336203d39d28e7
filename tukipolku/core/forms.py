"""Form helpers shared by every module: Finnish-style date inputs and service-error mapping."""

from __future__ import annotations

from typing import Any

from django import forms

from tukipolku.core.exceptions import ApplicationError


class DateInput(forms.DateInput):
    """A native date picker; the value travels as ISO 8601 and is shown in the browser's locale."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def add_service_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal next to the field it concerns, or at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
