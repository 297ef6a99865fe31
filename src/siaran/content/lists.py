"""content/lists/*.csv and *.xlsx: broadcast lists. Columns: nama, nomor (+ any extra, e.g. rt, rw)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from operator import itemgetter
from pathlib import Path

from ..errors import ContentError
from ..i18n import _
from .files import UnsafeFile, content_file
from .model import BroadcastList, Recipient
from .phone_book import PhoneBook
from .phones import parse_phone
from .rows import TABLE_SUFFIXES, Row, read_rows

NAME_COLUMNS = ("nama", "name")
MAX_LIST_BYTES = 200_000_000  # ~4 million rows
PHONE_COLUMNS = ("nomor", "telepon", "hp", "no_hp", "whatsapp", "phone", "no_wa", "nomor_hp", "nomor_wa")
SCIENTIFIC = re.compile(r"^\d([.,]\d+)?E\+?\d+$", re.IGNORECASE)


def list_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*") if p.suffix.lower() in TABLE_SUFFIXES and not p.name.startswith("~$"))


def lists_by_name(folder: Path) -> tuple[dict[str, Path], list[Path]]:
    """List name (file stem) → its file, CSV or Excel; and the second files for a name taken already."""
    files: dict[str, Path] = {}
    extra: list[Path] = []
    for path in list_files(folder):
        if path.stem in files:
            extra.append(path)
        else:
            files[path.stem] = path
    return files, extra


def _key(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", heading.lower()).strip("_")


def column(header: list[str], names: tuple[str, ...]) -> int | None:
    """Index of the first column named one of ``names`` ("No. HP" and "no_hp" are the same)."""
    keys = [_key(h) for h in header]
    return next((keys.index(n) for n in names if n in keys), None)


def header_problem(header: list[str]) -> str:
    """Why this header cannot be read without guessing ('' when it can): two columns with one name
    ("nomor,nomor", "No. HP,no_hp"), or two phone or two name columns ("nomor,whatsapp")."""
    first: dict[str, str] = {}
    for heading in header:
        key = _key(heading)
        if key and key in first:
            return _("columns {a!r} and {b!r} have the same name: rename or remove one").format(a=first[key], b=heading)
        if key:
            first[key] = heading
    for names in (PHONE_COLUMNS, NAME_COLUMNS):
        found = [h for h in header if _key(h) in names]
        if len(found) > 1:
            return _("columns {a!r} and {b!r} both could be the one to use: rename or remove one").format(
                a=found[0], b=found[1]
            )
    return ""


def phone_reason(raw: str, region: str, parse: Callable[[str], tuple[str, str]] | None = None) -> tuple[str, str]:
    """(E.164, "") or ("", why, in the operator's language); ``parse``: a phone book's (same answers)."""
    phone, reason = parse(raw) if parse is not None else parse_phone(raw, region)
    if phone:
        return phone, ""
    if SCIENTIFIC.match(raw.strip()):
        return "", _("Excel shortened the number to {value}: format the column as Text and save again").format(
            value=raw
        )
    return "", _(reason)


def load_list(
    path: Path,
    rel: str,
    region: str = "ID",
    rows: list[Row] | None = None,
    book: PhoneBook | None = None,
    *,
    first_only: bool = False,
) -> BroadcastList:
    """Invalid rows are kept in ``invalid`` (never dropped silently); a bad header raises. ``book``:
    numbers parsed before, by raw text (only new raw texts go through phonenumbers). ``first_only``:
    the file is read and checked whole, its people only up to the first valid one."""
    if rows is None:
        try:  # a FIFO would hang every command; a link may not leave content/
            content_file(path.parents[1], path, max_bytes=MAX_LIST_BYTES)
        except UnsafeFile as e:
            raise ContentError(rel, str(e)) from None
    rows = read_rows(path, rel) if rows is None else rows
    if not rows:
        raise ContentError(rel, _("list is empty: the first line must name the columns, e.g. nama,nomor"), line=1)
    first, cells = rows[0]
    header = [h.strip().lower() for h in cells]
    problem = header_problem(list(cells))
    if problem:
        raise ContentError(rel, problem, line=first, field="header")
    phone_col = column(header, PHONE_COLUMNS)
    if phone_col is None:
        raise ContentError(
            rel,
            _("no phone column: the first line must include one of {names}").format(names=", ".join(PHONE_COLUMNS)),
            line=first,
            field="header",
        )
    name_col = column(header, NAME_COLUMNS)
    own = {phone_col, name_col}  # kept once, as the recipient's phone and name
    columns = (header[name_col] if name_col is not None else "", header[phone_col])
    recipients: list[Recipient] = []
    invalid: list[tuple[int, str, str]] = []
    twins: list[tuple[int, int]] = []
    seen: dict[str, int] = {}  # phone → index in recipients
    # One number, one message; a household sharing it is greeted by every name (model.add_name's rule:
    # each new name once, by casefold). Gathered per number and joined at the end: linear in the rows.
    names: dict[int, dict[str, str]] = {}
    fields, stem = _fields(header, own), path.stem
    raws = [row[phone_col] if phone_col < len(row) else "" for _line, row in rows[1:]]
    parse = book.parser(raws[:16] if first_only else raws) if book is not None else _once(region)
    for (line, row), raw in zip(rows[1:], raws, strict=True):
        phone, reason = parse(raw)
        if not phone:  # worded for the operator only here: most rows are valid
            phone, reason = phone_reason(raw, region, parse)
            invalid.append((line, raw, reason))
            continue
        name = row[name_col] if name_col is not None and name_col < len(row) else ""
        if phone in seen:
            index = seen[phone]
            known = names.get(index)
            if known is None:
                known = names[index] = {n.strip().casefold(): n for n in recipients[index].name.split(" dan ") if n}
            name = name.strip()
            if name:
                known.setdefault(name.casefold(), name)
            twins.append((line, recipients[index].line))
            continue
        seen[phone] = len(recipients)
        recipients.append(
            Recipient(
                phone=phone,
                name=name,
                list=stem,
                line=line,
                fields=fields(row),
                columns=columns,
            )
        )
        if first_only:
            break
    for index, known in names.items():
        recipients[index] = replace(recipients[index], name=" dan ".join(known.values()))
    return BroadcastList(
        name=path.stem, path=path, recipients=tuple(recipients), invalid=tuple(invalid), twins=tuple(twins)
    )


def _once(region: str) -> Callable[[str], tuple[str, str]]:
    """parse_phone remembered per raw text: rows sharing a number parse it once."""
    memo: dict[str, tuple[str, str]] = {}

    def parse(raw: str) -> tuple[str, str]:
        found = memo.get(raw)
        if found is None:
            found = memo[raw] = parse_phone(raw, region)
        return found

    return parse


def _fields(header: list[str], own: set[int | None]) -> Callable[[tuple[str, ...]], dict[str, str]]:
    """A row's other columns (rt, rw, …) by header; rows with the same values share one dict (a
    100,000-row list has a few dozen RTs)."""
    other = [(i, h) for i, h in enumerate(header) if h and i not in own]
    shared: dict[tuple, dict[str, str]] = {}
    indexes = [i for i, _h in other]
    whole = max(indexes, default=-1) + 1  # a row this long has every column: one C call reads them
    take: Callable[[tuple[str, ...]], tuple] = itemgetter(*indexes) if len(indexes) > 1 else _few(indexes)

    def fields(row: tuple[str, ...]) -> dict[str, str]:
        values = take(row) if len(row) >= whole else tuple([row[i] if i < len(row) else None for i in indexes])
        found = shared.get(values)
        if found is None:
            found = shared[values] = {h: v for (_i, h), v in zip(other, values, strict=True) if v is not None}
        return found

    return fields


def _few(indexes: list[int]) -> Callable[[tuple[str, ...]], tuple]:
    """itemgetter's tuple for none or one index (itemgetter of one gives the item itself)."""
    return lambda row: tuple([row[i] for i in indexes])


def invalid_row_errors(blist: BroadcastList, rel: str, *, warning: bool = False) -> list[ContentError]:
    return [
        ContentError(
            rel,
            _("invalid phone number {value!r}: {reason}").format(value=raw, reason=reason)
            + (_("; this row is skipped") if warning else ""),
            line=line,
            field="nomor",
            warning=warning,
        )
        for line, raw, reason in blist.invalid
    ]
