"""Schedule occurrences in history (one row per id, written BEFORE anything is sent) and series rotation::

(unseen) ──▶ running ──▶ done | failed
    │  ▲        └── stopped, or deliveries still queued: stays running, resumed next time
    │  │
    ├──▶ held     (its post or schedule has a problem: tried again each pass within its grace)
    │       └──▶ skipped once past its grace
    └──▶ skipped  (missed, a later occurrence ran instead, a day off, a greeting already sent)

``slot`` is the occurrence's local-time name (unique). New ids are their slot; rows older than
migration m004 keep an id with a UTC offset, so their delivery keys still match.
"""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..reasons import Reason, dump
from .db import utc

if TYPE_CHECKING:
    import sqlite_utils


def series_state(db: sqlite_utils.Database, schedule: str) -> tuple[int, str | None]:
    """(stored position of the series' next post, post of the last occurrence that ran)."""
    row = next(iter(db.query("select position from series_state where schedule = ?", [schedule])), None)
    last = next(
        iter(
            db.query(
                "select post from occurrences where schedule = ? and status not in ('skipped', 'held') "
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


def recorded_slots(db: sqlite_utils.Database, schedule: str, since: datetime) -> set[str]:
    """Slots of the occurrences settled (not held) from ``since`` on. A day of margin: after a
    timezone edit the same local slot is a few hours away in UTC."""
    rows = db.query(
        "select slot from occurrences where schedule = ? and scheduled_for >= ? and status != 'held'",
        [schedule, utc(since - timedelta(days=1))],
    )
    return {r["slot"] for r in rows}


def ran_nearby(db: sqlite_utils.Database, schedule: str, post: str, at: datetime, within: timedelta, not_id: str):
    """Id of an occurrence of ``schedule`` that already ran ``post`` within ``within`` of ``at``."""
    row = next(
        iter(
            db.query(
                "select id from occurrences where schedule = ? and post = ? and status not in ('skipped', 'held') "
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
        try:  # a held occurrence is claimed in place; any other row with this id or slot wins
            cursor = db.execute(
                "insert into occurrences (id, slot, schedule, post, scheduled_for, status, started_at) "
                "values (?, ?, ?, ?, ?, 'running', ?) on conflict(id) do update set status = 'running', "
                "post = excluded.post, reason = null, started_at = excluded.started_at where status = 'held'",
                [occ_id, occ_id, schedule, post, utc(at), stamp],
            )
        except sqlite3.IntegrityError:
            return False
        if cursor.rowcount != 1:
            return False
        if position is not None:
            db.execute(
                "insert into series_state (schedule, position, updated_at) values (?, ?, ?) "
                "on conflict(schedule) do update set position = excluded.position, updated_at = excluded.updated_at",
                [schedule, position, stamp],
            )
    return True


def skip(
    db: sqlite_utils.Database, occ_id: str, schedule: str, post: str, at: datetime, reason: Reason | None, now: datetime
):
    _settle(db, occ_id, schedule, post, at, "skipped", reason, now)


def hold(
    db: sqlite_utils.Database, occ_id: str, schedule: str, post: str, at: datetime, reason: Reason | None, now: datetime
):
    """Recorded as held (its post or schedule has a problem); claimed in place once fixed."""
    _settle(db, occ_id, schedule, post, at, "held", reason, now)


def _settle(db, occ_id, schedule, post, at, status, reason: Reason | None, now) -> None:
    stamp = utc(now)
    finished = stamp if status != "held" else None
    with contextlib.suppress(sqlite3.IntegrityError):  # an older row already names this slot: it stands
        db.execute(
            "insert into occurrences (id, slot, schedule, post, scheduled_for, status, reason, started_at, "
            "finished_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict(id) do update set status = excluded.status, "
            "post = excluded.post, reason = excluded.reason, finished_at = excluded.finished_at where status = 'held'",
            [occ_id, occ_id, schedule, post, utc(at), status, dump(reason), stamp, finished],
        )


def held(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query("select * from occurrences where status = 'held' order by scheduled_for"))


def finish(db: sqlite_utils.Database, occ_id: str, status: str, reason: Reason | None, now: datetime) -> None:
    finished = utc(now) if status != "running" else None
    db.execute(
        "update occurrences set status = ?, reason = ?, finished_at = ? where id = ?",
        [status, dump(reason), finished, occ_id],
    )


def last_started(db: sqlite_utils.Database, schedule: str, before: datetime) -> datetime | None:
    """When siaran last took up (ran or skipped) an occurrence of ``schedule`` due before ``before``."""
    sql = "select max(started_at) as at from occurrences where schedule = ? and scheduled_for < ? and status != 'held'"
    row = next(iter(db.query(sql, [schedule, utc(before)])), None)
    return datetime.fromisoformat(row["at"]) if row and row["at"] else None
