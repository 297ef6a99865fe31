"""The rows weekly reports count."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import sqlite_utils

from .db import utc
from .instagram import rows as instagram_rows


def whatsapp_since(db: sqlite_utils.Database, since: str) -> Iterator[dict]:
    return db.query(
        "select post, occurrence, status, sent_at, created_at, updated_at from deliveries "
        "where channel = 'whatsapp' and post not like 'autoreply/%' and coalesce(sent_at, updated_at, created_at) >= ?",
        [since],
    )


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
