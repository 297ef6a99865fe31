"""What weekly reports count, without reading a row per message: messages that went out come from
their hourly counts (``whatsapp_hours``, kept exact by triggers), failures that never went out from
theirs (``unsent_failure_hours``, siaran.history.tallies). A year of a million-row history costs
about what a week does.

A row's moment is when it went out (``sent_at``), else when it last changed (failed, uncertain).
The caller gives the weeks as UTC ranges (their Mondays are in office time). Auto-replies are
conversations, not broadcasts: not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from .db import WENT_OUT, utc
from .instagram import rows as instagram_rows

if TYPE_CHECKING:
    import sqlite_utils


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
    # Messages with a sent_at come from their hourly counts (siaran.history.tallies): a year is a few
    # thousand rows, however many messages went out. Each hour falls in the office week of its Monday.
    hours = [_hour(stamp) for _monday, start, end in weeks for stamp in (start, end)]
    span = [min(hours), max(hours)]
    monday_of = f"date(hour || ':00:00+00:00', '{int(offset_minutes):+d} minutes', '-6 days', 'weekday 1')"
    counts: dict[str, dict[str, int]] = {monday: {} for monday in out}
    by_status = f"select {monday_of}, status, sum(n) from whatsapp_hours where hour >= ? and hour < ? group by 1, 2"
    for monday, status, n in db.execute(by_status, span).fetchall():
        if monday in counts:
            counts[monday][status] = n
    marks = ", ".join("?" * len(WENT_OUT))
    posts = (
        f"select monday, count(*) from (select {monday_of} as monday from whatsapp_hours where hour >= ? and hour < ? "
        f"and status in ({marks}) group by monday, post, occurrence having sum(n) > 0) group by monday"
    )
    for monday, n in db.execute(posts, [*span, *WENT_OUT]).fetchall():
        if monday in out:
            out[monday].posts = n
    for monday, week in out.items():
        found = counts[monday]
        week.sent = sum(found.get(st, 0) for st in WENT_OUT)
        week.delivered = found.get("delivered", 0) + found.get("read", 0)
        week.read = found.get("read", 0)
        week.failed = week.failed_later = found.get("failed", 0)
        week.uncertain = found.get("uncertain", 0)
    # Failures that never went out (no sent_at) are counted per hour of their last change, in
    # unsent_failure_hours.
    unsent = f"select {monday_of}, status, sum(n) from unsent_failure_hours where hour >= ? and hour < ? group by 1, 2"
    for monday, status, n in db.execute(unsent, span).fetchall():
        if monday in out:
            setattr(out[monday], status, getattr(out[monday], status) + n)
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
    webhooks), since the UTC stamp ``since`` (on the hour); ``offset_hours``: the office's offset from
    UTC. Read from their hourly counts (``priced_hours``, siaran.history.tallies)."""
    return list(
        db.query(
            "select strftime('%Y-%m', hour || ':00:00+00:00', ?) as month, category, billable, sum(n) as n "
            "from priced_hours where hour >= ? group by 1, 2, 3 having sum(n) > 0 order by 1, 2, 3",
            [f"{offset_hours:+d} hours", _hour(since)],
        )
    )
