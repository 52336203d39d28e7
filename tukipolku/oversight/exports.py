"""The client's log report as CSV, for a spreadsheet (Finnish Excel: semicolons, UTF-8 with a BOM).

Every text cell that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage
return) gets a leading apostrophe (OWASP "CSV injection"): user names, organisation names and free
text come from users and must never run as formulas on the officer's machine.
"""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.clients.models import Client
from tukipolku.core.dates import format_date, format_time
from tukipolku.oversight.selectors import HELSINKI, ClientLogReport

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> str:
    """The cell as text, defused if a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def report_csv(*, client: Client, report: ClientLogReport, state_reason: str = "") -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")

    def row(*cells: Any) -> None:
        writer.writerow([csv_safe(c) for c in cells])

    last_day = timezone.localtime(report.until, HELSINKI).date() - datetime.timedelta(days=1)
    row(_("Access log report"))
    row(_("Client"), client.full_name, _("born"), format_date(client.birth_date))
    row(_("Period"), format_date(timezone.localtime(report.since, HELSINKI).date()), format_date(last_day))
    if state_reason:
        row(_("Special reason"), state_reason)
    row()
    row(_("Who viewed the data"))
    row(
        _("Date"),
        _("First"),
        _("Last"),
        _("User"),
        _("Profession"),
        _("Organisation"),
        _("What"),
        _("Action"),
        _("Basis"),
        _("Outcome"),
        _("Times"),
    )
    for a in report.accesses:
        row(
            format_date(a.day),
            format_time(a.first_at),
            format_time(a.last_at),
            a.user_name,
            a.profession,
            a.organisation,
            a.what,
            a.action,
            a.basis,
            a.outcome_label,
            a.count,
        )
    row()
    row(_("To whom the data was disclosed"))
    row(
        _("Date"),
        _("First"),
        _("Last"),
        _("Disclosed by"),
        _("Disclosing organisation"),
        _("Recipient organisation"),
        _("Recipient"),
        _("Data categories"),
        _("Basis"),
        _("Times"),
    )
    for d in report.disclosures:
        row(
            format_date(d.day),
            format_time(d.first_at),
            format_time(d.last_at),
            d.user_name,
            d.controller,
            d.recipient_organisation,
            d.recipient_user,
            d.categories,
            d.basis,
            d.count,
        )
    return out.getvalue()
