"""Reading an uploaded spreadsheet as rows of cells, streaming: CSV in UTF-8 (with or without a byte
order mark), UTF-16 with a byte order mark or Windows-1252, separated by semicolons, commas or tabs;
XLSX through openpyxl in read-only mode. Nothing here holds more than one row at a time."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

from tukipolku.core.exceptions import ApplicationError
from tukipolku.imports.choices import FileKind

CHUNK = 1 << 20
FIELD_LIMIT = 8 << 20
"""The CSV reader's limit for one cell: far above any real value, so that a 1 MB cell reaches the row
check and is refused there with the row's number, instead of stopping the whole file."""
csv.field_size_limit(FIELD_LIMIT)

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # the old .xls format
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")

Cell = str | datetime.date | datetime.datetime | int | float | None


class FileProblem(ApplicationError):
    """The file as a whole cannot be read (not a spreadsheet, unknown encoding, no heading row)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


@dataclass
class Shape:
    """What the first look at a file found."""

    kind: str
    encoding: str = ""
    delimiter: str = ""
    headers: list[str] | None = None
    rows: int = 0  # data rows, estimated for CSV (lines), from the sheet's dimension for XLSX


@dataclass
class Row:
    number: int  # as a spreadsheet program numbers it: the heading row is 1
    cells: list[Cell]
    problem: str = ""


def _detect_encoding(stream: IO[bytes]) -> tuple[str, int]:
    """The encoding of a text file and its number of lines, in one pass over the bytes."""
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        lines = 0
        decoder = codecs.getincrementaldecoder("utf-16")()
        try:
            while chunk := stream.read(CHUNK):
                lines += decoder.decode(chunk).count("\n")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise FileProblem(_("The file is not readable text in UTF-16.")) from exc
        return "utf-16", lines
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8, cp1252_ok, nuls, size, lines = True, True, 0, 0, 0
    while chunk := stream.read(CHUNK):
        lines += chunk.count(b"\n")
        nuls += chunk.count(b"\x00")
        size += len(chunk)
        if is_utf8:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                is_utf8 = False
        if cp1252_ok and not _CP1252_UNDEFINED.isdisjoint(chunk):
            cp1252_ok = False
    if nuls > 16 and nuls * 100 > size:  # a binary file; a stray NUL in a cell is the row check's
        raise FileProblem(
            _(
                "The file is not a CSV text file nor an XLSX workbook. "
                "Save it from the spreadsheet program as CSV or XLSX."
            )
        )
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    if is_utf8:
        return ("utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"), lines
    if cp1252_ok:
        return "cp1252", lines
    raise FileProblem(
        _(
            "The characters of the file are not in UTF-8 nor in Windows-1252. "
            "Save it as “CSV UTF-8” and upload it again."
        )
    )


def _text(stream: IO[bytes], encoding: str) -> io.TextIOWrapper:
    stream.seek(0)
    return io.TextIOWrapper(stream, encoding=encoding, newline="", errors="strict")


def _guess_delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def inspect(stream: IO[bytes]) -> Shape:
    """Find the kind, encoding, separator and headings of a file (FileProblem when it is unreadable)."""
    stream.seek(0)
    magic = stream.read(4)
    if magic == _OLE:
        raise FileProblem(_("This is the old Excel format (.xls). Save the sheet as XLSX or CSV and upload it again."))
    if magic == _ZIP:
        return _inspect_xlsx(stream)
    encoding, lines = _detect_encoding(stream)
    text = _text(stream, encoding)
    try:
        first = text.readline()
        delimiter = _guess_delimiter(first)
        text.seek(0)
        reader = csv.reader(text, delimiter=delimiter)
        headers = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        raise FileProblem(_("The heading row of the file cannot be read.")) from exc
    finally:
        text.detach()
    if not headers or not any(h.strip() for h in headers):
        raise FileProblem(_("The file is empty or its first row has no column headings."))
    return Shape(FileKind.CSV, encoding, delimiter, [h.strip() for h in headers], max(lines - 1, 0))


def _open_workbook(stream: IO[bytes]) -> Any:
    from openpyxl import load_workbook

    stream.seek(0)
    try:
        # data_only=False: a formula comes as its text ("=..."), and the row check refuses it.
        return load_workbook(stream, read_only=True, data_only=False)
    except Exception as exc:
        raise FileProblem(_("The file looks like an XLSX workbook but cannot be opened.")) from exc


def _inspect_xlsx(stream: IO[bytes]) -> Shape:
    workbook = _open_workbook(stream)
    try:
        sheet = workbook.worksheets[0]
        first = next(sheet.iter_rows(max_row=1, values_only=True), None)
        rows = max((sheet.max_row or 1) - 1, 0)
    except Exception as exc:
        raise FileProblem(_("The file looks like an XLSX workbook but cannot be opened.")) from exc
    finally:
        workbook.close()
    headers = [str(h).strip() if h is not None else "" for h in (first or ())]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise FileProblem(_("The file is empty or its first row has no column headings."))
    return Shape(FileKind.XLSX, headers=headers, rows=rows)


def _blank(cells: list[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def rows(stream: IO[bytes], *, kind: str, encoding: str = "", delimiter: str = ",") -> Iterator[Row]:
    """The data rows after the heading row, one at a time; blank rows are skipped. A row the CSV reader
    cannot parse comes with its `problem` and no cells."""
    if kind == FileKind.XLSX:
        yield from _xlsx_rows(stream)
        return
    text = _text(stream, encoding)
    reader = csv.reader(text, delimiter=delimiter)
    number = 1
    try:
        next(reader, None)
        while True:
            number += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                yield Row(number, [], _("The row cannot be read: check its quotation marks."))
                continue
            if not _blank(list(cells)):
                yield Row(number, list(cells))
    finally:
        text.detach()


def _xlsx_rows(stream: IO[bytes]) -> Iterator[Row]:
    workbook = _open_workbook(stream)
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            cells: list[Cell] = list(values)
            if not _blank(cells):
                yield Row(number, cells)
    finally:
        workbook.close()
