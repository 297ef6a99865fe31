"""The newest groups of the history (post × occurrence × channel, as ``deliveries.by_occurrence``
counts them) without grouping the whole table: two years of weekly broadcasts are a million rows,
and `history --limit 50` wants the last 50 groups.

Walk back from the newest row one post × occurrence at a time (a rowid seek below the groups found
so far) and count each from indexes alone: its Instagram rows through (channel, sent_at, post, …),
where Instagram's one row a week is a short range, and the rest (WhatsApp) through (post,
occurrence, status, sent_at), which holds every column the counts need but the creation time:
that is read for two rows. A group whose rows all fall inside a newer occurrence's span (a manual
send in the seconds a broadcast reserves its rows) is left out; the full listing shows it."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from .db import STATUSES

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
    others = " and id not in ({})".format(", ".join("?" * len(skip))) if skip else ""
    counted = db.execute(
        f"select status, count(*), min(id), max(id), max(sent_at) from deliveries indexed by {BY_POST}"
        f" where post = ? and occurrence is ?{others} group by status",
        [post, occurrence, *skip],
    ).fetchall()
    if counted:
        group = _group(post, occurrence, "whatsapp")
        for status, n, _first, _last, _sent in counted:
            group[status] = n
            group["total"] += n
        first_id, last_id = min(r[2] for r in counted), max(r[3] for r in counted)
        created = dict(db.execute("select id, created_at from deliveries where id in (?, ?)", [first_id, last_id]))
        last_sent = max((r[4] for r in counted if r[4]), default="")
        group["first_id"], group["first_at"] = first_id, created[first_id]
        group["last_at"] = max(last_sent, created[last_id])  # ids follow creation: the last row is the newest unsent
        groups.append(group)
    return sorted(groups, key=lambda g: g["first_id"])


def _group(post: str, occurrence: str | None, channel: str) -> dict[str, Any]:
    return {"post": post, "occurrence": occurrence, "channel": channel, "total": 0, **dict.fromkeys(STATUSES, 0),
            "first_at": None, "last_at": None, "first_id": None}  # fmt: skip
