"""What weekly reports count, without reading a row per message: messages that went out come from
their hourly counts (``whatsapp_hours``, kept exact by triggers), the few failures that never went out
from an index. A year of a million-row history costs about what a week does.

A row's moment is when it went out (``sent_at``), else when it last changed (failed, uncertain).
The caller gives the weeks as UTC ranges (their Mondays are in office time). Auto-replies are
conversations, not broadcasts: not counted.
"""

from __future__ import annotations

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


def _hour(stamp: str) -> str:
    """A UTC stamp on the hour as a ``whatsapp_hours`` key: '2026-11-22T16:00:00+00:00' → '2026-11-22T16'."""
    if stamp[13:19] != ":00:00":
        raise ValueError(f"a week must start on a whole UTC hour, not {stamp}")
    return stamp[:13]


def whatsapp_weeks(
    db: sqlite_utils.Database, weeks: list[tuple[str, str, str]], offset_minutes: int
) -> dict[str, WhatsAppWeek]:
    """Monday → counts, for ``weeks`` given as (Monday, first UTC stamp, UTC stamp after the week), in
    time order. ``offset_minutes``: the office's UTC offset (Indonesia keeps no daylight saving)."""
    out = {monday: WhatsAppWeek(monday) for monday, _, _ in weeks}
    if not weeks:
        return out
    # Messages with a sent_at come from their hourly counts (schema m009): a week is 168 hours of a
    # few rows each, however many messages went out.
    by_status = "select status, sum(n) from whatsapp_hours where hour >= ? and hour < ? group by status"
    marks = ", ".join("?" * len(WENT_OUT))
    posts = (
        "select count(*) from (select 1 from whatsapp_hours where hour >= ? and hour < ? "
        f"and status in ({marks}) group by post, occurrence having sum(n) > 0)"
    )
    for monday, start, end in weeks:
        hours = [_hour(start), _hour(end)]
        counts = dict(db.execute(by_status, hours).fetchall())
        week = out[monday]
        week.sent = sum(counts.get(st, 0) for st in WENT_OUT)
        week.posts = db.execute(posts, [*hours, *WENT_OUT]).fetchone()[0]
        week.delivered = counts.get("delivered", 0) + counts.get("read", 0)
        week.read = counts.get("read", 0)
        week.failed = week.failed_later = counts.get("failed", 0)
        week.uncertain = counts.get("uncertain", 0)
    since, until = weeks[0][1], weeks[-1][2]
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
        "select recipient, recipient_name, list, channel, error, error_code, updated_at from deliveries "
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


def priced_months(db: sqlite_utils.Database, since: str, offset_hours: int) -> list[dict]:
    """WhatsApp messages per office month, Meta pricing category and billable (from the status
    webhooks), since the UTC stamp ``since``; ``offset_hours``: the office's offset from UTC."""
    if "pricing_category" not in db["deliveries"].columns_dict:
        return []
    shift = f"{offset_hours:+d} hours"
    return list(
        db.query(
            "select strftime('%Y-%m', sent_at, ?) as month, pricing_category as category, "
            "coalesce(billable, 0) as billable, count(*) as n from deliveries "
            "where pricing_category is not null and sent_at >= ? group by 1, 2, 3 order by 1, 2, 3",
            [shift, since],
        )
    )
