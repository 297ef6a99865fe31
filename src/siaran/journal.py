"""Group commit of delivery status changes, so SQLite is never the bottleneck of a broadcast.

The dispatcher claims a small batch of rows (``sending``) in ONE transaction and lets their
requests go only once it is COMMITTED. Outcomes (sent, failed, …) need no wait: they ride along
with the next claim, or a short timer's commit, so a crash loses at most a few milliseconds of
outcomes — and those rows are still ``sending``, which the next run turns into ``uncertain``
(never resent blindly).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

import sqlite_utils

from . import history

# Only a queued row can be claimed: a second siaran (the daemon and a manual send at once) that
# reaches the same row finds it taken and leaves it alone.
_SENDING = "update deliveries set status = 'sending', worker = ?, updated_at = ? where key = ? and status = 'queued'"
_OUTCOME = (
    "update deliveries set status = ?, error = ?, error_code = ?, provider_id = coalesce(?, provider_id), "
    "sent_at = coalesce(?, sent_at), not_before = ?, attempts = attempts + 1, updated_at = ? where key = ?"
)


class Journal:
    def __init__(self, db: sqlite_utils.Database, worker: str, now: Callable[[], datetime], *, linger: float = 0.05):
        self.db = db
        self.worker = worker
        self.now = now
        self.linger = linger  # longest an outcome waits for a commit
        self._sending: list[str] = []
        self._outcomes: list[tuple] = []
        self._timer: asyncio.TimerHandle | None = None
        self.commits = 0

    def claim(self, keys: list[str]) -> set[str]:
        """Mark ``keys`` as ``sending`` and commit (with any outcomes waiting) before returning.
        Returns the keys that were no longer queued: another process claimed them first."""
        self._sending.extend(keys)
        return self.flush()

    def outcome(
        self,
        key: str,
        status: str,
        *,
        error: str = "",
        code: str = "",
        provider_id: str = "",
        not_before: str | None = None,
    ) -> None:
        stamp = history.utc(self.now())
        sent_at = stamp if status == "sent" else None
        self._outcomes.append(
            (status, error or None, code or None, provider_id or None, sent_at, not_before, stamp, key)
        )
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.linger, self.flush)

    def flush(self) -> set[str]:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        sending, self._sending = self._sending, []
        outcomes, self._outcomes = self._outcomes, []
        lost: set[str] = set()
        if sending or outcomes:
            stamp = history.utc(self.now())
            with self.db.atomic():
                if outcomes:
                    self.db.conn.executemany(_OUTCOME, outcomes)
                if sending:
                    cursor = self.db.conn.executemany(_SENDING, [(self.worker, stamp, k) for k in sending])
                    if cursor.rowcount != len(sending):
                        lost = self._not_mine(sending)
            self.commits += 1
        return lost

    def _not_mine(self, keys: list[str]) -> set[str]:
        rows = history.by_keys(self.db, keys, "key, status, worker")
        return {k for k, r in rows.items() if r["status"] != "sending" or r["worker"] != self.worker}
