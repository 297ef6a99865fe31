"""Tables as offices keep them: CSV the way Excel saves it (comma or semicolon, BOM, CRLF, the
Windows code page) and Excel workbooks (.xlsx, first sheet). ``read_rows`` is a pure function of the
file, so a cache keyed by the file's hash can wrap it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import ContentError
from ..i18n import _

TABLE_SUFFIXES = (".csv", ".xlsx")
Row = tuple[int, tuple[str, ...]]  # (row number in the file, cells as text)


def read_rows(path: Path, rel: str | None = None) -> list[Row]:
    """Every non-empty row, header included, each with its row number (as Excel or an editor shows it)."""
    rel = rel or str(path)
    if path.suffix.lower() == ".xlsx":
        return _xlsx_rows(path, rel)
    if path.suffix.lower() in (".xls", ".ods"):
        raise ContentError(rel, _("this spreadsheet format is not read: save it as .xlsx or .csv"))
    return _csv_rows(path, rel)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:  # Excel's "CSV" on Windows saves in the ANSI code page
        return data.decode("cp1252", errors="replace")


def _csv_rows(path: Path, rel: str) -> list[Row]:
    try:
        text = _decode(path.read_bytes())
    except OSError as e:
        raise ContentError(rel, _("cannot read: {reason}").format(reason=e.strerror)) from e
    try:  # Excel writes ';' where the decimal separator is a comma (an Indonesian Windows)
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[Row] = []
    try:
        for cells in reader:
            stripped = tuple([c.strip() for c in cells])  # a list, not a generator: this runs once per row
            if any(stripped):
                rows.append((reader.line_num, stripped))
    except csv.Error as e:
        raise ContentError(rel, _("not a readable CSV file: {error}").format(error=e), line=reader.line_num) from None
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():  # a phone number typed as a number
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _xlsx_rows(path: Path, rel: str) -> list[Row]:
    import openpyxl  # only when an Excel file is there: it takes a moment to import
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as e:
        raise ContentError(rel, _("cannot read: {reason}").format(reason=e.strerror)) from e
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as e:
        raise ContentError(rel, _("not a readable Excel file (.xlsx): {error}").format(error=e)) from None
    try:
        sheet = book.worksheets[0]
        rows: list[Row] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            cells = tuple(_cell(v) for v in values)
            if any(cells):
                rows.append((number, cells))
        return rows
    finally:
        book.close()
