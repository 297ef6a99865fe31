"""Opt-outs: people who asked not to get the office's broadcasts. Numbers are normalised exactly
like list numbers (E.164), so "0812-…" and "+62 812 …" are the same person. A planned delivery
to an opted-out number is recorded as ``skipped`` and never sent."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlite_utils

from ..content.lists import PHONE_COLUMNS
from ..content.phones import normalise_phone
from ..errors import ContentError
from ..history import optouts as table


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
) -> Added:
    """``raws``: (where, raw number) pairs, ``where`` naming the argument or file line for errors."""
    result = Added()
    known = table.numbers(db)
    for where, raw in raws:
        phone, why = normalise_phone(raw, region)
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
        raise ContentError("optout", f"{raw!r} is not a valid number: {why}", field="number")
    if phone not in table.numbers(db):
        return ""
    table.remove(db, phone)
    return phone


def read_file(path: Path) -> list[tuple[str, str]]:
    """Numbers from a CSV with a phone column (nomor, telepon, hp, … as in lists) or from a
    plain file of one number per line. Returns (file:line, raw) pairs."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise ContentError(str(path), f"cannot read: {e.strerror}") from e
    except UnicodeDecodeError:
        raise ContentError(str(path), "not a UTF-8 text file") from None
    lines = text.splitlines()
    if not lines:
        return []
    header = [h.strip().lower() for h in next(csv.reader([lines[0]]))]
    col = next((header.index(c) for c in PHONE_COLUMNS if c in header), None)
    out = []
    if col is None:  # no header: one number per line
        for i, line in enumerate(lines, 1):
            if line.strip():
                out.append((f"{path.name}:{i}", line.strip()))
        return out
    for i, row in enumerate(csv.reader(lines), 1):
        if i == 1 or not any(c.strip() for c in row):
            continue
        out.append((f"{path.name}:{i}", row[col].strip() if col < len(row) else ""))
    return out
