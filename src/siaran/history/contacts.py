"""People who wrote to the office: contacts (keyed by number, or Meta's business-scoped user id when
the number is withheld), the time of their last message (the 24-hour window), and every incoming
message id once (a redelivered webhook finds its id here and is not answered twice)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .db import chunks, utc

if TYPE_CHECKING:
    import sqlite_utils


def first_time(db: sqlite_utils.Database, message_id: str, provider: str, contact: str, kind: str, text: str,
               now: datetime, *, group: str = "", member: str = "") -> bool:  # fmt: skip
    """Record an incoming message id; False when it was already recorded (a redelivery).
    ``contact``: who wrote (``group:<id>`` for a group, with the speaker in ``member``); ``kind``:
    the provider's message type (text, button, reaction, edit, system, ...)."""
    cursor = db.conn.execute(
        "insert or ignore into inbound (message_id, provider, contact, type, text, received_at, group_id, member) "
        "values (?, ?, ?, ?, ?, ?, ?, ?)",
        [message_id, provider, contact, kind, text[:1000], utc(now), group or None, member or None],
    )
    return cursor.rowcount == 1


def touch(db: sqlite_utils.Database, contact: str, *, wa_id: str, user_id: str, name: str, provider: str,
          at: datetime) -> dict[str, Any] | None:  # fmt: skip
    """Create or update a contact; returns the row as it was before (None: first contact)."""
    before = next(iter(db.query("select * from contacts where id = ?", [contact])), None)
    if before is None and user_id and wa_id:  # known until now by user id only
        before = next(iter(db.query("select * from contacts where id = ?", [f"user:{user_id}"])), None)
        if before is not None:
            db.conn.execute("update contacts set id = ? where id = ?", [contact, before["id"]])
            _move_optout(db, before["id"], f"+{wa_id}", at, "number known")
    stamp = utc(at)
    if before is None:
        db.conn.execute(
            "insert into contacts (id, wa_id, user_id, name, provider, first_seen_at, last_message_at) "
            "values (?, ?, ?, ?, ?, ?, ?)",
            [contact, wa_id or None, user_id or None, name or None, provider, stamp, stamp],
        )
    else:
        db.conn.execute(
            "update contacts set wa_id = coalesce(?, wa_id), user_id = coalesce(?, user_id), "
            "name = coalesce(?, name), provider = ?, last_message_at = max(coalesce(last_message_at, ''), ?) "
            "where id = ?",
            [wa_id or None, user_id or None, name or None, provider, stamp, contact],
        )
    return before


def set_away(db: sqlite_utils.Database, contact: str, day: str) -> None:
    db.conn.execute("update contacts set away_on = ? where id = ?", [day, contact])


def set_reply(db: sqlite_utils.Database, message_id: str, key: str, reply: str) -> None:
    db.conn.execute("update inbound set reply_key = ?, reply = ? where message_id = ?", [key, reply, message_id])


def unsent_replies(db: sqlite_utils.Database) -> list[str]:
    """Replies recorded but still queued (the program stopped before sending them): their JSON."""
    return [
        r[0]
        for r in db.conn.execute(
            "select i.reply from inbound i join deliveries d on d.key = i.reply_key "
            "where d.status = 'queued' order by i.received_at"
        )
    ]


def in_window(db: sqlite_utils.Database, wa_ids: Iterable[str], since: datetime) -> set[str]:
    """Of these numbers (digits, no '+'), those who wrote at or after ``since``."""
    found: set[str] = set()
    for chunk in chunks(list(wa_ids)):
        marks = ",".join("?" * len(chunk))
        sql = f"select wa_id from contacts where wa_id in ({marks}) and last_message_at >= ?"
        found.update(r[0] for r in db.conn.execute(sql, [*chunk, utc(since)]))
    return found


def listing(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return list(db.query("select * from contacts order by last_message_at desc"))


def _move_optout(db: sqlite_utils.Database, old: str, new: str, now: datetime, why: str) -> None:
    """An opt-out follows the person to the key they are known by now (a user id that turned out to
    be a number, an old number that changed), and the move is logged like any consent change."""
    row = db.conn.execute("select reason, source, created_at from optouts where phone = ?", [old]).fetchone()
    if row is None:
        return
    db.conn.execute("insert or ignore into optouts (phone, reason, source, created_at) values (?, ?, ?, ?)",
                    [new, row[0], row[1], row[2]])  # fmt: skip
    db.conn.execute("delete from optouts where phone = ?", [old])
    db.conn.execute(
        "insert into consent_log (phone, action, source, message_id, at) values (?, 'optout', ?, ?, ?)",
        [new, f"moved from {old} ({why})", None, utc(now)],
    )


def apply_change(db: sqlite_utils.Database, change: Any, now: datetime) -> None:
    """Inside the caller's transaction: Meta's marketing stop / resume (opt out / in, logged with its
    source) or a number change (the contact and any opt-out move to the new number)."""
    from . import optouts

    key = f"+{change.wa_id}" if change.wa_id else f"user:{change.user_id}" if change.user_id else ""
    if not key:
        return
    source = f"whatsapp:{change.provider}:user_preferences"
    if change.action == "optout":
        optouts.opt_out(db, key, now, source=source, reason=change.detail)
    elif change.action == "optin":
        optouts.opt_in(db, key, now, source=source)
    elif change.action == "moved" and change.new_wa_id:
        new = change.new_wa_id
        taken = db.conn.execute("select 1 from contacts where id = ?", [new]).fetchone()
        if taken is None:
            db.conn.execute("update contacts set id = ?, wa_id = ? where id = ?", [new, new, change.wa_id])
        _move_optout(db, key, f"+{new}", now, "number changed")
