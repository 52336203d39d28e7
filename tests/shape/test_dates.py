"""One date formatter (STYLE §11, issue 9 item 3): every date or time shown to a person goes through
`tukipolku/core/dates.py` or its template filters, and reads as d.m.yyyy with a 24-hour clock in every
language (ADR 6, `tukipolku/core/formats/`)."""

from __future__ import annotations

import ast
import datetime
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from tukipolku.core.dates import format_date, format_datetime, format_time

PACKAGE = Path(__file__).resolve().parents[2] / "tukipolku"
FORMATTER = PACKAGE / "core" / "dates.py"
FORMATTING_CALLS = {"strftime", "date_format", "time_format"}

EXEMPT = {
    # honest exceptions
    "sweep/management/commands/sweep_scheduler.py": "an operator's console line, ISO 8601 like every log",
    "demo/generator/plans.py": "synthetic entry text (a visit reference as a user would type it), stored data",
}
# Named locale formats read the same format module as core/dates.py; "c" is the machine-readable
# ISO value of a <time datetime="…"> attribute.
TEMPLATE_FORMATS = {"SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT", "c"}
TEMPLATE_FILTER = re.compile(r"\|(date|time)\b(?::(\"[^\"]*\"|'[^']*'))?")

UTC = datetime.UTC


def _python_files() -> list[Path]:
    return [
        p
        for p in PACKAGE.rglob("*.py")
        if "tests" not in p.parts and "migrations" not in p.parts and "formats" not in p.parts and p != FORMATTER
    ]


def _formatting(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in FORMATTING_CALLS:
                lines.append(node.lineno)
        elif isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr):
            spec = "".join(v.value for v in node.format_spec.values if isinstance(v, ast.Constant))
            if "%" in spec:  # f"{day:%d.%m.%Y}" is strftime by another name
                lines.append(node.lineno)
    return lines


def test_dates__only_core_dates_formats_dates_for_people():
    offenders = []
    for path in _python_files():
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in EXEMPT:
            continue
        offenders += [f"{rel}:{line}" for line in _formatting(ast.parse(path.read_text(encoding="utf-8")))]
    assert offenders == [], f"format dates with tukipolku.core.dates (format_date, …): {offenders}"


def test_dates__exemptions_are_still_needed():
    for rel in EXEMPT:
        path = PACKAGE / rel
        assert path.exists() and _formatting(ast.parse(path.read_text(encoding="utf-8"))), f"drop {rel} from EXEMPT"


def test_dates__templates_use_the_filters_or_a_named_locale_format():
    offenders = []
    for path in [*PACKAGE.rglob("*.html"), *PACKAGE.rglob("*.txt")]:
        if "templates" not in path.parts:
            continue
        for match in TEMPLATE_FILTER.finditer(path.read_text(encoding="utf-8")):
            fmt = (match.group(2) or "")[1:-1]
            if fmt not in TEMPLATE_FORMATS:
                offenders.append(f"{path.relative_to(PACKAGE)}: {match.group(0)}")
    assert offenders == [], f"use |format_date, |format_datetime or |format_time: {offenders}"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_format_date__finnish_style_in_every_language(language):
    with translation.override(language):
        assert format_date(datetime.date(2026, 3, 5)) == "5.3.2026"
        assert format_date("2026-12-06") == "6.12.2026"  # an ISO date kept in an audit payload
        # the local (Helsinki) date of a moment: 23:30 UTC on 5 March is already 6 March in Finland
        assert format_date(datetime.datetime(2026, 3, 5, 23, 30, tzinfo=UTC)) == "6.3.2026"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_format_datetime__local_24_hour_clock_in_every_language(language):
    with translation.override(language):
        assert format_datetime(datetime.datetime(2026, 12, 6, 12, 5, tzinfo=UTC)) == "6.12.2026 14:05"
        assert format_datetime("2026-07-01T06:30:00+00:00") == "1.7.2026 09:30"  # summer time
        assert format_time(datetime.datetime(2026, 12, 6, 21, 0, tzinfo=UTC)) == "23:00"
        assert format_time(datetime.time(8, 15)) == "08:15"


def test_format_date__nothing_is_empty_and_an_unreadable_value_is_shown_as_it_is():
    assert format_date(None) == format_date("") == format_datetime(None) == format_time(None) == ""
    assert format_date("viime viikolla") == "viime viikolla"
    assert format_datetime("2026-13-45T99:00") == "2026-13-45T99:00"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_template_filters__same_text_as_the_functions(language):
    template = Template(
        "{% load tukipolku %}{{ day|format_date }} {{ moment|format_datetime }}–{{ moment|format_time }}"
    )
    moment = datetime.datetime(2026, 12, 6, 12, 5, tzinfo=UTC)
    with translation.override(language):
        text = template.render(Context({"day": datetime.date(2026, 12, 24), "moment": moment}))
    assert text == "24.12.2026 6.12.2026 14:05–14:05"
