"""The posting history: one SQLite file (sqlite-utils), WAL mode, numbered migrations applied on open.

Delivery life cycle (one row per post × channel × recipient × occurrence, unique ``key``)::

    queued ──▶ sending ──▶ sent | failed
                  │
                  └──(process died, or the answer never came)──▶ uncertain   (never resent blindly)
    queued ──▶ skipped   (opted out, invalid number, occurrence past its grace window)

The row is written (queued) before the channel is called and moved to ``sending`` — with the
worker that owns it — right before the request leaves, so after a crash we know exactly which
messages might have gone.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("siaran")

STATUSES = ("queued", "sending", "sent", "failed", "uncertain", "skipped")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["deliveries"].create(
        {
            "id": int, "key": str, "post": str, "channel": str, "provider": str, "recipient": str, "list": str,
            "occurrence": str, "content_hash": str, "status": str, "attempts": int, "provider_id": str,
            "error": str, "error_code": str, "worker": str, "created_at": str, "updated_at": str,
            "sent_at": str, "not_before": str,
        },
        pk="id",
        not_null={"key", "post", "channel", "recipient", "status"},
        defaults={"attempts": 0},
    )  # fmt: skip
    db["deliveries"].create_index(["key"], unique=True)
    db["deliveries"].create_index(["post", "occurrence"])
    db["deliveries"].create_index(["status"])
    db["occurrences"].create(
        {
            "id": str,
            "schedule": str,
            "post": str,
            "scheduled_for": str,
            "status": str,
            "reason": str,
            "started_at": str,
            "finished_at": str,
        },
        pk="id",
    )
    db["series_state"].create({"schedule": str, "position": int, "updated_at": str}, pk="schedule")
    db["optouts"].create({"phone": str, "reason": str, "source": str, "created_at": str}, pk="phone")
    db["media"].create({"key": str, "provider": str, "media_id": str, "uploaded_at": str}, pk="key")
    db["instagram_queue"].create(
        {
            "id": int, "key": str, "post": str, "occurrence": str, "images": str, "caption": str,
            "planned_at": str, "status": str, "publisher": str, "attempts": int, "container_id": str,
            "media_id": str, "shortcode": str, "permalink": str, "error": str, "created_at": str,
            "updated_at": str, "published_at": str, "confirmed_at": str,
        },
        pk="id",
        defaults={"attempts": 0},
    )  # fmt: skip
    db["instagram_queue"].create_index(["key"], unique=True)
    db["profile_snapshots"].create(
        {"id": int, "taken_at": str, "username": str, "posts": int, "followers": int, "following": int},
        pk="id",
    )


def utc(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def open_db(path: Path) -> sqlite_utils.Database:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA busy_timeout = 10000")
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; a power cut loses at most the last commit
    migrations.apply(db)
    return db


def worker_id() -> str:
    """Identifies this process across reboots (pid + start time), to tell dead owners from live ones."""
    proc = psutil.Process(os.getpid())
    return f"{socket.gethostname()}:{proc.pid}:{int(proc.create_time())}"


def _alive(worker: str | None) -> bool:
    if not worker:
        return False
    host, _, rest = worker.partition(":")
    pid, _, started = rest.partition(":")
    if host != socket.gethostname():
        return True  # a history shared between machines: assume the other one knows
    try:
        proc = psutil.Process(int(pid))
        return int(proc.create_time()) == int(started)
    except (psutil.Error, ValueError):
        return False


def recover_inflight(db: sqlite_utils.Database, now: datetime) -> int:
    """Rows left in ``sending`` by a process that is gone become ``uncertain``."""
    stale = [
        r["id"]
        for r in db.query("select id, worker from deliveries where status = 'sending'")
        if not _alive(r["worker"])
    ]
    if stale:
        with db.atomic():
            for chunk in _chunks(stale, 500):
                marks = ",".join("?" * len(chunk))
                db.execute(
                    f"update deliveries set status = 'uncertain', updated_at = ?, error = coalesce(error, "
                    f"'the program stopped while this message was being sent; it may have arrived') "
                    f"where id in ({marks})",
                    [utc(now), *chunk],
                )
    return len(stale)


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def reserve(db: sqlite_utils.Database, rows: Iterable[dict[str, Any]]) -> None:
    """Insert planned deliveries; a key already in history is left exactly as it is."""
    with db.atomic():
        db["deliveries"].insert_all(rows, ignore=True, batch_size=1000)


def by_keys(db: sqlite_utils.Database, keys: list[str], columns: str = "*") -> dict[str, dict[str, Any]]:
    """Rows by idempotency key; ``columns`` (e.g. "key, status") keeps big broadcasts small in memory."""
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(keys, 500):
        marks = ",".join("?" * len(chunk))
        for row in db.query(f"select {columns} from deliveries where key in ({marks})", chunk):
            found[row["key"]] = row
    return found


def update(db: sqlite_utils.Database, key: str, now: datetime, **values: Any) -> None:
    values["updated_at"] = utc(now)
    sets = ", ".join(f"{k} = ?" for k in values)
    db.execute(f"update deliveries set {sets} where key = ?", [*values.values(), key])


def query_deliveries(
    db: sqlite_utils.Database,
    *,
    post: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    channel: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    where, args = [], []
    if post:
        where.append("post = ?")
        args.append(post)
    if status:
        where.append("status = ?")
        args.append(status)
    if channel:
        where.append("channel = ?")
        args.append(channel)
    if since:
        where.append("created_at >= ?")
        args.append(utc(since))
    sql = "select * from deliveries"
    if where:
        sql += " where " + " and ".join(where)
    sql += " order by id"
    if limit:
        sql += f" limit {int(limit)}"
    return list(db.query(sql, args))


@migrations()
def m002_issue6_instagram_queue(db: sqlite_utils.Database) -> None:
    """Instagram queue: carousel children, the worker publishing a post, the time Instagram shows,
    the provider error code and the operator hand-off receipt."""
    table = db["instagram_queue"]
    for column in ("children", "worker", "posted_at", "error_code", "handoff"):
        table.add_column(column, str)
    table.create_index(["status"])
