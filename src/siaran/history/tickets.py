"""Aduan and saran tickets: a number per category and year (ADU-2026-0012), opened when a citizen's
message arrives after they chose an intake option, closed with their conversation."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from .db import utc

if TYPE_CHECKING:
    import sqlite_utils

PREFIXES = {"aduan": "ADU", "saran": "SAR"}


def open_ticket(db: sqlite_utils.Database, category: str, contact: str, message_id: str, now: datetime,
                year: int) -> str:  # fmt: skip
    """A new ticket's number; call inside the write transaction that records the message."""
    seq = db.conn.execute(
        "select coalesce(max(seq), 0) + 1 from tickets where category = ? and year = ?", [category, year]
    ).fetchone()[0]
    ticket = f"{PREFIXES[category]}-{year}-{seq:04d}"
    db.conn.execute(
        "insert into tickets (id, category, year, seq, contact, message_id, opened_at) values (?, ?, ?, ?, ?, ?, ?)",
        [ticket, category, year, seq, contact, message_id, utc(now)],
    )
    return ticket


def close_for(db: sqlite_utils.Database, contact: str, now: datetime) -> list[str]:
    """Close every open ticket of this person; returns their numbers."""
    found = [r[0] for r in db.conn.execute("select id from tickets where contact = ? and closed_at is null", [contact])]
    db.conn.execute("update tickets set closed_at = ? where contact = ? and closed_at is null", [utc(now), contact])
    return found


def months(db: sqlite_utils.Database, offset_minutes: int, since: str) -> list[dict[str, Any]]:
    """Per office month (YYYY-MM) and category: tickets opened and closed since ``since`` (UTC)."""
    shift = f"{offset_minutes:+d} minutes"
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for column, what in (("opened_at", "opened"), ("closed_at", "closed")):
        for month, category, n in db.conn.execute(
            f"select strftime('%Y-%m', {column}, ?), category, count(*) from tickets where {column} >= ? group by 1, 2",
            [shift, since],
        ):
            row = found.setdefault((month, category), {"month": month, "category": category, "opened": 0, "closed": 0})
            row[what] = n
    return [found[k] for k in sorted(found)]
