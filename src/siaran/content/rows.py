"""Tables as offices keep them: CSV the way Excel saves it (comma or semicolon, BOM, CRLF, the
Windows code page) and Excel workbooks (.xlsx, first sheet). ``read_rows`` is a pure function of the
file, so a cache keyed by the file's hash can wrap it.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import ContentError
from ..i18n import _
from .files import CONTROL, control_character, control_line

TABLE_SUFFIXES = (".csv", ".xlsx")
Row = tuple[int, tuple[str, ...]]  # (row number in the file, cells as text)
MAX_ROWS = 200_000  # rows of one list (a kelurahan has a few thousand households)
MAX_CELLS = 4_000_000  # cells of one list: MAX_ROWS rows of 20 columns
MAX_XLSX_BYTES = 100_000_000  # a workbook unpacked: the zip's own sizes, which zipfile holds each part to


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
    problem = control_character(text)
    if problem:
        raise ContentError(rel, problem, line=control_line(text))
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[Row] = []
    try:
        for cells in reader:
            stripped = tuple([c.strip() for c in cells])  # a list, not a generator: this runs once per row
            if any(stripped):
                rows.append((reader.line_num, stripped))
                if len(rows) > MAX_ROWS:
                    _bounded(rows, rel)
    except csv.Error as e:
        raise ContentError(rel, _("not a readable CSV file: {error}").format(error=e), line=reader.line_num) from None
    return rows


def _bounded(rows: list[Row], rel: str) -> None:
    if len(rows) > MAX_ROWS:
        raise ContentError(
            rel,
            _("more than {limit} rows: split the list into several files").format(limit=f"{MAX_ROWS:,}"),
            line=rows[-1][0],
        )


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

    _check_unpacked_size(path, rel)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as e:
        raise ContentError(rel, _("cannot read: {reason}").format(reason=e.strerror)) from None
    except Exception as e:  # openpyxl and the XML parsers under it raise many kinds for a damaged file
        raise _unreadable(rel, e) from None
    try:
        sheet = book.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):  # a read-only sheet: don't pad rows to what it claims (XFD1048576)
            sheet.reset_dimensions()
        rows: list[Row] = []
        cells_seen = 0
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            cells_seen += len(values)
            if cells_seen > MAX_CELLS:
                raise ContentError(
                    rel,
                    _("more than {limit} cells: keep only the columns the list needs").format(limit=f"{MAX_CELLS:,}"),
                    line=number,
                )
            cells = tuple(_cell(v) for v in values)
            if any(cells):
                _no_control(cells, rel, number)
                rows.append((number, cells))
                _bounded(rows, rel)
        return rows
    except ContentError:
        raise
    except Exception as e:  # a part that is damaged further in: the same clear error
        raise _unreadable(rel, e) from None
    finally:
        book.close()


def _check_unpacked_size(path: Path, rel: str) -> None:
    import zipfile  # only for .xlsx lists

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except OSError as e:
        raise ContentError(rel, _("cannot read: {reason}").format(reason=e.strerror)) from None
    except (zipfile.BadZipFile, ValueError, EOFError) as e:
        raise _unreadable(rel, e) from None
    if unpacked > MAX_XLSX_BYTES:
        raise ContentError(
            rel,
            _("the workbook unpacks to more than {size} MB: keep only the list in it, or save it as .csv").format(
                size=f"{MAX_XLSX_BYTES / 1e6:g}"
            ),
        )


def _unreadable(rel: str, error: BaseException) -> ContentError:
    detail = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
    return ContentError(
        rel, _("not a readable Excel file (.xlsx): {error}; open it in Excel and save it again").format(error=detail)
    )


def _no_control(cells: tuple[str, ...], rel: str, number: int) -> None:
    """XML keeps most control characters out of a workbook, not DEL; one search per row."""
    if not CONTROL.search("\n".join(cells)):
        return
    for index, cell in enumerate(cells):
        problem = control_character(cell)
        if problem:
            raise ContentError(rel, problem, line=number, column=index + 1)
