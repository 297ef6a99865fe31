"""Errors a WhatsApp provider reports outside a delivery status (Meta's value-level ``errors`` such as
130429, and an incoming message's own ``errors`` such as 131051 "unsupported message type"). Meta
never sends a past webhook again, so they are kept here when they arrive; the page shows the latest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .db import utc

if TYPE_CHECKING:
    import sqlite_utils


def record(db: sqlite_utils.Database, found: Sequence[Any], now: datetime) -> None:
    """Inside the caller's transaction. ``found``: ProviderProblem-like objects."""
    stamp = utc(now)
    rows = [
        (p.provider, p.scope, p.code or None, p.title or None, p.detail or None, p.message_id or None,
         p.contact or None, p.at or stamp, stamp)
        for p in found
    ]  # fmt: skip
    db.conn.executemany(
        "insert into webhook_problems (provider, scope, code, title, detail, message_id, contact, at, received_at) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def recent(db: sqlite_utils.Database, limit: int = 50) -> list[dict] | None:
    """The latest problems, newest first; None when this history has no such table yet."""
    if not db["webhook_problems"].exists():
        return None
    return list(db.query("select * from webhook_problems order by id desc limit ?", [limit]))
