"""Broadcast lists as parsed last time (normalised numbers), keyed by file path and content hash:
a list is parsed once per change of its file. The values are opaque text made by
siaran.content.list_store; one row per list file, replaced when the file changes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .db import immediate, utc

if TYPE_CHECKING:
    import sqlite_utils


def first(db: sqlite_utils.Database, path: str, digest: str) -> str | None:
    row = db.execute("select first from list_cache where path = ? and digest = ?", [path, digest]).fetchone()
    return row[0] if row else None


def whole(db: sqlite_utils.Database, path: str, digest: str) -> str | None:
    row = db.execute("select data from list_cache where path = ? and digest = ?", [path, digest]).fetchone()
    return row[0] if row else None


def put(db: sqlite_utils.Database, path: str, digest: str, first: str, data: str | None, now: datetime) -> None:
    with immediate(db):  # on the connection: no sqlite-utils for a plain write (history.handle)
        db.conn.execute(
            "insert or replace into list_cache (path, digest, first, data, cached_at) values (?, ?, ?, ?, ?)",
            [path, digest, first, data, utc(now)],
        )
