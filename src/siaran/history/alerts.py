"""Operator alerts sent (one row per problem per office day) and the daemon's heartbeat."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ..reasons import Reason, dump
from .db import utc

if TYPE_CHECKING:
    import sqlite_utils


def claim(db: sqlite_utils.Database, problem: str, day: str, text: str, now: datetime) -> bool:
    """Record an alert for ``problem`` on ``day``; False if one was already recorded (no flood)."""
    cursor = db.execute(
        "insert or ignore into alerts (problem, day, text, delivered, created_at) values (?, ?, ?, 0, ?)",
        [problem, day, text, utc(now)],
    )
    return cursor.rowcount == 1


def delivered(db: sqlite_utils.Database, problem: str, day: str, targets: str, ok: bool, error: Reason | None) -> None:
    db.execute(
        "update alerts set targets = ?, delivered = ?, error = ? where problem = ? and day = ?",
        [targets, int(ok), dump(error), problem, day],
    )


def since(db: sqlite_utils.Database, when: datetime) -> list[dict]:
    return list(db.query("select * from alerts where created_at >= ? order by id", [utc(when)]))


def beat(db: sqlite_utils.Database, worker: str, started: datetime, last: datetime, following: datetime | None,
         summary: Reason, name: str = "daemon") -> None:  # fmt: skip
    """The heartbeat written after each pass: ``daemon`` for `siaran run`, ``once`` for `run --once`
    (so `status` tells a running daemon from a one-off pass)."""
    db.execute(
        "insert into heartbeat (name, worker, started_at, last_pass, next_pass, summary) values "
        "(?, ?, ?, ?, ?, ?) on conflict(name) do update set worker = excluded.worker, "
        "started_at = excluded.started_at, last_pass = excluded.last_pass, next_pass = excluded.next_pass, "
        "summary = excluded.summary",
        [name, worker, utc(started), utc(last), utc(following) if following else None, dump(summary)],
    )


def heartbeat(db: sqlite_utils.Database, name: str = "daemon") -> dict | None:
    return next(iter(db.query("select * from heartbeat where name = ?", [name])), None)


def failures_since(db: sqlite_utils.Database, when: datetime) -> list[dict]:
    """Deliveries failed or uncertain since ``when``, counted per post and status."""
    return list(
        db.query(
            "select post, status, count(*) as n from deliveries where status in ('failed', 'uncertain') "
            "and coalesce(updated_at, created_at) >= ? group by post, status order by n desc",
            [utc(when)],
        )
    )
