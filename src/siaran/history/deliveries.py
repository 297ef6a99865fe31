"""Delivery rows: reserve, claim, record outcomes, recover after a crash, query."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..reasons import Reason, dump, reason
from .db import STATUSES, alive, chunks, utc
from .statuses import link as link_provider_ids

if TYPE_CHECKING:
    import sqlite_utils

# Only a row in the expected state can be claimed: a second siaran (the daemon and a manual send at
# once) that reaches the same row finds it taken and leaves it alone.
_SENDING = "update deliveries set status = 'sending', worker = ?, updated_at = ? where key = ? and status = 'queued'"
_OUTCOME = (
    "update deliveries set status = ?, error = ?, error_code = ?, provider_id = coalesce(?, provider_id), "
    "sent_at = coalesce(?, sent_at), not_before = ?, attempts = attempts + 1, updated_at = ? where key = ?"
)
# A batch as ONE statement, its rows given as a VALUES table (UPDATE … FROM, SQLite 3.33+): executed
# row by row, each statement pays its own set-up and trigger statement journal (figures:
# docs/development/performance.md). Older SQLite builds go row by row.
UPDATE_FROM = sqlite3.sqlite_version_info >= (3, 33, 0)
_CLAIM_FROM = (
    "with v(key) as (values {rows}) update deliveries set status = 'sending', worker = ?, updated_at = ? "
    "from v where deliveries.key = v.key and deliveries.status = 'queued'"
)
_OUTCOME_FROM = (
    "with v(status, error, code, provider_id, sent_at, not_before, stamp, key) as (values {rows}) "
    "update deliveries set status = v.status, error = v.error, error_code = v.code, "
    "provider_id = coalesce(v.provider_id, deliveries.provider_id), sent_at = coalesce(v.sent_at, deliveries.sent_at), "
    "not_before = v.not_before, attempts = attempts + 1, updated_at = v.stamp from v where deliveries.key = v.key"
)
INFLIGHT_LOST = dump(reason("delivery.inflight_lost"))


def statement_journals_in_memory(db: sqlite_utils.Database) -> None:
    """For a connection that changes statuses row by row (a broadcast): each change fires the
    ``whatsapp_hours`` triggers (m009), so SQLite keeps a statement journal for it, by default in a
    temporary file, which costs a file write per row; these statements touch one row each, so the
    journal stays a few pages and fits in memory."""
    db.execute("PRAGMA temp_store = MEMORY")


def recover_inflight(db: sqlite_utils.Database, now: datetime) -> int:
    """Rows left in ``sending`` by a process that is gone become ``uncertain``."""
    stale = [
        r["id"]
        for r in db.query("select id, worker from deliveries where status = 'sending'")
        if not alive(r["worker"])
    ]
    if stale:
        with db.atomic():
            for chunk in chunks(stale):
                marks = ",".join("?" * len(chunk))
                db.execute(
                    f"update deliveries set status = 'uncertain', updated_at = ?, error = coalesce(error, ?) "
                    f"where id in ({marks})",
                    [utc(now), INFLIGHT_LOST, *chunk],
                )
    return len(stale)


def reserve(db: sqlite_utils.Database, rows: Iterable[dict[str, Any]]) -> None:
    """Insert planned deliveries; a key already in history is left exactly as it is. One prepared
    statement per 1,000 rows (their columns)."""
    rows = iter(rows)
    with db.atomic():
        while chunk := list(itertools.islice(rows, 1000)):
            columns = list(dict.fromkeys(c for r in chunk for c in r))
            db.conn.executemany(_insert(columns), [tuple(r.get(c) for c in columns) for r in chunk])


# The columns of a reserved row, in the order reserve_rows() takes them.
RESERVED = (
    "key", "post", "channel", "provider", "recipient", "list", "occurrence", "content_hash", "status", "error",
    "attempts", "created_at", "updated_at", "recipient_name", "recipient_columns",
)  # fmt: skip


def reserve_rows(db: sqlite_utils.Database, rows: Iterable[tuple]) -> None:
    """``reserve`` for rows already as tuples of the RESERVED columns: a broadcast reserves 100,000
    rows, and a dict made (then unmade) for each is wasted work."""
    with db.atomic():
        db.conn.executemany(_insert(RESERVED), rows)


def _insert(columns: Sequence[str]) -> str:
    return f"insert or ignore into deliveries ({', '.join(columns)}) values ({', '.join('?' * len(columns))})"


def by_keys(db: sqlite_utils.Database, keys: list[str], columns: str = "*") -> dict[str, dict[str, Any]]:
    """Rows by idempotency key; ``columns`` (e.g. "key, status") keeps big broadcasts small in memory."""
    found: dict[str, dict[str, Any]] = {}
    for chunk in chunks(keys):
        marks = ",".join("?" * len(chunk))
        for row in db.query(f"select {columns} from deliveries where key in ({marks})", chunk):
            found[row["key"]] = row
    return found


def statuses(db: sqlite_utils.Database, keys: list[str]) -> dict[str, tuple[str, str | None]]:
    """key → (status, error) of the keys already in history; tuples, so 100,000 rows stay small."""
    found: dict[str, tuple[str, str | None]] = {}
    for chunk in chunks(keys):
        sql = f"select key, status, error from deliveries where key in ({','.join('?' * len(chunk))})"
        for key, status, error in db.conn.execute(sql, chunk):
            found[key] = (status, error)
    return found


def get(db: sqlite_utils.Database, key: str) -> dict[str, Any] | None:
    return next(iter(db.query("select * from deliveries where key = ?", [key])), None)


def update(db: sqlite_utils.Database, key: str, now: datetime, **values: Any) -> None:
    values["updated_at"] = utc(now)
    sets = ", ".join(f"{k} = ?" for k in values)
    db.execute(f"update deliveries set {sets} where key = ?", [*values.values(), key])


def claim(db: sqlite_utils.Database, key: str, expected: str, worker: str, now: datetime) -> bool:
    """Take one row for this process: ``expected`` → ``sending`` (compare-and-set). False when another
    process changed it first."""
    with db.atomic():
        cursor = db.execute(
            "update deliveries set status = 'sending', worker = ?, updated_at = ? where key = ? and status = ?",
            [worker, utc(now), key, expected],
        )
    return cursor.rowcount == 1


def commit_batch(
    db: sqlite_utils.Database, worker: str, stamp: str, sending: Sequence[str], outcomes: Sequence[tuple]
) -> set[str]:
    """One transaction: record ``outcomes`` (status, error, code, provider_id, sent_at, not_before, stamp,
    key) and claim ``sending`` keys (queued → sending). Returns the keys another process claimed first."""
    lost: set[str] = set()
    with db.atomic():
        if outcomes:
            _record(db, outcomes)
            # ids joined with "," when one delivery took several messages (slides, long text)
            link_provider_ids(db, [(m, o[-1]) for o in outcomes if o[3] for m in o[3].split(",") if m], stamp)
        if sending and _claim(db, worker, stamp, sending) != len(sending):
            rows = by_keys(db, list(sending), "key, status, worker")
            lost = {k for k, r in rows.items() if r["status"] != "sending" or r["worker"] != worker}
    return lost


def _record(db: sqlite_utils.Database, outcomes: Sequence[tuple]) -> None:
    # Two outcomes of one row in one batch must apply in order (a join would pick either): row by row.
    if not UPDATE_FROM or len({o[-1] for o in outcomes}) != len(outcomes):
        db.conn.executemany(_OUTCOME, outcomes)
        return
    for chunk in chunks(list(outcomes), 120):  # 8 values a row: under 999 variables
        rows = ",".join(["(?,?,?,?,?,?,?,?)"] * len(chunk))
        db.conn.execute(_OUTCOME_FROM.format(rows=rows), [value for o in chunk for value in o])


def _claim(db: sqlite_utils.Database, worker: str, stamp: str, keys: Sequence[str]) -> int:
    """queued → sending for ``keys`` (each once); how many rows changed."""
    if not UPDATE_FROM:
        return db.conn.executemany(_SENDING, [(worker, stamp, k) for k in keys]).rowcount
    changed = 0
    for chunk in chunks(list(keys), 500):
        sql = _CLAIM_FROM.format(rows=",".join(["(?)"] * len(chunk)))
        changed += db.conn.execute(sql, [*chunk, worker, stamp]).rowcount
    return changed


def in_status(db: sqlite_utils.Database, status: str, channel: str, post: str | None = None) -> list[dict[str, Any]]:
    sql = (
        "select key, post, recipient, recipient_name, list, occurrence from deliveries where status = ? and channel = ?"
    )
    args = [status, channel]
    if post:
        sql += " and post = ?"
        args.append(post)
    return list(db.query(sql + " order by id", args))


def set_statuses(
    db: sqlite_utils.Database, changes: Iterable[tuple[str, Reason | None, str, str]], now: datetime
) -> None:
    """(new status, error, key, expected status) for each row, in one transaction; a row no longer in its
    expected status is left alone."""
    stamp = utc(now)
    with db.atomic():
        db.conn.executemany(
            "update deliveries set status = ?, error = ?, updated_at = ? where key = ? and status = ?",
            [(status, dump(error), stamp, key, expected) for status, error, key, expected in changes],
        )


def count_attempt(db: sqlite_utils.Database, key: str) -> None:
    with db.atomic():
        db.execute("update deliveries set attempts = attempts + 1 where key = ?", [key])


def query(
    db: sqlite_utils.Database,
    *,
    post: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    channel: str | None = None,
    limit: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Matching rows, oldest first, as they are read (a million rows never sit in memory at once).
    With ``limit``, the newest ``limit`` rows (still oldest first): SQLite walks the id index
    backwards and stops there."""
    where, args = _filters(post, status, channel, since)
    sql = "select * from deliveries" + where
    if limit:
        sql = f"select * from ({sql} order by id desc limit {int(limit)}) order by id"
    else:
        sql += " order by id"
    return db.query(sql, args)


def by_occurrence(
    db: sqlite_utils.Database,
    *,
    post: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    channel: str | None = None,
) -> list[dict[str, Any]]:
    """One row per post × occurrence × channel: counts per status, first and last time (UTC ISO)."""
    where, args = _filters(post, status, channel, since)
    sql = f"select {GROUP_COLUMNS} from deliveries{where} group by post, occurrence, channel order by min(id)"
    return list(db.query(sql, args))


def _filters(
    post: str | None, status: str | None, channel: str | None, since: datetime | None
) -> tuple[str, list[Any]]:
    """The ``where`` clause (with its leading space, or "") and its arguments of the history's filters."""
    where, args = [], []
    for column, value in (("post", post), ("status", status), ("channel", channel)):
        if value:
            where.append(f"{column} = ?")
            args.append(value)
    if since:
        where.append("created_at >= ?")
        args.append(utc(since))
    return (" where " + " and ".join(where) if where else ""), args


GROUP_COLUMNS = (
    "post, occurrence, channel, count(*) as total, "
    + ", ".join(f"sum(status = '{s}') as {s}" for s in STATUSES)
    + ", min(created_at) as first_at, max(coalesce(sent_at, created_at)) as last_at"
    + ", min(id) as first_id"
)
