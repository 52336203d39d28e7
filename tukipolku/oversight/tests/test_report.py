"""The client's log report: found by identity code (POST), the last 2 years by default, a special
reason for an earlier start, rows aggregated per user and day in SQL, print and CSV export logged."""

import csv
import datetime
import io
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tukipolku.audit.choices import AccessAction, AccessOutcome
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory
from tukipolku.oversight.exports import csv_safe
from tukipolku.oversight.selectors import HELSINKI, client_log_report, day_start
from tukipolku.oversight.tests.helpers import browser_as, disclosure_rows, log_rows, review_rows

pytestmark = pytest.mark.django_db

REPORT = "/oversight/report/"


def _at(day, hour, minute=0):
    """An aware datetime at the given Finnish wall-clock time."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=HELSINKI)


def _fi(day):
    return f"{day.day}.{day.month}.{day.year}"


def _open_report(c, client_obj):
    response = c.post(REPORT, {"identity_code": client_obj.identity_code})
    assert response.status_code == 302
    return response


@pytest.fixture
def subject(db):
    return ClientFactory(first_names="Raili", last_name="Raportoitava")


# ---------------------------------------------------------------- the period


def test_report__default_period_is_the_last_two_years(reviewer, subject, nurse):
    today = timezone.localdate()
    log_rows(nurse, subject.pk, [timezone.now() - datetime.timedelta(days=1)])
    log_rows(nurse, subject.pk, [day_start(day=today - relativedelta(years=2)) - datetime.timedelta(minutes=1)])
    c = browser_as(reviewer)

    _open_report(c, subject)
    response = c.get(REPORT)

    assert response.status_code == 200
    state = response.context["state"]
    assert (state.since, state.until, state.reason) == (today - relativedelta(years=2), today, "")
    report = response.context["report"]
    nurse_reads = sum(a.count for a in report.accesses if a.user_name == nurse.display_name)
    assert nurse_reads == 1  # the row from just before the 2 years is left out
    form = response.context["period_form"]
    assert form.initial["since"] == today - relativedelta(years=2)
    assert not form.needs_reason()
    assert 'name="special_reason"' not in response.content.decode()


def test_report__earlier_start_needs_a_special_reason_error_next_to_field(reviewer, subject):
    c = browser_as(reviewer)
    _open_report(c, subject)
    today = timezone.localdate()
    early = today - relativedelta(years=2) - datetime.timedelta(days=1)

    response = c.post(reverse("oversight:report_period"), {"since": _fi(early), "until": _fi(today)})

    assert response.status_code == 400
    form = response.context["period_form"]
    assert form.errors == {"special_reason": ["The start is more than 2 years back: write the special reason."]}
    body = response.content.decode()
    # The error sits in the same field group as the special-reason input.
    group = re.search(r'<div class="field has-error">((?:(?!<div class="field).)*?)name="special_reason"', body, re.S)
    assert group is not None and "write the special reason" in group.group(1)
    assert f'value="{_fi(early)}"' in body  # what was typed stays
    assert response.context.get("report") is None  # no report while the new period has errors
    assert c.session["oversight_report"]["since"] == (today - relativedelta(years=2)).isoformat()  # unchanged


def test_report__special_reason_is_stored_in_the_access_log_row(reviewer, subject, nurse):
    c = browser_as(reviewer)
    _open_report(c, subject)
    today = timezone.localdate()
    early = today - relativedelta(years=5)
    log_rows(nurse, subject.pk, [_at(today - relativedelta(years=4), 12)])
    reason = "Epäilty väärinkäyttö, asiakkaan pyyntö 12.3."

    response = c.post(
        reverse("oversight:report_period"), {"since": _fi(early), "until": _fi(today), "special_reason": reason}
    )
    assert response.status_code == 302
    page = c.get(REPORT)

    assert sum(a.count for a in page.context["report"].accesses if a.user_name == nurse.display_name) == 1
    assert reason in page.content.decode()
    assert review_rows(reviewer)[-1].reason == reason
    assert page.context["period_form"].needs_reason()


def test_report__reason_is_dropped_within_two_years(reviewer, subject):
    c = browser_as(reviewer)
    _open_report(c, subject)
    today = timezone.localdate()

    c.post(
        reverse("oversight:report_period"),
        {"since": _fi(today - relativedelta(years=1)), "until": _fi(today), "special_reason": "Ei tarvita"},
    )

    assert c.session["oversight_report"]["reason"] == ""


@pytest.mark.parametrize(
    ("since", "until", "field", "message"),
    [
        (0, 1, "until", "The end date cannot be in the future."),
        (0, -1, "until", "The end date cannot be before the start date."),
        (None, 0, "since", "Enter a valid date."),
    ],
)
def test_report__bad_periods(reviewer, subject, since, until, field, message):
    c = browser_as(reviewer)
    _open_report(c, subject)
    today = timezone.localdate()

    response = c.post(
        reverse("oversight:report_period"),
        {
            "since": _fi(today + datetime.timedelta(days=since)) if since is not None else "31.2.2024",
            "until": _fi(today + datetime.timedelta(days=until)),
        },
    )

    assert response.status_code == 400
    assert message in response.context["period_form"].errors[field]


def test_report__unknown_identity_code(reviewer):
    from tukipolku.clients.tests.factories import make_identity_code

    response = browser_as(reviewer).post(REPORT, {"identity_code": make_identity_code(datetime.date(1970, 5, 5), 998)})

    assert response.status_code == 400
    assert response.context["find_form"].errors["identity_code"] == ["No client has this identity code."]
    assert response.context["client"] is None


def test_report__close_forgets_the_client(reviewer, subject):
    c = browser_as(reviewer)
    _open_report(c, subject)

    c.post(reverse("oversight:report_clear"))

    assert "oversight_report" not in c.session
    assert c.get(REPORT).context["client"] is None


# ---------------------------------------------------------------- aggregation


def test_client_log_report__aggregates_per_user_day_and_page(nurse, physician, partner, subject):
    day1 = datetime.date(2025, 1, 14)
    day2 = datetime.date(2025, 1, 15)
    other = ClientFactory()
    log_rows(nurse, subject.pk, [_at(day1, 9), _at(day1, 10), _at(day1, 11, 30)])
    log_rows(nurse, subject.pk, [_at(day1, 12), _at(day1, 13)], view="plans:edit", resource="")
    log_rows(physician, subject.pk, [_at(day1, 8)], outcome=AccessOutcome.DENIED, basis="none", reason="not_found")
    # 23:30 UTC on day 1 is 1:30 on day 2 in Finland: it belongs to day 2.
    late = datetime.datetime.combine(day1, datetime.time(23, 30), tzinfo=datetime.UTC)
    log_rows(nurse, subject.pk, [late, _at(day2, 9)])
    log_rows(nurse, other.pk, [_at(day1, 9)])  # another client
    log_rows(nurse, subject.pk, [_at(day2 + datetime.timedelta(days=1), 9)])  # after the period
    disclosure_rows(
        partner,
        subject.pk,
        [_at(day1, 14), _at(day1, 15)],
        recipient_organisation_id=partner.organisation_id,
        recipient_user_id=partner.pk,
        categories=["shared_plan"],
        consent_id=3,
    )
    disclosure_rows(partner, other.pk, [_at(day1, 14)])

    report = client_log_report(
        client_id=subject.pk, since=day_start(day=day1), until=day_start(day=day2 + datetime.timedelta(days=1))
    )

    got = [(a.day, a.user_name, a.what, a.outcome, a.count) for a in report.accesses]
    assert sorted(got) == sorted(
        [
            (day2, nurse.display_name, "Case page: client relationship", "allowed", 2),
            (day1, nurse.display_name, "Case page: client relationship", "allowed", 3),
            (day1, nurse.display_name, "Service plan", "allowed", 2),
            (day1, physician.display_name, "Case page: client relationship", "denied", 1),
        ]
    )
    assert report.accesses[0].day == day2  # newest day first
    assert report.access_count == 8
    nurse_day1 = next(a for a in report.accesses if a.day == day1 and a.what.startswith("Case"))
    assert nurse_day1.user_name == nurse.display_name
    assert nurse_day1.profession == "Public health nurse"
    assert nurse_day1.organisation == "Testikeskus"
    assert nurse_day1.basis == "Member of the client's team"
    assert timezone.localtime(nurse_day1.first_at, HELSINKI).time() == datetime.time(9)
    assert timezone.localtime(nurse_day1.last_at, HELSINKI).time() == datetime.time(11, 30)

    days = report.by_user_and_day()
    day1_people = sorted([(nurse.pk, nurse.display_name, 5, 2), (physician.pk, physician.display_name, 1, 1)])
    assert [(d.day, d.user_name, d.count, len(d.lines)) for d in days] == [
        (day2, nurse.display_name, 2, 1),
        *[(day1, name, count, lines) for _pk, name, count, lines in day1_people],
    ]

    assert [
        (d.day, d.recipient_organisation, d.recipient_user, d.categories, d.basis, d.count) for d in report.disclosures
    ] == [(day1, "TE-palvelut", partner.display_name, "Shared plan and coordination", "The client's consent", 2)]


def test_report_page__shows_groups_and_disclosures(reviewer, subject, nurse, partner):
    today = timezone.localdate()
    log_rows(nurse, subject.pk, [_at(today, 0, 5), _at(today, 0, 10)])
    disclosure_rows(partner, subject.pk, [_at(today, 0, 20)], recipient_organisation_id=partner.organisation_id)
    c = browser_as(reviewer)
    _open_report(c, subject)

    body = c.get(REPORT).content.decode()

    assert subject.full_name in body
    assert f"{_fi(subject.birth_date)}" in body
    assert nurse.display_name in body and "2 times" in body and "00:05–00:10" in body
    assert "TE-palvelut" in body
    assert "A refusal must be a written decision" in body
    assert "deceased person" in body


# ---------------------------------------------------------------- identity codes, logging, exports


def _assert_no_code(response, code):
    for name, value in response.headers.items():
        assert code not in value and code[:6] not in value, name
    body = response.content.decode("utf-8", "replace")
    for url in re.findall(r'(?:href|action|src|formaction)="([^"]*)"', body):
        assert code not in url and code[:6] not in url, url


def test_report__identity_code_never_in_a_url_or_location(reviewer, subject, nurse):
    log_rows(nurse, subject.pk, [timezone.now()])
    code = subject.identity_code
    c = browser_as(reviewer)
    today = timezone.localdate()

    responses = [
        c.post(REPORT, {"identity_code": code.lower()}),
        c.get(REPORT),
        c.post(reverse("oversight:report_period"), {"since": _fi(today - relativedelta(years=1)), "until": _fi(today)}),
        c.post(reverse("oversight:report_period"), {"since": "1.1.2000", "until": _fi(today)}),  # error page
        c.post(reverse("oversight:report_print")),
        c.post(reverse("oversight:report_export")),
        c.post(reverse("oversight:log"), {"identity_code": code}),
    ]

    for response in responses:
        _assert_no_code(response, code)
    locations = [r["Location"] for r in responses if r.has_header("Location")]
    assert locations == [REPORT, REPORT, f"/oversight/log/?client={subject.pk}"]
    assert code not in str(dict(c.session))


def test_report__view_print_and_export_are_logged(reviewer, subject, nurse):
    log_rows(nurse, subject.pk, [timezone.now()])
    c = browser_as(reviewer)
    _open_report(c, subject)

    c.get(REPORT)
    printed = c.post(reverse("oversight:report_print"))
    exported = c.post(reverse("oversight:report_export"))

    assert printed.status_code == 200 and "data-autoprint" in printed.content.decode()
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    assert exported["Content-Disposition"] == (
        f'attachment; filename="access-log-report-{subject.pk}-{timezone.localdate().isoformat()}.csv"'
    )
    rows = review_rows(reviewer)
    assert [(r.client_id, r.view, r.action, r.resource) for r in rows] == [
        (subject.pk, "oversight:report", AccessAction.SEARCH, "client"),
        (subject.pk, "oversight:report", AccessAction.VIEW, "access_log_report"),
        (subject.pk, "oversight:report", AccessAction.PRINT, "access_log_report"),
        (subject.pk, "oversight:report", AccessAction.EXPORT, "access_log_report"),
    ]
    assert {r.basis for r in rows} == {"data_protection_review"}


def test_report__print_and_export_need_a_client(reviewer):
    c = browser_as(reviewer)
    assert c.post(reverse("oversight:report_print"))["Location"] == REPORT
    assert c.post(reverse("oversight:report_export"))["Location"] == REPORT
    assert review_rows(reviewer) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+358 40 123", "'+358 40 123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Nieminen", "Nieminen"),
        ("", ""),
        (5, "5"),
    ],
)
def test_csv_safe__prefixes_formula_starts(value, expected):
    assert csv_safe(value) == expected


def test_report_export__defuses_formulas_in_names(reviewer, subject):
    evil_org = OrganisationFactory(name="@Organisaatio")
    evil = UserFactory(first_name="=cmd|' /C calc'!A0", last_name="-Hakkeri", organisation=evil_org)
    log_rows(evil, subject.pk, [timezone.now()])
    c = browser_as(reviewer)
    _open_report(c, subject)

    content = c.post(reverse("oversight:report_export")).content.decode("utf-8")

    assert content.startswith("\ufeff")
    cells = [cell for row in csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";") for cell in row]
    assert "'@Organisaatio" in cells
    assert f"'{evil.display_name}" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    assert subject.full_name in cells


# ---------------------------------------------------------------- query count


def _spread_rows(subject, users, count, start=0):
    """`count` access rows over different users, days and pages, and a disclosure every fifth."""
    now = timezone.now()
    for i in range(start, start + count):
        at = now - datetime.timedelta(days=i + 1, minutes=i)
        log_rows(users[i % len(users)], subject.pk, [at], view=f"cases:view{i % 4}")
        if i % 5 == 0:
            disclosure_rows(users[0], subject.pk, [at], recipient_user_id=users[-1].pk, recipient_organisation_id=1)


QUERY_BUDGET = 19 + (1 if connection.vendor == "postgresql" else 0)
"""Session, user, permissions, client, the reviewer's organisation and the client's welfare regions
(ADR 11), the two aggregates, names and organisations, the access-log append and their savepoints,
the navigation's unread-notification count; on PostgreSQL the audit
tripwire (tests/access/tripwire.py) reads the request's log rows once more."""


@pytest.mark.parametrize("rows", [5, 50])
def test_report_page__query_budget_whatever_the_rows(
    reviewer, subject, nurse, physician, partner, rows, django_assert_max_num_queries
):
    _spread_rows(subject, [nurse, physician, partner], rows)
    c = browser_as(reviewer)
    _open_report(c, subject)

    with django_assert_max_num_queries(QUERY_BUDGET):
        response = c.get(REPORT)

    assert response.context["report"].access_count == rows + 1  # and the officer's search


def test_report_page__same_query_count_for_5_and_50_rows(reviewer, subject, nurse, physician, partner):
    c = browser_as(reviewer)
    _open_report(c, subject)
    users = [nurse, physician, partner]
    _spread_rows(subject, users, 5)
    with CaptureQueriesContext(connection) as five:
        c.get(REPORT)
    _spread_rows(subject, users, 45, start=5)
    with CaptureQueriesContext(connection) as fifty:
        response = c.get(REPORT)

    assert response.context["report"].access_count == 50 + 2  # and the officer's search and first look
    assert len(fifty.captured_queries) == len(five.captured_queries)
