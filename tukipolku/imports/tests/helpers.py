"""Building import files in tests (synthetic identity codes, test range 900–999)."""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tukipolku.clients.tests.factories import make_identity_code

HEADINGS = ["Henkilötunnus", "Sukunimi", "Etunimet", "Alkupäivä", "Kunta", "Tiimi"]


def code(n: int) -> str:
    """The n-th synthetic identity code (n < 36,000)."""
    birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=n // 100)
    return make_identity_code(birth, 900 + n % 100)


def csv_bytes(
    rows: list[list[str]], *, headings: list[str] = HEADINGS, sep: str = ";", encoding: str = "utf-8"
) -> bytes:
    lines = [sep.join(headings)] + [sep.join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list[object]], *, headings: list[str] = HEADINGS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headings)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(data: bytes, name: str = "asiakkaat.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)
