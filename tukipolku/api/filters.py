"""Query-parameter filters shared by the API's list endpoints."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField

from tukipolku.core.dates import instant_utc


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date and time, turned into UTC before it reaches the database: an offset wider than
    ±14 h or a time that cannot be expressed in UTC is invalid input (a 400 with the field's message),
    never a database error (PostgreSQL refuses such offsets: it was a 500)."""

    def to_python(self, value: object) -> dt.datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        if parsed.utcoffset() is None:
            return parsed
        utc = instant_utc(parsed)
        if utc is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return utc


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField
