"""Form helpers shared by every module: Finnish-style date inputs and service-error mapping."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tukipolku.core.exceptions import ApplicationError


class DateInput(forms.DateInput):
    """A date typed the Finnish way (d.m.yyyy) in every language; ISO dates are accepted too."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {"placeholder": _("d.m.yyyy"), "autocomplete": "off", "size": 12, "class": "date"}
        super().__init__(attrs={**base, **(attrs or {})}, format="%-d.%-m.%Y")


class DateTimeInput(forms.DateTimeInput):
    """A date and a 24-hour time, typed the Finnish way (d.m.yyyy hh:mm)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {"placeholder": _("d.m.yyyy hh:mm"), "autocomplete": "off", "size": 18, "class": "date"}
        super().__init__(attrs={**base, **(attrs or {})}, format="%-d.%-m.%Y %H:%M")


class FormRenderer(DjangoTemplates):
    """Wraps every field group in a div so that layouts can place label, help, error and input together.

    Inputs get no `maxlength`: a browser cuts typed or pasted text at it without a word, and a name or
    a note would be saved shortened. The field's `max_length` is checked on the server instead, and
    the error says how long the text may be, next to the field, with the text kept.
    """

    field_template_name = "core/field.html"

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if isinstance(widget, dict) and "maxlength" in widget.get("attrs", {}):
            widget["attrs"] = {k: v for k, v in widget["attrs"].items() if k != "maxlength"}
        return super().render(template_name, context, request)


class HiddenFieldErrorsMixin:
    """A hidden field (the status or revision a page was loaded with) has nowhere to show an error: a
    missing or mangled value is told at the top of the form instead, once, with what to do."""

    hidden_error_message = _("This page was out of date or incomplete. Reload the page and try again.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}  # type: ignore[misc]
        form: Any = self
        moved = False
        for bound in form.hidden_fields():
            if bound.name in form._errors:
                del form._errors[bound.name]
                moved = True
        if moved:
            form.add_error(None, self.hidden_error_message)
        return data


def add_service_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal next to the field it concerns, or at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def set_queryset(form: forms.Form, name: str, queryset: Any, label: Any = None) -> None:
    """Narrow a model choice field to what this user may pick, with an optional option label."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset
    if label is not None:
        field.label_from_instance = label  # type: ignore[method-assign]


def set_choices(form: forms.Form, name: str, choices: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def attempt(form: forms.Form | HttpRequest, service: Any, /, **kwargs: Any) -> tuple[bool, Any]:
    """The one way a view calls a service: in a savepoint, with the refusal shown to the user.

    `(True, result)` when the service succeeds. On a domain refusal (`ApplicationError`, including
    `ConflictError`) nothing it wrote stays, and `(False, refusal)` comes back: the refusal's message
    goes next to the field it concerns, or on top of the form; when the view has no form (a button)
    pass the request and it becomes an error message on the next page. A view that shows a conflict
    differently (the saved version next to what was typed) checks `isinstance(refusal, ConflictError)`.
    Checked for every view by tests/shape/test_views_attempt.py."""
    try:
        with transaction.atomic():
            return True, service(**kwargs)
    except ApplicationError as exc:
        if isinstance(form, HttpRequest):
            messages.error(form, exc.message)
        else:
            add_service_error(form, exc)
        return False, exc
