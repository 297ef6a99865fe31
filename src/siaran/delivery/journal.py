"""Group commit of delivery status changes, so SQLite is never the bottleneck of a broadcast.

The dispatcher claims a small batch of rows (``sending``) in ONE transaction and lets their
requests go only once it is COMMITTED. Outcomes (sent, failed, …) need no wait: they ride along
with the next claim, or a timer's commit at most one claim interval later (≤ 200 ms), so a crash
loses at most that much of outcomes — and those rows are still ``sending``, which the next run
turns into ``uncertain`` (never resent blindly).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

import sqlite_utils

from ..history import deliveries, utc
from ..reasons import Reason, dump


class Journal:
    def __init__(self, db: sqlite_utils.Database, worker: str, now: Callable[[], datetime], *, linger: float = 0.05):
        self.db = db
        deliveries.statement_journals_in_memory(db)
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
        error: Reason | None = None,
        code: str = "",
        provider_id: str = "",
        not_before: str | None = None,
    ) -> None:
        stamp = utc(self.now())
        sent_at = stamp if status == "sent" else None
        self._outcomes.append(
            (status, dump(error), code or None, provider_id or None, sent_at, not_before, stamp, key)
        )
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.linger, self.flush)

    def flush(self) -> set[str]:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        sending, self._sending = self._sending, []
        outcomes, self._outcomes = self._outcomes, []
        if not (sending or outcomes):
            return set()
        lost = deliveries.commit_batch(self.db, self.worker, utc(self.now()), sending, outcomes)
        self.commits += 1
        return lost
