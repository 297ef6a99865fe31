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
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..reasons import Reason, dump, load, text
from .db import chunks, immediate, utc

if TYPE_CHECKING:
    import sqlite_utils

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


# Meta prices a message once: its category and whether it is billable, kept from the first status that says.
_PRICED = f"update deliveries set pricing_category = ?, billable = ? where key = {_KEY} and pricing_category is null"
STATE = "fonnte-state:"  # a Fonnte status known only by its stateid waits under this prefix


@dataclass(frozen=True, slots=True)
class StatusEvent:
    message_id: str  # wamid…, Fonnte id, WAHA message id
    status: str  # sent | delivered | read | failed
    at: str  # ISO time (UTC) the provider gives
    error_code: str = ""
    error: Reason | str | None = None  # a reason, or the provider's own words
    recipient: str = ""
    category: str = ""  # Meta's pricing category (marketing, utility, authentication, service, ...)
    billable: bool | None = None  # Meta's pricing.billable
    state_id: str = ""  # Fonnte's stateid: its later calls name the message by this alone


def _stored(error: Reason | str | None) -> str | None:
    if not error:
        return None
    return dump(error if isinstance(error, Reason) else text(error))


def _apply(db: sqlite_utils.Database, events: Iterable[StatusEvent], stamp: str) -> None:
    by_status: dict[str, list[tuple]] = {"delivered": [], "read": [], "failed": []}
    priced: list[tuple] = []
    for e in events:
        at = e.at or stamp  # a status without its own time happened when it arrived: never an empty time
        if e.status == "delivered":
            by_status["delivered"].append((at, stamp, e.message_id))
        elif e.status == "read":
            by_status["read"].append((at, at, stamp, e.message_id))
        elif e.status == "failed":
            by_status["failed"].append((at, e.error_code or None, _stored(e.error), stamp, e.message_id))
        if e.category or e.billable is not None:
            billable = None if e.billable is None else int(e.billable)
            priced.append((e.category or "?", billable, e.message_id))
    # delivered before read before failed: the order statuses arrive in cannot move a row backwards
    for status in ("delivered", "read", "failed"):
        if by_status[status]:
            db.conn.executemany(_SQL[status], by_status[status])
    if priced:
        db.conn.executemany(_PRICED, priced)


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
        events = _by_state(db, events, stamp)
        known = known_ids(db, [e.message_id for e in events])
        ready = [e for e in events if e.message_id in known]
        waiting = [e for e in events if e.message_id not in known]
        _apply(db, ready, stamp)
        if waiting:
            rows = [
                (e.message_id, e.status, e.at or stamp, e.error_code, _stored(e.error), e.recipient, e.category or None,
                 None if e.billable is None else int(e.billable), stamp)
                for e in waiting
            ]  # fmt: skip
            db.conn.executemany(
                "insert or ignore into webhook_statuses (message_id, status, at, error_code, error, recipient, "
                "category, billable, received_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        db.conn.execute("delete from webhook_statuses where received_at < ?", [utc(now - KEEP_PENDING)])
    return len(ready), len(waiting)


_WAITING = "select message_id, status, at, error_code, error, recipient, category, billable from webhook_statuses"


def _waiting(row: tuple) -> StatusEvent:
    message_id, status, at, code, error, recipient, category, billable = row
    billable = None if billable is None else bool(billable)
    return StatusEvent(message_id, status, at, code, load(error), recipient, category=category or "", billable=billable)


def _by_state(db: sqlite_utils.Database, events: Sequence[StatusEvent], stamp: str) -> list[StatusEvent]:
    """Fonnte calls its status script first with ``id`` and ``stateid``, later with ``stateid`` only:
    remember the pair, and name a later status by the message id it stands for (or by its stateid
    prefixed, waiting, until the first call comes)."""
    pairs = {e.state_id: e.message_id for e in events if e.state_id and e.message_id}
    out: list[StatusEvent] = []
    for state, message_id in pairs.items():
        db.conn.execute(
            "insert or ignore into fonnte_states (state_id, message_id, at) values (?, ?, ?)",
            [state, message_id, stamp],
        )
        early = db.conn.execute(f"{_WAITING} where message_id = ?", [f"{STATE}{state}"]).fetchall()
        if early:  # later calls that came before the first one
            db.conn.execute("delete from webhook_statuses where message_id = ?", [f"{STATE}{state}"])
            out.extend(replace(_waiting(r), message_id=message_id) for r in early)
    for e in events:
        if e.message_id or not e.state_id:
            out.append(e)
            continue
        found = pairs.get(e.state_id)
        if found is None:
            row = db.conn.execute("select message_id from fonnte_states where state_id = ?", [e.state_id]).fetchone()
            found = row[0] if row else f"{STATE}{e.state_id}"
        out.append(replace(e, message_id=found))
    return out


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
        rows = db.conn.execute(f"{_WAITING} where message_id in ({marks})", chunk).fetchall()
        if rows:
            waiting.extend(_waiting(r) for r in rows)
            db.conn.execute(f"delete from webhook_statuses where message_id in ({marks})", chunk)
    _apply(db, waiting, stamp)


def pending_count(db: sqlite_utils.Database) -> int:
    return db.conn.execute("select count(*) from webhook_statuses").fetchone()[0]
