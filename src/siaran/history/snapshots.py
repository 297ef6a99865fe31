"""Profile snapshots: the Instagram account's counts, read by `siaran instagram sync`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .db import utc

if TYPE_CHECKING:
    import sqlite_utils


def add(db: sqlite_utils.Database, now: datetime, username: str, posts, followers, following) -> None:
    db["profile_snapshots"].insert(
        {"taken_at": utc(now), "username": username, "posts": posts, "followers": followers, "following": following}
    )


def followers_before(db: sqlite_utils.Database, since: str) -> int | None:
    sql = "select followers from profile_snapshots where taken_at < ? order by taken_at desc limit 1"
    row = next(iter(db.query(sql, [since])), None)
    return row["followers"] if row else None


def since(db: sqlite_utils.Database, start: str) -> list[dict]:
    sql = "select taken_at, followers from profile_snapshots where taken_at >= ? order by taken_at, id"
    return list(db.query(sql, [start]))
