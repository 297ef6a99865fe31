"""The inbox: webhook events queued by the listener, written to history by one thread in batches.

The listener answers at once; this thread drains whatever has arrived (thousands of statuses in one
transaction at a busy moment, one at a quiet one) with its own SQLite connection, so the event loop
never waits for the disk. Incoming messages go to ``on_incoming`` (the conversation) in order.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable, Sequence
from datetime import datetime

import sqlite_utils

from ..history import contacts, deliveries, problems
from ..history import statuses as status_table
from ..history.db import immediate
from .events import ContactChange, Incoming, ProviderProblem, StatusEvent
from .worker import QueueWorker

log = logging.getLogger(__name__)

BATCH = 5000  # events per transaction at most
TRIES = 5  # a batch the history cannot take (locked for long) is tried again before it is given up


class Inbox(QueueWorker):
    thread_name = "siaran-inbox"

    def __init__(
        self,
        open_db: Callable[[], sqlite_utils.Database],
        now: Callable[[], datetime],
        on_incoming: Callable[[sqlite_utils.Database, Incoming], None] | None = None,
        on_failed: Callable[[dict[str, int]], None] | None = None,
        on_problem: Callable[[list[ProviderProblem]], None] | None = None,
    ):
        self._open_db = open_db
        self.now = now
        self.on_incoming = on_incoming
        self.on_failed = on_failed  # the operator alert for messages that failed after sending
        self.on_problem = on_problem  # the operator alert for errors Meta reports outside a status
        super().__init__()
        self.received = 0  # events taken by the listener
        self.applied = 0  # statuses matched to a delivery
        self.waiting = 0  # statuses kept for a message id not known yet
        self.messages = 0  # incoming messages handled
        self.pending = 0  # statuses waiting in history for their message id
        self.failed_later = 0  # failed statuses received (accepted, then not delivered)
        self._counted = 0.0
        self.lost = 0  # events given up after TRIES failed writes (logged)

    def put(self, statuses: list[StatusEvent], incoming: list[Incoming], changes: Sequence[ContactChange] = (),
            problems: Sequence[ProviderProblem] = ()) -> bool:  # fmt: skip
        """False when the writer is not running: the listener then answers 503 and the provider
        sends the webhook again later, instead of it being kept only in memory."""
        if self._thread is None or not self._thread.is_alive():
            return False
        self.received += len(statuses) + len(incoming) + len(changes) + len(problems)
        self._q.put((statuses, incoming, changes, problems))
        return True

    def _run(self) -> None:
        db = self._open_db()
        deliveries.statement_journals_in_memory(db)  # every status fires the hourly-count triggers
        try:
            while True:
                items = [self._q.get()]
                stopping = items[0] is None
                while not stopping and len(items) < BATCH:
                    try:
                        item = self._q.get_nowait()
                    except queue.Empty:
                        break
                    items.append(item)
                    stopping = item is None
                work = [i for i in items if i is not None]
                try:
                    self._write(db, work)
                finally:
                    for _ in items:
                        self._q.task_done()
                if stopping:
                    return
        finally:
            db.close()

    def _write(self, db: sqlite_utils.Database, work: list[tuple]) -> None:
        statuses = [s for batch, *_ in work for s in batch]
        for attempt in range(1, TRIES + 1):
            try:
                if statuses:
                    applied, waiting = status_table.record(db, statuses, self.now())
                    self.applied += applied
                    self.waiting += waiting
                    if waiting or time.monotonic() - self._counted > 5:  # a count, not per batch under load
                        self.pending = status_table.pending_count(db)
                        self._counted = time.monotonic()
                    self._warn_failures(statuses)
                break
            except Exception:
                log.exception("could not write %d webhook statuses (attempt %d)", len(statuses), attempt)
                if attempt == TRIES:
                    self.lost += len(statuses)
                time.sleep(min(2.0, 0.2 * attempt))
        for _, incoming, changes, found in work:
            for message in incoming:
                self.messages += 1
                if self.on_incoming is None:
                    continue
                try:
                    self.on_incoming(db, message)
                except Exception:  # one bad message must not stop the statuses behind it
                    log.exception("could not handle incoming message %s", message.message_id)
            for change in changes:
                try:
                    with immediate(db):
                        contacts.apply_change(db, change, self.now())
                except Exception:
                    log.exception("could not apply a %s contact change", change.action)
            if found:
                self._record_problems(db, list(found))

    def _record_problems(self, db: sqlite_utils.Database, found: list[ProviderProblem]) -> None:
        """Errors Meta reports for a webhook or an incoming message: kept (Meta never sends them
        again), shown on the page, and one operator alert a day."""
        try:
            with immediate(db):
                problems.record(db, found, self.now())
        except Exception:
            log.exception("could not record %d provider problems", len(found))
        log.warning("WhatsApp reports %d problem(s): %s", len(found),
                    ", ".join(f"{p.code} {p.title}" for p in found[:5]))  # fmt: skip
        if self.on_problem is not None:
            try:
                self.on_problem(found)
            except Exception:  # an alert must never stop the events behind it
                log.exception("alert for provider problems not sent")

    def _warn_failures(self, statuses: list[StatusEvent]) -> None:
        """Messages the provider accepted but could not deliver: the operator should hear of them
        (an alert handler on this logger sees one line per batch, not one per message)."""
        codes: dict[str, int] = {}
        for s in statuses:
            if s.status == "failed":
                codes[s.error_code or "?"] = codes.get(s.error_code or "?", 0) + 1
        if codes:
            self.failed_later += sum(codes.values())
            summary = ", ".join(f"{n} x code {c}" for c, n in sorted(codes.items()))
            log.warning("WhatsApp reports %d message(s) not delivered after sending: %s; `siaran history "
                        "--status failed` shows them", sum(codes.values()), summary)  # fmt: skip
            if self.on_failed is not None:
                try:
                    self.on_failed(codes)
                except Exception:  # an alert must never stop the statuses behind it
                    log.exception("alert for failed messages not sent")
