"""Opt-outs: numbers (E.164) that asked not to get the office's broadcasts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from .db import utc

if TYPE_CHECKING:
    import sqlite_utils


def numbers(db: sqlite_utils.Database) -> set[str]:
    return {r[0] for r in db.conn.execute("select phone from optouts")}


def add(db: sqlite_utils.Database, phones: Iterable[str], now: datetime, *, reason: str, source: str) -> None:
    rows = [{"phone": p, "reason": reason, "source": source, "created_at": utc(now)} for p in phones]
    with db.atomic():
        db["optouts"].insert_all(rows, ignore=True)


def remove(db: sqlite_utils.Database, phone: str) -> None:
    db.execute("delete from optouts where phone = ?", [phone])


def listing(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query("select phone, reason, source, created_at from optouts order by created_at, phone"))


def opt_out(db: sqlite_utils.Database, phone: str, now: datetime, *, source: str, message_id: str = "",
            reason: str = "") -> bool:  # fmt: skip
    """Inside the caller's transaction: opt out now and log it. False when already opted out."""
    cursor = db.conn.execute(
        "insert or ignore into optouts (phone, reason, source, created_at) values (?, ?, ?, ?)",
        [phone, reason, source, utc(now)],
    )
    db.conn.execute(
        "insert into consent_log (phone, action, source, message_id, at) values (?, 'optout', ?, ?, ?)",
        [phone, source, message_id or None, utc(now)],
    )
    return cursor.rowcount == 1


def opt_in(db: sqlite_utils.Database, phone: str, now: datetime, *, source: str, message_id: str = "") -> bool:
    """Inside the caller's transaction: take the number off the opt-out list and log it."""
    cursor = db.conn.execute("delete from optouts where phone = ?", [phone])
    db.conn.execute(
        "insert into consent_log (phone, action, source, message_id, at) values (?, 'optin', ?, ?, ?)",
        [phone, source, message_id or None, utc(now)],
    )
    return cursor.rowcount == 1
