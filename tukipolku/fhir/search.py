"""Search parameter parsing shared by every resource type: `date` with its prefixes, token lists,
references (`patient=Patient/12` or `patient=12`), `_count`. A malformed value is a `FhirError`
(400 OperationOutcome, translated), never a 500."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from tukipolku.core.dates import instant_utc
from tukipolku.fhir.outcome import FhirError

DEFAULT_COUNT = 50
MAX_COUNT = 200
DATE_PREFIXES = ("eq", "ne", "lt", "le", "gt", "ge", "sa", "eb")


def count_of(raw: str | None) -> int:
    if raw in (None, ""):
        return DEFAULT_COUNT
    if not str(raw).isdigit():
        raise FhirError(_("_count must be a whole number."))
    return max(1, min(int(str(raw)), MAX_COUNT))


def offset_of(raw: str | None) -> int:
    if raw in (None, ""):
        return 0
    if not str(raw).isdigit() or len(str(raw)) > 9:
        raise FhirError(_("The page link is not valid: follow the links of the Bundle."))
    return int(str(raw))


def pk_of(raw: str, *, prefix: str = "") -> int | None:
    """The database id in a FHIR id (`12`, or `<prefix>12`), or None when it cannot be one of ours."""
    text = raw.strip()
    if prefix:
        if not text.startswith(prefix):
            return None
        text = text[len(prefix) :]
    if not text.isdigit() or len(text) > 18:
        return None
    return int(text)


def ids_of(raw: str, *, prefix: str = "") -> list[int]:
    """`_id=1,2,3`: the ids that can be ours (the others match nothing)."""
    return [pk for part in raw.split(",") if (pk := pk_of(part, prefix=prefix)) is not None]


def reference_ids(raw: str, resource_type: str) -> list[int]:
    """`patient=Patient/12,13`: the ids; a reference to another type is refused."""
    out = []
    for part in raw.split(","):
        part = part.strip()
        if "/" in part:
            kind, _sep, part = part.rpartition("/")
            if kind.rsplit("/", 1)[-1] != resource_type:
                raise FhirError(_("This search parameter takes a reference to %(type)s.") % {"type": resource_type})
        pk = pk_of(part)
        if pk is not None:
            out.append(pk)
    return out


def tokens(raw: str) -> list[str]:
    """`status=active,finished`: the codes (a `system|` prefix is dropped)."""
    return [part.rsplit("|", 1)[-1].strip() for part in raw.split(",") if part.strip()]


def _bounds(value: str) -> tuple[datetime.datetime, datetime.datetime]:
    """The instant range a FHIR date or dateTime value stands for (a day, a month, a year, an instant)."""
    tz = timezone.get_current_timezone()
    parsed_datetime = parse_datetime(value) if "T" in value else None
    if parsed_datetime is not None:
        start = parsed_datetime if timezone.is_aware(parsed_datetime) else timezone.make_aware(parsed_datetime, tz)
        utc = instant_utc(start)
        if utc is None:  # an offset PostgreSQL refuses, or out of range
            raise ValueError(value)
        return utc, utc
    if len(value) == 4 and value.isdigit():
        first, last = datetime.date(int(value), 1, 1), datetime.date(int(value) + 1, 1, 1)
    elif (
        len(value) == 7
        and value[:4].isdigit()
        and value[4] == "-"
        and value[5:].isdigit()
        and 1 <= int(value[5:]) <= 12
    ):
        year, month = int(value[:4]), int(value[5:])
        first = datetime.date(year, month, 1)
        last = datetime.date(year + (month == 12), month % 12 + 1, 1)
    else:
        day = parse_date(value) if len(value) == 10 else None
        if day is None:
            raise ValueError(value)
        first, last = day, day + datetime.timedelta(days=1)
    start = datetime.datetime.combine(first, datetime.time.min, tz)
    end = datetime.datetime.combine(last, datetime.time.min, tz) - datetime.timedelta(microseconds=1)
    return start, end


def date_q(raw_values: list[str], field: str) -> Q:
    """`date=ge2026-01-01&date=lt2026-02-01` on a datetime or date field."""
    q = Q()
    for raw in raw_values:
        prefix, value = ("eq", raw)
        if raw[:2] in DATE_PREFIXES:
            prefix, value = raw[:2], raw[2:]
        try:
            start, end = _bounds(value)
        except (ValueError, OverflowError):
            raise FhirError(
                _("The date %(value)s is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime).")
                % {"value": value[:40]}
            ) from None
        lookups: dict[str, Any] = {
            "eq": Q(**{f"{field}__gte": start, f"{field}__lte": end}),
            "ne": ~Q(**{f"{field}__gte": start, f"{field}__lte": end}),
            "lt": Q(**{f"{field}__lt": start}),
            "eb": Q(**{f"{field}__lt": start}),
            "le": Q(**{f"{field}__lte": end}),
            "gt": Q(**{f"{field}__gt": end}),
            "sa": Q(**{f"{field}__gt": end}),
            "ge": Q(**{f"{field}__gte": start}),
        }
        q &= lookups[prefix]
    return q
