"""The content's problems as last found (their operator-facing text), keyed by a fingerprint of
every content file and whatever else decides them: read-only commands warn from here. A few rows:
the daemon's answer (lists read) and that of history, report and the page (lists known by name only)
live side by side, so neither makes the other check the content again."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from .db import utc

if TYPE_CHECKING:
    import sqlite_utils


def get(db: sqlite_utils.Database, key: str) -> list[str] | None:
    row = db.execute("select problems from content_checks where key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else None


KEEP = 4


def put(db: sqlite_utils.Database, key: str, problems: list[str], now: datetime) -> None:
    with db.atomic():
        db.execute(
            "insert or replace into content_checks (key, problems, checked_at) values (?, ?, ?)",
            [key, json.dumps(problems, ensure_ascii=False), utc(now)],
        )
        db.execute(
            "delete from content_checks where rowid not in "
            "(select rowid from content_checks order by rowid desc limit ?)",
            [KEEP],
        )
