"""content/lists/*.csv and *.xlsx: broadcast lists. Columns: nama, nomor (+ any extra, e.g. rt, rw)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from ..errors import ContentError
from ..i18n import _
from .files import UnsafeFile, content_file
from .model import BroadcastList, Recipient
from .phones import normalise_phone
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


def column(header: list[str], names: tuple[str, ...]) -> int | None:
    """Index of the first column named one of ``names`` ("No. HP" and "no_hp" are the same)."""
    keys = [re.sub(r"[^a-z0-9]+", "_", h.lower()).strip("_") for h in header]
    return next((keys.index(n) for n in names if n in keys), None)


def phone_reason(raw: str, region: str) -> tuple[str, str]:
    phone, reason = normalise_phone(raw, region)
    if not phone and SCIENTIFIC.match(raw.strip()):
        reason = _("Excel shortened the number to {value}: format the column as Text and save again").format(value=raw)
    return phone, reason


def load_list(path: Path, rel: str, region: str = "ID", rows: list[Row] | None = None) -> BroadcastList:
    """Invalid rows are kept in ``invalid`` (never dropped silently); a bad header raises."""
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
    seen: dict[str, int] = {}  # phone → index in recipients
    for line, row in rows[1:]:
        raw = row[phone_col] if phone_col < len(row) else ""
        phone, reason = phone_reason(raw, region)
        if not phone:
            invalid.append((line, raw, reason))
            continue
        name = row[name_col] if name_col is not None and name_col < len(row) else ""
        if phone in seen:  # one number, one message; a household sharing it is greeted by every name
            first = recipients[seen[phone]]
            if name and name not in first.name.split(" dan "):
                joined = f"{first.name} dan {name}" if first.name else name
                recipients[seen[phone]] = replace(first, name=joined)
            continue
        seen[phone] = len(recipients)
        recipients.append(
            Recipient(
                phone=phone,
                name=name,
                list=path.stem,
                line=line,
                fields={h: row[i] for i, h in enumerate(header) if h and i < len(row) and i not in own},
                columns=columns,
            )
        )
    return BroadcastList(name=path.stem, path=path, recipients=tuple(recipients), invalid=tuple(invalid))


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
