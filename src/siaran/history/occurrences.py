"""Schedule occurrences in history (one row per id, written BEFORE anything is sent) and series rotation::

(unseen) ──▶ running ──▶ done | failed
    │           └── stopped, or deliveries still queued: stays running, resumed next time
    └──▶ skipped  (missed by more than its grace, or a greeting already sent for that day)
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from .db import utc


def series_state(db: sqlite_utils.Database, schedule: str) -> tuple[int, str | None]:
    """(stored position of the series' next post, post of the last occurrence that ran)."""
    row = next(iter(db.query("select position from series_state where schedule = ?", [schedule])), None)
    last = next(
        iter(
            db.query(
                "select post from occurrences where schedule = ? and status != 'skipped' "
                "order by scheduled_for desc limit 1",
                [schedule],
            )
        ),
        None,
    )
    return (row["position"] if row else 0), (last["post"] if last else None)


def last_recorded(db: sqlite_utils.Database, schedule: str, now: datetime) -> datetime | None:
    """The latest occurrence history recorded up to now (a rehearsal of a future date must not
    hide everything before it)."""
    sql = "select max(scheduled_for) as at from occurrences where schedule = ? and scheduled_for <= ?"
    row = next(iter(db.query(sql, [schedule, utc(now)])), None)
    return datetime.fromisoformat(row["at"]) if row and row["at"] else None


def recorded_ids(db: sqlite_utils.Database, schedule: str, since: datetime) -> set[str]:
    rows = db.query("select id from occurrences where schedule = ? and scheduled_for >= ?", [schedule, utc(since)])
    return {r["id"] for r in rows}


def ran_nearby(db: sqlite_utils.Database, schedule: str, post: str, at: datetime, within: timedelta, not_id: str):
    """Id of an occurrence of ``schedule`` that already ran ``post`` within ``within`` of ``at``."""
    row = next(
        iter(
            db.query(
                "select id from occurrences where schedule = ? and post = ? and status != 'skipped' "
                "and scheduled_for between ? and ? and id != ? limit 1",
                [schedule, post, utc(at - within), utc(at + within), not_id],
            )
        ),
        None,
    )
    return row["id"] if row else None


def running(db: sqlite_utils.Database) -> list[dict]:
    """Occurrences left ``running``."""
    return list(db.query("select * from occurrences where status = 'running' order by scheduled_for"))


def recorded_since(db: sqlite_utils.Database, since: datetime) -> list[dict]:
    """Occurrences history recorded from ``since`` on (done, failed, skipped, running), in time order."""
    sql = "select * from occurrences where scheduled_for >= ? order by scheduled_for, id"
    return list(db.query(sql, [utc(since)]))


def claim(
    db: sqlite_utils.Database, occ_id: str, schedule: str, post: str, at: datetime, now: datetime, position: int | None
) -> bool:
    """Record the occurrence as running (and move the series on) in one transaction. False if
    history already has it: then it must not run again."""
    stamp = utc(now)
    with db.atomic():
        cursor = db.execute(
            "insert or ignore into occurrences (id, schedule, post, scheduled_for, status, started_at) "
            "values (?, ?, ?, ?, 'running', ?)",
            [occ_id, schedule, post, utc(at), stamp],
        )
        if cursor.rowcount != 1:
            return False
        if position is not None:
            db.execute(
                "insert into series_state (schedule, position, updated_at) values (?, ?, ?) "
                "on conflict(schedule) do update set position = excluded.position, updated_at = excluded.updated_at",
                [schedule, position, stamp],
            )
    return True


def skip(db: sqlite_utils.Database, occ_id: str, schedule: str, post: str, at: datetime, reason: str, now: datetime):
    stamp = utc(now)
    db.execute(
        "insert or ignore into occurrences (id, schedule, post, scheduled_for, status, reason, started_at, "
        "finished_at) values (?, ?, ?, ?, 'skipped', ?, ?, ?)",
        [occ_id, schedule, post, utc(at), reason, stamp, stamp],
    )


def finish(db: sqlite_utils.Database, occ_id: str, status: str, reason: str, now: datetime) -> None:
    finished = utc(now) if status != "running" else None
    db.execute(
        "update occurrences set status = ?, reason = ?, finished_at = ? where id = ?",
        [status, reason, finished, occ_id],
    )
