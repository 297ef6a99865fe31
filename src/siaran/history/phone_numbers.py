"""Phone numbers as parsed before, by raw text (siaran.content.phone_book), under the version of
the rules that parsed them: one version at a time, a new one starts afresh. Each raw text keeps the
day a list last held it (``seen``, noted at most once a day), so the daemon forgets numbers no list
has held for ``KEEP_DAYS``: lists change over the years, the table does not grow with them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from .db import chunks, immediate

if TYPE_CHECKING:
    import sqlite_utils

_VERSION = "phone_numbers_version"
# A list unedited for longer is parsed again in full at its next edit (seconds for 100,000 rows): a
# big list is read from its own cache while unchanged, so its numbers are not noted as seen meanwhile.
KEEP_DAYS = 400


def _version(db: sqlite_utils.Database) -> str | None:
    row = db.execute("select value from history_meta where key = ?", [_VERSION]).fetchone()
    return row[0] if row else None


def known(
    db: sqlite_utils.Database, version: str, raws: list[str] | None, today: str = ""
) -> tuple[dict[str, tuple[str, str]], set[str]]:
    """What is remembered of these raw texts (None: of every one), and which of them a list last
    held before ``today`` (through the ``seen`` index: usually none, whatever the table's size)."""
    if _version(db) != version:
        return {}, set()
    sql, stale_sql = "select raw, phone, reason from phone_numbers", "select raw from phone_numbers where seen < ?"
    if raws is None:
        found = {raw: (phone, reason) for raw, phone, reason in db.conn.execute(sql)}
        stale = {raw for (raw,) in db.conn.execute(stale_sql, [today])} if today else set()
        return found, stale
    found, stale = {}, set()
    for chunk in chunks(raws):
        marks = ",".join("?" * len(chunk))
        found.update(
            (raw, (phone, reason)) for raw, phone, reason in db.conn.execute(f"{sql} where raw in ({marks})", chunk)
        )
        if today:
            stale.update(raw for (raw,) in db.conn.execute(f"{stale_sql} and raw in ({marks})", [today, *chunk]))
    return found, stale


def remember(
    db: sqlite_utils.Database,
    version: str,
    parsed: dict[str, tuple[str, str]],
    reread: Iterable[str] = (),
    today: str = "",
) -> None:
    """Keep what was parsed anew, and note ``today`` on the remembered ones a list held again."""
    reread = list(reread)
    if not parsed and not reread:
        return
    # The write lock first (BEGIN IMMEDIATE): read-then-write in a deferred transaction gets "database
    # is locked" at once, without waiting, when another process wrote in between (two sends at once).
    with immediate(db):
        if _version(db) != version:  # other rules (a new phonenumbers): forget what the old ones said
            db.execute("delete from phone_numbers")
            db.execute("insert or replace into history_meta (key, value) values (?, ?)", [_VERSION, version])
        db.conn.executemany(
            "insert or replace into phone_numbers (raw, phone, reason, seen) values (?, ?, ?, ?)",
            [(raw, phone, reason, today or None) for raw, (phone, reason) in parsed.items()],
        )
        if today:
            for chunk in chunks(reread):
                marks = ",".join("?" * len(chunk))
                db.conn.execute(f"update phone_numbers set seen = ? where raw in ({marks}) and seen < ?",
                                [today, *chunk, today])  # fmt: skip


def forget_unseen(db: sqlite_utils.Database, today: date) -> int:
    """Forget the numbers no list has held for ``KEEP_DAYS`` before ``today``; how many went."""
    before = (today - timedelta(days=KEEP_DAYS)).isoformat()
    if db.conn.execute("select 1 from phone_numbers where seen < ? limit 1", [before]).fetchone() is None:
        return 0  # the usual pass: no write, no lock
    with immediate(db):
        return db.conn.execute("delete from phone_numbers where seen < ?", [before]).rowcount
