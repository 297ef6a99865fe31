"""What weekly reports count, counted by SQLite over indexes: nothing computed per row, so a year of
a million-row history costs about what a week does.

A row's moment is when it went out (``sent_at``), else when it last changed (failed, uncertain).
The caller gives the weeks as UTC ranges (their Mondays are in office time). Auto-replies are
conversations, not broadcasts: not counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from .db import WENT_OUT, utc
from .instagram import rows as instagram_rows

_BROADCAST = "channel = 'whatsapp' and post not like 'autoreply/%'"  # few rows only: failures


@dataclass
class WhatsAppWeek:
    monday: str  # YYYY-MM-DD, office time
    sent: int = 0  # went out: sent, delivered or read
    posts: int = 0  # distinct post + occurrence with at least one message that went out
    delivered: int = 0  # delivery receipts (delivered or read)
    read: int = 0
    failed: int = 0
    failed_later: int = 0  # accepted by the provider, failed afterwards (status webhook)
    uncertain: int = 0


def _one(db: sqlite_utils.Database, sql: str, args: list):
    row = db.execute(sql, args).fetchone()
    return row[0] if row else None


def _broadcasts(db: sqlite_utils.Database) -> Iterator[tuple[str, str | None]]:
    """Every (post, occurrence) in history, by seeks on the (post, occurrence, …) index: a few hundred
    lookups instead of reading a million rows."""
    post = _one(db, "select min(post) from deliveries", [])
    while post is not None:
        if not post.startswith("autoreply/"):
            if _one(db, "select 1 from deliveries where post = ? and occurrence is null limit 1", [post]):
                yield post, None
            occ = _one(db, "select min(occurrence) from deliveries where post = ?", [post])
            while occ is not None:
                yield post, occ
                occ = _one(db, "select min(occurrence) from deliveries where post = ? and occurrence > ?", [post, occ])
        post = _one(db, "select min(post) from deliveries where post > ?", [post])


def _first_out(db: sqlite_utils.Database, post: str, occurrence: str | None, at: str) -> str | None:
    """When the broadcast's first message from ``at`` on went out: one seek per status on the
    (post, occurrence, status, sent_at) index."""
    # Named: without statistics SQLite would rather walk the (channel, sent_at) index, all of it.
    sql = (
        "select min(sent_at) from deliveries indexed by idx_deliveries_post_occurrence_status_sent_at "
        "where post = ? and occurrence is ? and status = ? and sent_at >= ? and channel = 'whatsapp'"
    )
    found = [_one(db, sql, [post, occurrence, status, at]) for status in WENT_OUT]
    return min((f for f in found if f is not None), default=None)


def whatsapp_weeks(
    db: sqlite_utils.Database, weeks: list[tuple[str, str, str]], offset_minutes: int
) -> dict[str, WhatsAppWeek]:
    """Monday → counts, for ``weeks`` given as (Monday, first UTC stamp, UTC stamp after the week), in
    time order. ``offset_minutes``: the office's UTC offset (Indonesia keeps no daylight saving)."""
    out = {monday: WhatsAppWeek(monday) for monday, _, _ in weeks}
    if not weeks:
        return out
    # Rows with a sent_at, per week and status: a (channel, sent_at, …) index range, no table lookups;
    # auto-replies (a post prefix, few rows) are counted from the (post, …) index and taken off.
    by_sent_at = (
        "select status, count(*) from deliveries where channel = 'whatsapp' and sent_at >= ? and sent_at < ? "
        "group by status"
    )
    replies = (
        "select status, count(*) from deliveries where post >= 'autoreply/' and post < 'autoreply0' "
        "and channel = 'whatsapp' and sent_at >= ? and sent_at < ? group by status"
    )
    for monday, start, end in weeks:
        counts = dict(db.execute(by_sent_at, [start, end]).fetchall())
        for status, n in db.execute(replies, [start, end]).fetchall():
            counts[status] -= n
        week = out[monday]
        week.sent = sum(counts.get(st, 0) for st in WENT_OUT)
        week.delivered = counts.get("delivered", 0) + counts.get("read", 0)
        week.read = counts.get("read", 0)
        week.failed = week.failed_later = counts.get("failed", 0)
        week.uncertain = counts.get("uncertain", 0)
    since, until = weeks[0][1], weeks[-1][2]
    for post, occurrence in _broadcasts(db):  # the weeks each broadcast went out in: seeks, week by week
        at = since
        while at < until:
            first = _first_out(db, post, occurrence, at)
            if first is None or first >= until:
                break
            monday, _, end = next(w for w in weeks if w[1] <= first < w[2])
            out[monday].posts += 1
            at = end
    # Failures that never went out (no sent_at) are few: their week is worked out per row, from the
    # (status, channel, updated_at) index.
    moment = "coalesce(updated_at, created_at)"
    week_of = f"date({moment}, '{int(offset_minutes):+d} minutes', '-6 days', 'weekday 1')"
    failed = (
        f"select {week_of} as monday, status, count(*) from deliveries where status in ('failed', 'uncertain') "
        f"and {_BROADCAST} and sent_at is null and updated_at >= ? and {moment} >= ? and {moment} < ? "
        "group by monday, status"
    )
    for monday, status, count in db.execute(failed, [since, since, until]).fetchall():
        if monday in out:
            setattr(out[monday], status, getattr(out[monday], status) + count)
    return out


def instagram(db: sqlite_utils.Database) -> list[dict]:
    return instagram_rows(db)


# ── the operator page (siaran.server) ────────────────────────────────────────
# Every query below names (post, occurrence[, status]) first, so an index on (post, occurrence,
# status) answers it by a range scan: the page stays fast with a million rows in history.


def counts_by_status(db: sqlite_utils.Database, post: str, occurrence: str | None) -> dict[str, int]:
    """status → number of delivery rows of one post × occurrence (None: manual sends)."""
    sql = "select status, count(*) from deliveries where post = ? and occurrence is ? group by status"
    return dict(db.conn.execute(sql, [post, occurrence]).fetchall())


def data_version(db: sqlite_utils.Database) -> int:
    """Moves whenever another connection commits to the history (SQLite's ``PRAGMA data_version``)."""
    return db.conn.execute("PRAGMA data_version").fetchone()[0]


def failure_reasons(db: sqlite_utils.Database, post: str, occurrence: str | None) -> list[tuple[str, str, int]]:
    """(error code, error, count) of the failed rows of one post × occurrence, most frequent first."""
    sql = (
        "select coalesce(error_code, ''), coalesce(error, ''), count(*) as n from deliveries "
        "where post = ? and occurrence is ? and status = 'failed' group by 1, 2 order by n desc, 1, 2"
    )
    return db.conn.execute(sql, [post, occurrence]).fetchall()


def recipients_with(
    db: sqlite_utils.Database,
    post: str,
    occurrence: str | None,
    status: str,
    error: str | None = None,
    limit: int = 500,
) -> list[dict]:
    """The rows behind one count: recipient, list, channel, error; ``error`` narrows failures to one reason."""
    sql = (
        "select recipient, list, channel, error, error_code, updated_at from deliveries "
        "where post = ? and occurrence is ? and status = ?"
    )
    args: list = [post, occurrence, status]
    if error is not None:
        sql += " and coalesce(error, '') = ?"
        args.append(error)
    return list(db.query(sql + " order by id limit ?", [*args, limit]))


def instagram_statuses(db: sqlite_utils.Database, since: datetime) -> dict[tuple[str, str | None], list[str]]:
    """(post, occurrence) → statuses of its Instagram rows planned since ``since`` (and of manual sends):
    instagram_posts is small (one row per post), so the page tells them apart from WhatsApp counts
    without reading every delivery row."""
    # CROSS JOIN keeps SQLite from scanning a million deliveries for the few Instagram rows.
    sql = (
        "select d.post, d.occurrence, d.status from instagram_posts p "
        "cross join deliveries d on d.key = p.key where d.channel = 'instagram' "
        "and (p.planned_at >= ? or d.occurrence is null)"
    )
    found: dict[tuple[str, str | None], list[str]] = {}
    for post, occurrence, status in db.conn.execute(sql, [utc(since)]):
        found.setdefault((post, occurrence), []).append(status)
    return found


def handed_off(db: sqlite_utils.Database, limit: int = 30) -> list[dict]:
    """The latest Instagram posts handed to the operator, newest first (what siaran.history.instagram.label
    calls ``handed_off``: sent, not through the Graph API, not yet seen on the profile)."""
    sql = (
        "select d.id, d.post, d.occurrence, d.sent_at, d.updated_at, p.images, p.caption, p.handoff "
        "from instagram_posts p cross join deliveries d on d.key = p.key "
        "where d.channel = 'instagram' and d.status = 'sent' and coalesce(d.provider, '') != 'graph' "
        "and p.media_id is null and p.confirmed_at is null order by p.planned_at desc, d.id desc limit ?"
    )
    return list(db.query(sql, [limit]))


def alerts(db: sqlite_utils.Database, limit: int = 50) -> list[dict] | None:
    """The latest operator alerts, newest first; None when history has no alerts table."""
    if not db.conn.execute("select 1 from sqlite_master where type = 'table' and name = 'alerts'").fetchone():
        return None
    return list(db.query("select * from alerts order by rowid desc limit ?", [limit]))
