"""Phone numbers as parsed before, by raw text (siaran.content.phone_book), under the version of
the rules that parsed them: one version at a time, a new one starts afresh."""

from __future__ import annotations

import sqlite_utils

from .db import chunks, immediate

_VERSION = "phone_numbers_version"


def _version(db: sqlite_utils.Database) -> str | None:
    row = db.execute("select value from history_meta where key = ?", [_VERSION]).fetchone()
    return row[0] if row else None


def known(db: sqlite_utils.Database, version: str, raws: list[str] | None) -> dict[str, tuple[str, str]]:
    """What is remembered of these raw texts (None: of every one)."""
    if _version(db) != version:
        return {}
    sql = "select raw, phone, reason from phone_numbers"
    if raws is None:
        return {raw: (phone, reason) for raw, phone, reason in db.conn.execute(sql)}
    found = {}
    for chunk in chunks(raws):
        marks = ",".join("?" * len(chunk))
        found.update(
            (raw, (phone, reason)) for raw, phone, reason in db.conn.execute(f"{sql} where raw in ({marks})", chunk)
        )
    return found


def remember(db: sqlite_utils.Database, version: str, parsed: dict[str, tuple[str, str]]) -> None:
    if not parsed:
        return
    # The write lock first (BEGIN IMMEDIATE): read-then-write in a deferred transaction gets "database
    # is locked" at once, without waiting, when another process wrote in between (two sends at once).
    with immediate(db):
        if _version(db) != version:  # other rules (a new phonenumbers): forget what the old ones said
            db.execute("delete from phone_numbers")
            db.execute("insert or replace into history_meta (key, value) values (?, ?)", [_VERSION, version])
        db.conn.executemany(
            "insert or replace into phone_numbers (raw, phone, reason) values (?, ?, ?)",
            [(raw, phone, reason) for raw, (phone, reason) in parsed.items()],
        )
