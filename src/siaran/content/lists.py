"""content/lists/*.csv: broadcast lists. Columns: nama, nomor (+ any extra, e.g. rt, rw)."""

from __future__ import annotations

import csv
from pathlib import Path

from ..errors import ContentError
from .files import UnsafeFile, content_file
from .model import BroadcastList, Recipient
from .phones import normalise_phone

NAME_COLUMNS = ("nama", "name")
MAX_LIST_BYTES = 200_000_000  # ~4 million rows
PHONE_COLUMNS = ("nomor", "telepon", "hp", "no_hp", "whatsapp", "phone")


def load_list(path: Path, rel: str, region: str = "ID") -> BroadcastList:
    """Invalid rows are kept in ``invalid`` (never dropped silently); a bad header raises."""
    try:  # a FIFO would hang every command; a link may not leave content/
        content_file(path.parents[1], path, max_bytes=MAX_LIST_BYTES)
    except UnsafeFile as e:
        raise ContentError(rel, str(e)) from None
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as e:
        raise ContentError(rel, f"cannot read: {e.strerror}") from e
    recipients: list[Recipient] = []
    invalid: list[tuple[int, str, str]] = []
    seen: set[str] = set()
    with handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            raise ContentError(
                rel, "list is empty: the first line must name the columns, e.g. nama,nomor", line=1
            ) from None
        except (csv.Error, UnicodeDecodeError) as e:
            raise ContentError(rel, f"not a readable CSV file: {e}", line=1) from None
        phone_col = next((header.index(c) for c in PHONE_COLUMNS if c in header), None)
        if phone_col is None:
            raise ContentError(
                rel,
                f"no phone column: the first line must include one of {', '.join(PHONE_COLUMNS)}",
                line=1,
                field="header",
            )
        name_col = next((header.index(c) for c in NAME_COLUMNS if c in header), None)
        extra = [(i, h) for i, h in enumerate(header) if i not in (phone_col, name_col) and h]
        try:
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                raw = row[phone_col].strip() if phone_col < len(row) else ""
                phone, reason = normalise_phone(raw, region)
                if not phone:
                    invalid.append((line, raw, reason))
                    continue
                if phone in seen:  # a duplicate within one list is not an error, just not sent twice
                    continue
                seen.add(phone)
                recipients.append(
                    Recipient(
                        phone=phone,
                        name=row[name_col].strip() if name_col is not None and name_col < len(row) else "",
                        list=path.stem,
                        line=line,
                        fields={h: row[i].strip() for i, h in extra if i < len(row)},
                    )
                )
        except (csv.Error, UnicodeDecodeError) as e:
            raise ContentError(rel, f"not a readable CSV file: {e}", line=reader.line_num) from None
    return BroadcastList(name=path.stem, path=path, recipients=tuple(recipients), invalid=tuple(invalid))


def invalid_row_errors(blist: BroadcastList, rel: str, *, warning: bool = False) -> list[ContentError]:
    return [
        ContentError(
            rel,
            f"invalid phone number {raw!r}: {reason}" + ("; this row is skipped" if warning else ""),
            line=line,
            field="nomor",
            warning=warning,
        )
        for line, raw, reason in blist.invalid
    ]
