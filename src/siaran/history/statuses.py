"""Delivery receipts from provider webhooks: sent → delivered → read, or failed, by provider message id.

A delivery only moves forward (statuses arrive out of order and twice); ``failed`` replaces
``sent``/``delivered`` and keeps Meta's code and text, since Meta never sends a past webhook again.
A status whose message id is not known yet (the webhook beat the send's answer) waits in
``webhook_statuses`` and is applied in the same transaction that records the answer
(``apply_pending``, called by deliveries.commit_batch). Writers take the lock first
(``immediate``), so a status and its answer can never miss each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from .db import chunks, immediate, utc

KEEP_PENDING = timedelta(days=7)  # an id unknown after a week belongs to another program (or none)

_KEY = "(select key from provider_messages where message_id = ?)"
_SQL = {
    "delivered": f"update deliveries set status = 'delivered', delivered_at = coalesce(delivered_at, ?), "
    f"updated_at = ? where key = {_KEY} and status = 'sent'",
    "read": f"update deliveries set status = 'read', read_at = coalesce(read_at, ?), "
    f"delivered_at = coalesce(delivered_at, ?), updated_at = ? where key = {_KEY} and status in ('sent', 'delivered')",
    "failed": f"update deliveries set status = 'failed', failed_at = ?, error_code = ?, error = ?, updated_at = ? "
    f"where key = {_KEY} and status in ('sent', 'delivered')",
}


@dataclass(frozen=True, slots=True)
class StatusEvent:
    message_id: str  # wamid…, Fonnte id, WAHA message id
    status: str  # sent | delivered | read | failed
    at: str  # ISO time (UTC) the provider gives
    error_code: str = ""
    error: str = ""
    recipient: str = ""


def _apply(db: sqlite_utils.Database, events: Iterable[StatusEvent], stamp: str) -> None:
    by_status: dict[str, list[tuple]] = {"delivered": [], "read": [], "failed": []}
    for e in events:
        if e.status == "delivered":
            by_status["delivered"].append((e.at, stamp, e.message_id))
        elif e.status == "read":
            by_status["read"].append((e.at, e.at, stamp, e.message_id))
        elif e.status == "failed":
            by_status["failed"].append((e.at, e.error_code or None, e.error or None, stamp, e.message_id))
    # delivered before read before failed: the order statuses arrive in cannot move a row backwards
    for status in ("delivered", "read", "failed"):
        if by_status[status]:
            db.conn.executemany(_SQL[status], by_status[status])


def known_ids(db: sqlite_utils.Database, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in chunks(list(dict.fromkeys(ids))):
        sql = f"select message_id from provider_messages where message_id in ({','.join('?' * len(chunk))})"
        found.update(r[0] for r in db.conn.execute(sql, chunk))
    return found


def record(db: sqlite_utils.Database, events: Sequence[StatusEvent], now: datetime) -> tuple[int, int]:
    """Apply ``events`` in one transaction; those for unknown ids are kept for later.
    Returns (applied to a known message, kept waiting)."""
    stamp = utc(now)
    with immediate(db):
        known = known_ids(db, [e.message_id for e in events])
        ready = [e for e in events if e.message_id in known]
        waiting = [e for e in events if e.message_id not in known]
        _apply(db, ready, stamp)
        if waiting:
            db.conn.executemany(
                "insert or ignore into webhook_statuses "
                "(message_id, status, at, error_code, error, recipient, received_at) values (?, ?, ?, ?, ?, ?, ?)",
                [(e.message_id, e.status, e.at, e.error_code, e.error, e.recipient, stamp) for e in waiting],
            )
        db.conn.execute("delete from webhook_statuses where received_at < ?", [utc(now - KEEP_PENDING)])
    return len(ready), len(waiting)


def link(db: sqlite_utils.Database, pairs: Sequence[tuple[str, str]], stamp: str) -> None:
    """Inside the caller's transaction: remember (message id, delivery key) pairs, then apply the
    statuses that were waiting for those ids."""
    if not pairs:
        return
    db.conn.executemany("insert or ignore into provider_messages (message_id, key) values (?, ?)", pairs)
    ids = [m for m, _ in pairs]
    waiting: list[StatusEvent] = []
    for chunk in chunks(ids):
        marks = ",".join("?" * len(chunk))
        rows = db.conn.execute(
            f"select message_id, status, at, error_code, error, recipient from webhook_statuses "
            f"where message_id in ({marks})",
            chunk,
        ).fetchall()
        if rows:
            waiting.extend(StatusEvent(*r) for r in rows)
            db.conn.execute(f"delete from webhook_statuses where message_id in ({marks})", chunk)
    _apply(db, waiting, stamp)


def pending_count(db: sqlite_utils.Database) -> int:
    return db.conn.execute("select count(*) from webhook_statuses").fetchone()[0]
