"""The one way to show a date or a time to a person.

Every date and time a user reads (pages, e-mails, notifications, history lines, CSV exports) goes
through these functions or their template filters (`{% load tukipolku %}`: `|format_date`,
`|format_datetime`, `|format_time`). The pattern comes from the active language's format module
(`tukipolku/core/formats/<lang>/formats.py`): d.m.yyyy and a 24-hour clock in Finnish, Swedish and
English alike (ADR 6). Aware date-times are shown in the current time zone (`TIME_ZONE`, Helsinki).

Templates may also use Django's `|date:` with a named locale format ("SHORT_DATE_FORMAT",
"SHORT_DATETIME_FORMAT"), which reads the same format module; an ad hoc pattern ("j.n.Y") or a
`strftime` anywhere else is refused by tests/shape/test_dates.py. Values stored for machines (audit
payloads, keys, file names) stay ISO 8601 (`.isoformat()`): they are not shown as such.
"""

from __future__ import annotations

import datetime

from django.utils import formats, timezone

DateLike = datetime.date | datetime.datetime | str | None


def _as_date(value: DateLike) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):  # an ISO date (or date-time) kept in an audit payload
        if len(value) == len("2026-12-06"):
            return datetime.date.fromisoformat(value)
        value = datetime.datetime.fromisoformat(value)
    if isinstance(value, datetime.datetime):
        return _local(value).date()
    return value


def _as_datetime(value: datetime.datetime | str | None) -> datetime.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return _local(value)


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def format_date(value: DateLike) -> str:
    """`6.12.2026`: a date (or the local date of a date-time, or an ISO string); "" for nothing.
    A string that is not ISO 8601 (an old payload) is shown as it is rather than failing the page."""
    try:
        day = _as_date(value)
    except ValueError:
        return str(value)
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day is not None else ""


def format_datetime(value: datetime.datetime | str | None) -> str:
    """`6.12.2026 14:30` in local time; "" for nothing; a non-ISO string as it is."""
    try:
        moment = _as_datetime(value)
    except ValueError:
        return str(value)
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT") if moment is not None else ""


def format_time(value: datetime.datetime | datetime.time | str | None) -> str:
    """`14:30` (the local clock time of a date-time); "" for nothing; a non-ISO string as it is."""
    if isinstance(value, datetime.time):
        return formats.time_format(value, "TIME_FORMAT")
    try:
        moment = _as_datetime(value)
    except ValueError:
        return str(value)
    return formats.time_format(moment, "TIME_FORMAT") if moment is not None else ""


MAX_UTC_OFFSET = datetime.timedelta(hours=14)  # the widest offset in use (UTC+14)


def instant_utc(value: datetime.datetime) -> datetime.datetime | None:
    """An aware date and time from outside (an API parameter, a FHIR body) in UTC, or None when it cannot
    be one: an offset wider than ±14 h (PostgreSQL refuses it, which was a server error) or a time that
    falls outside the years Python can hold once in UTC."""
    offset = value.utcoffset()
    if offset is None or abs(offset) > MAX_UTC_OFFSET:
        return None
    try:
        return value.astimezone(datetime.UTC)
    except OverflowError:
        return None
