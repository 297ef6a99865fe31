"""The office's inbox in history: each person's conversation state (baru → dibalas → selesai), the
incoming messages that wait for a person, the replies the office wrote, and retention.

A conversation is a contact row (contacts.state); its messages are the ``inbound`` rows of that
contact, siaran's automatic answers (``inbound.reply``) and the office's own replies
(``inbox_replies``), each reply with its delivery row (status, error)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .db import utc

if TYPE_CHECKING:
    import sqlite_utils

NEW, REPLIED, CLOSED = "baru", "dibalas", "selesai"
OPEN = (NEW, REPLIED)


def mark_inbound(db: sqlite_utils.Database, message_id: str, *, sent_at: str, waits: bool, out_of_hours: bool,
                 ticket: str = "") -> None:  # fmt: skip
    db.conn.execute(
        "update inbound set sent_at = ?, waits = ?, out_of_hours = ?, ticket = ? where message_id = ?",
        [sent_at, int(waits), int(out_of_hours), ticket or None, message_id],
    )


def set_list_name(db: sqlite_utils.Database, contact: str, name: str) -> None:
    db.conn.execute("update contacts set list_name = ? where id = ?", [name or None, contact])


def wait(db: sqlite_utils.Database, contact: str, now: datetime) -> None:
    """A message (received ``now``) waits for a person: the conversation is (again) new; the time of
    the oldest message waiting stays."""
    db.conn.execute(
        "update contacts set state = ?, state_at = ?, "
        "waiting_since = case when state = ? and waiting_since is not null then waiting_since else ? end "
        "where id = ?",
        [NEW, utc(now), NEW, utc(now), contact],
    )


def replied(db: sqlite_utils.Database, contact: str, now: datetime) -> None:
    db.conn.execute(
        "update contacts set state = ?, waiting_since = null, state_at = ? where id = ?", [REPLIED, utc(now), contact]
    )


def close(db: sqlite_utils.Database, contact: str, now: datetime) -> None:
    db.conn.execute(
        "update contacts set state = ?, waiting_since = null, intake = null, state_at = ? where id = ?",
        [CLOSED, utc(now), contact],
    )


def set_intake(db: sqlite_utils.Database, contact: str, category: str, now: datetime) -> None:
    db.conn.execute("update contacts set intake = ?, intake_at = ? where id = ?", [category or None, utc(now), contact])


def contact(db: sqlite_utils.Database, contact_id: str) -> dict[str, Any] | None:
    return next(iter(db.query("select * from contacts where id = ?", [contact_id])), None)


def waiting(db: sqlite_utils.Database, before: str | None = None) -> tuple[int, dict[str, Any] | None]:
    """(conversations waiting for a person, the one waiting longest); ``before``: only those waiting
    since before this UTC time."""
    where, params = "state = ?", [NEW]
    if before:
        where, params = where + " and waiting_since < ?", [NEW, before]
    count = db.conn.execute(f"select count(*) from contacts where {where}", params).fetchone()[0]
    oldest = next(iter(db.query(f"select * from contacts where {where} order by waiting_since limit 1", params)), None)
    return count, oldest


def listing(db: sqlite_utils.Database, everything: bool = False, limit: int = 500) -> list[dict[str, Any]]:
    """Conversations waiting (new first, the longest waiting first), then answered ones; with
    ``everything`` the closed ones too (the latest first). Each with its last message, how many
    messages wait, whether one of them came outside office hours, and its open tickets."""
    states = (NEW, REPLIED, CLOSED) if everything else OPEN
    marks = ",".join("?" * len(states))
    rows = list(
        db.query(
            f"select c.*, "
            f"(select count(*) from inbound i where i.contact = c.id and i.waits = 1 "
            f" and i.received_at >= coalesce(c.waiting_since, '9')) as waiting_count, "
            f"(select max(i.out_of_hours) from inbound i where i.contact = c.id and i.waits = 1 "
            f" and i.received_at >= coalesce(c.waiting_since, '9')) as out_of_hours, "
            f"(select i.text from inbound i where i.contact = c.id order by i.received_at desc, i.rowid desc limit 1)"
            f" as last_text, "
            f"(select i.type from inbound i where i.contact = c.id order by i.received_at desc, i.rowid desc limit 1)"
            f" as last_type "
            f"from contacts c where c.state in ({marks}) "
            f"order by case c.state when 'baru' then 0 when 'dibalas' then 1 else 2 end, "
            f"case when c.state = 'baru' then c.waiting_since end, c.last_message_at desc limit ?",
            [*states, limit],
        )
    )
    for r in rows:
        r["tickets"] = tickets_of(db, r["id"])
    return rows


def lines(db: sqlite_utils.Database, contact_id: str) -> list[dict[str, Any]]:
    """One person's conversation in order: their messages ("in"), siaran's answers ("auto") and the
    office's replies ("office"), replies with their delivery status and error."""
    out: list[dict[str, Any]] = []
    for r in db.query(
        "select i.*, d.status as reply_status, d.error as reply_error, d.error_code as reply_code "
        "from inbound i left join deliveries d on d.key = i.reply_key where i.contact = ? "
        "order by i.received_at, i.rowid",
        [contact_id],
    ):
        out.append({"kind": "in", "at": r["received_at"], "text": r["text"] or "", "type": r["type"],
                    "waits": bool(r["waits"]), "out_of_hours": bool(r["out_of_hours"]), "ticket": r["ticket"] or "",
                    "message_id": r["message_id"]})  # fmt: skip
        if r["reply"]:
            try:
                reply = json.loads(r["reply"])
            except ValueError:
                continue
            out.append({"kind": "auto", "at": r["received_at"], "text": str(reply.get("text") or ""),
                        "post": reply.get("post", ""), "status": r["reply_status"] or "", "error": r["reply_error"],
                        "error_code": r["reply_code"]})  # fmt: skip
    for r in db.query(
        "select x.*, d.status, d.error, d.error_code from inbox_replies x left join deliveries d on d.key = x.key "
        "where x.contact = ? order by x.created_at",
        [contact_id],
    ):
        out.append({"kind": "office", "at": r["created_at"], "text": r["text"], "via": r["via"],
                    "template": r["template"] or "", "status": r["status"] or "", "error": r["error"],
                    "error_code": r["error_code"]})  # fmt: skip
    out.sort(key=lambda line: line["at"] or "")  # stable: an answer stays after its message
    return out


def record_reply(db: sqlite_utils.Database, key: str, contact_id: str, text: str, via: str, template: str,
                 now: datetime) -> bool:  # fmt: skip
    """The office's reply, recorded once per key (a form sent twice is one reply); False if known."""
    cursor = db.conn.execute(
        "insert or ignore into inbox_replies (key, contact, text, via, template, created_at) values (?, ?, ?, ?, ?, ?)",
        [key, contact_id, text, via, template or None, utc(now)],
    )
    return cursor.rowcount == 1


def purge(db: sqlite_utils.Database, before: datetime) -> int:
    """Delete the texts of messages and replies older than ``before`` (the retention period);
    returns how many rows went. Tickets keep their number and dates, not the text."""
    stamp = utc(before)
    with db.conn:
        gone = db.conn.execute("delete from inbound where received_at < ?", [stamp]).rowcount
        gone += db.conn.execute("delete from inbox_replies where created_at < ?", [stamp]).rowcount
    return gone


def tickets_of(db: sqlite_utils.Database, contact_id: str) -> list[dict[str, Any]]:
    return [
        dict(t) for t in db.query(
            "select id, category, opened_at, closed_at from tickets where contact = ? order by opened_at", [contact_id]
        )
    ]  # fmt: skip
