"""The newest groups of the history (post × occurrence × channel, as ``deliveries.by_occurrence``
counts them) without grouping the whole table: two years of weekly broadcasts are a million rows,
and `history --limit 50` wants the last 50 groups.

Walk back from the newest row one post × occurrence at a time (a rowid seek below the groups found
so far) and count each without reading its rows: its Instagram rows through (channel, sent_at, post,
…), where Instagram's one row a week is a short range; its WhatsApp messages that went out from
their hourly counts (``whatsapp_hours``), the few that did not from the (post, occurrence, status,
sent_at) index, and its first row from ``delivery_groups`` (siaran.history.tallies).
A group whose rows all fall inside a newer occurrence's span (a manual send in the seconds a
broadcast reserves its rows) is left out; the full listing shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .db import STATUSES

if TYPE_CHECKING:
    import sqlite_utils

BY_POST = "idx_deliveries_post_occurrence_status_sent_at"
BY_CHANNEL = "idx_deliveries_channel_sent_at_post_occurrence_status"


def latest_groups(db: sqlite_utils.Database, limit: int) -> list[dict[str, Any]]:
    """The newest ``limit`` groups, oldest first, each as ``by_occurrence`` gives it."""
    found: list[dict[str, Any]] = []
    cursor: int | None = None
    seen: set[tuple[str, str | None]] = set()
    manual: list[str] = []  # posts sent by hand: one group over years, so they never move the cursor
    while len(found) < limit:
        where = ["id < ?"] if cursor is not None else []
        if manual:
            where.append(f"not (occurrence is null and post in ({', '.join('?' * len(manual))}))")
        row = db.execute(
            "select id, post, occurrence from deliveries"
            + (" where " + " and ".join(where) if where else "")
            + " order by id desc limit 1",
            ([cursor] if cursor is not None else []) + manual,
        ).fetchone()
        if row is None:
            break
        cursor = row[0]
        if (row[1], row[2]) in seen:
            continue  # its older rows, below a group found since
        seen.add((row[1], row[2]))
        groups = _count(db, row[1], row[2])
        found.extend(groups)
        if row[2] is None:
            manual.append(row[1])
        else:
            cursor = min(cursor, *(g["first_id"] for g in groups))
    found.sort(key=lambda g: g["first_id"])
    return found[-limit:]


def _count(db: sqlite_utils.Database, post: str, occurrence: str | None) -> list[dict[str, Any]]:
    instagram = db.execute(
        f"select id, status, sent_at, created_at from deliveries indexed by {BY_CHANNEL}"
        " where channel = 'instagram' and post = ? and occurrence is ?",
        [post, occurrence],
    ).fetchall()
    groups = []
    if instagram:
        group = _group(post, occurrence, "instagram")
        for _id, status, sent, created in instagram:
            group[status] += 1
            group["total"] += 1
            group["first_id"] = min(group["first_id"] or _id, _id)
            group["first_at"] = min(group["first_at"] or created, created)
            group["last_at"] = max(group["last_at"] or "", sent or created)
        groups.append(group)
    skip = [r[0] for r in instagram]
    first = db.execute(
        "select first_id from delivery_groups where post = ? and occurrence = ? and channel = 'whatsapp'",
        [post, occurrence or ""],
    ).fetchone()
    if first is not None:
        counted = _whatsapp(db, post, occurrence, skip)
        group = _group(post, occurrence, "whatsapp")
        for status, n, _sent, _unsent in counted:
            group[status] = group.get(status, 0) + n
            group["total"] += n
        newest_unsent = max((r[3] for r in counted if r[3] is not None), default=None)
        ids = [first[0], newest_unsent]
        created = dict(db.execute("select id, created_at from deliveries where id in (?, ?)", ids))
        group["first_id"], group["first_at"] = first[0], created[first[0]]
        # The latest moment of a row is when it went out, else when it was made (ids follow creation).
        moments = [r[2] for r in counted if r[2]] + ([created[newest_unsent]] if newest_unsent else [])
        group["last_at"] = max(moments, default=group["first_at"])
        groups.append(group)
    return sorted(groups, key=lambda g: g["first_id"])


def _whatsapp(db: sqlite_utils.Database, post: str, occurrence: str | None, skip: list[int]) -> list[tuple]:
    """(status, count, latest sent_at, newest id without a sent_at) of the group's WhatsApp rows. Those
    that went out (a ``sent_at``) are counted per hour in ``whatsapp_hours`` (auto-replies are not:
    they are counted row by row); the few without one (queued, sending, failed before sending,
    uncertain, skipped) from the index."""
    others = " and id not in ({})".format(", ".join("?" * len(skip))) if skip else ""
    if db.execute("select ? like 'autoreply/%'", [post]).fetchone()[0]:
        return db.execute(
            "select status, count(*), max(sent_at), max(case when sent_at is null then id end) "
            f"from deliveries indexed by {BY_POST} where post = ? and occurrence is ?{others} group by status",
            [post, occurrence, *skip],
        ).fetchall()
    hourly = db.execute(
        "select status, sum(n) from whatsapp_hours where post = ? and occurrence = ? group by status having sum(n) > 0",
        [post, occurrence or ""],
    ).fetchall()
    counted = []
    for status, n in hourly:  # the latest of each status: an index seek from its end (past Instagram's rows)
        newest = db.execute(
            f"select id, sent_at from deliveries indexed by {BY_POST} where post = ? and occurrence is ? "
            "and status = ? and sent_at is not null order by sent_at desc limit ?",
            [post, occurrence, status, len(skip) + 1],
        ).fetchall()
        counted.append((status, n, next(sent for row_id, sent in newest if row_id not in skip), None))
    marks = ", ".join("?" * len(STATUSES))
    unsent = db.execute(
        f"select status, count(*), null, max(id) from deliveries indexed by {BY_POST} where post = ? "
        f"and occurrence is ? and status in ({marks}) and sent_at is null{others} group by status",
        [post, occurrence, *STATUSES, *skip],
    ).fetchall()
    return counted + unsent


def _group(post: str, occurrence: str | None, channel: str) -> dict[str, Any]:
    return {"post": post, "occurrence": occurrence, "channel": channel, "total": 0, **dict.fromkeys(STATUSES, 0),
            "first_at": None, "last_at": None, "first_id": None}  # fmt: skip
