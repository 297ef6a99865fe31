"""``rendered_texts``: the texts `siaran check` rendered, by a key of everything that decides them
(siaran.render.remembered). They greet real people (each post's first recipient), so they live here,
beside the deliveries, and not in a cache folder; one not needed for ``KEEP_DAYS`` is forgotten."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import TYPE_CHECKING

from .db import immediate

if TYPE_CHECKING:
    import sqlite_utils

KEEP_DAYS = 30  # a list's first person removed: their greeting goes with the next edit after this
_FORGET = "delete from rendered_texts where used < ?"


def _cutoff(today: date) -> str:
    """Texts last used before this day are forgotten."""
    return (today - timedelta(days=KEEP_DAYS)).isoformat()


class TextsKept:
    """The history as a siaran.render.remembered.TextStore: new texts are written by ``keep`` when
    the command succeeded; a text used again is noted at most once a day, so an unchanged
    project's check writes nothing."""

    def __init__(self, db: sqlite_utils.Database, today: date):
        self.db = db
        self.today = today.isoformat()
        self.cutoff = _cutoff(today)
        self._new: dict[str, str] = {}
        self._used: list[str] = []

    def find(self, key: str) -> str | None:
        row = self.db.conn.execute("select text, used from rendered_texts where key = ?", [key]).fetchone()
        if row is None:
            return None
        if row[1] < self.today:
            self._used.append(key)
        return row[0]

    def add(self, key: str, text: str) -> None:
        self._new[key] = text

    def keep(self) -> None:
        """Keep the new texts, note the day on those used again, forget those long unused."""
        texts, used, self._new, self._used = self._new, self._used, {}, []
        if not texts and not used:
            return
        try:
            with immediate(self.db):
                self.db.conn.executemany(
                    "insert or replace into rendered_texts (key, text, used) values (?, ?, ?)",
                    [(key, text, self.today) for key, text in texts.items()],
                )
                self.db.conn.executemany(
                    "update rendered_texts set used = ? where key = ?", [(self.today, key) for key in used]
                )
                self.db.conn.execute(_FORGET, [self.cutoff])
        except sqlite3.Error:  # busy past the timeout (a long send), closed by a restore: rendered again next time
            pass


def forget_unused(db: sqlite_utils.Database, today: date) -> int:
    """Forget the texts nothing used for ``KEEP_DAYS`` before ``today`` (the daemon's upkeep, for
    an office that stopped running `check`); how many went."""
    before = _cutoff(today)
    if db.conn.execute("select 1 from rendered_texts where used < ? limit 1", [before]).fetchone() is None:
        return 0  # the usual pass: no write, no lock
    with immediate(db):
        return db.conn.execute(_FORGET, [before]).rowcount
