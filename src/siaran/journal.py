"""Group commit of delivery status changes, so SQLite is never the bottleneck of a broadcast.

Every sender that is about to call a provider asks for its row to be marked ``sending`` and
waits until that mark is COMMITTED; all marks requested in the same turn of the event loop share
one transaction. Outcomes (sent, failed, …) need no wait: they ride along with the next commit,
or a short timer's, so a crash loses at most a few milliseconds of outcomes — and those rows are
still ``sending``, which the next run turns into ``uncertain`` (never resent blindly).
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
        self._committed: asyncio.Future | None = None
        self._timer: asyncio.TimerHandle | None = None
        self.commits = 0

    async def sending(self, key: str) -> bool:
        """Returns once the ``sending`` mark of ``key`` is on disk: True, or False when the row was
        no longer queued (another process claimed it first)."""
        self._sending.append(key)
        if self._committed is None:
            loop = asyncio.get_running_loop()
            self._committed = loop.create_future()
            loop.call_soon(self.flush)
        lost = await asyncio.shield(self._committed)
        return key not in lost

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
        if self._timer is None and self._committed is None:
            self._timer = asyncio.get_running_loop().call_later(self.linger, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        sending, self._sending = self._sending, []
        outcomes, self._outcomes = self._outcomes, []
        committed, self._committed = self._committed, None
        lost: set[str] = set()
        try:
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
        except BaseException as e:
            if committed is not None and not committed.done():
                committed.set_exception(e)
            raise
        if committed is not None and not committed.done():
            committed.set_result(lost)

    def _not_mine(self, keys: list[str]) -> set[str]:
        rows = history.by_keys(self.db, keys, "key, status, worker")
        return {k for k, r in rows.items() if r["status"] != "sending" or r["worker"] != self.worker}
