"""Opt-outs: people who asked not to get the office's broadcasts. Numbers are normalised exactly
like list numbers (E.164), so "0812-…" and "+62 812 …" are the same person. A planned delivery
to an opted-out number is recorded as ``skipped`` and never sent."""

from __future__ import annotations

import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlite_utils

from ..content.lists import PHONE_COLUMNS, column, header_problem, phone_reason
from ..content.phones import normalise_phone
from ..content.rows import read_rows
from ..errors import ContentError
from ..history import optouts as table
from ..i18n import _

MAX_IMPORT_BYTES = 50_000_000  # an opt-out file: a million numbers in a CSV is ~15 MB
PROGRESS_EVERY = 10_000  # numbers between two progress lines of `optout import`


@dataclass
class Added:
    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)  # "where: raw: reason" lines


def add(
    db: sqlite_utils.Database,
    raws: list[tuple[str, str]],
    now: datetime,
    *,
    reason: str = "",
    source: str = "cli",
    region: str = "ID",
    progress: Callable[[int, int], None] | None = None,
) -> Added:
    """``raws``: (where, raw number) pairs, ``where`` naming the argument or file line for errors;
    ``progress(done, total)`` is called every ``PROGRESS_EVERY`` numbers."""
    result = Added()
    known = table.numbers(db)
    for done, (where, raw) in enumerate(raws, 1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, len(raws))
        phone, why = phone_reason(raw, region)
        if not phone:
            result.invalid.append(f"{where}: {raw!r}: {why}")
        elif phone in known:
            result.already.append(phone)
        else:
            known.add(phone)
            result.added.append(phone)
    table.add(db, result.added, now, reason=reason, source=source)
    return result


def remove(db: sqlite_utils.Database, raw: str, region: str = "ID") -> str:
    """Returns the normalised number removed, or "" when it was not opted out."""
    phone, why = normalise_phone(raw, region)
    if not phone:
        raise ContentError(
            "optout", _("{value!r} is not a valid number: {reason}").format(value=raw, reason=why), field="number"
        )
    if phone not in table.numbers(db):
        return ""
    table.remove(db, phone)
    return phone


def read_file(path: Path) -> list[tuple[str, str]]:
    """Numbers from a table with a phone column (nomor, telepon, hp, … as in lists; CSV or .xlsx, as
    Excel saves them) or from a plain file of one number per line. Returns (file:row, raw) pairs:
    every row, so a number that cannot be read is reported, never dropped. Only a regular file of at
    most ``MAX_IMPORT_BYTES`` is read (a FIFO would wait forever, /dev/zero never ends)."""
    try:
        info = path.stat()
    except OSError as e:
        raise ContentError(str(path), _("cannot read: {reason}").format(reason=e.strerror)) from None
    if not stat.S_ISREG(info.st_mode):
        raise ContentError(str(path), _("is not a regular file"))
    if info.st_size > MAX_IMPORT_BYTES:
        raise ContentError(str(path), _("is larger than {size} MB").format(size=f"{MAX_IMPORT_BYTES / 1e6:g}"))
    rows = read_rows(path, str(path))
    if not rows:
        return []
    col = column(list(rows[0][1]), PHONE_COLUMNS)
    if col is None:  # no header: one number per line (the first cell of each row)
        return [(f"{path.name}:{line}", cells[0]) for line, cells in rows]
    problem = header_problem(list(rows[0][1]))
    if problem:
        raise ContentError(str(path), problem, line=rows[0][0], field="header")
    return [(f"{path.name}:{line}", cells[col] if col < len(cells) else "") for line, cells in rows[1:]]
