"""A background thread that works through a queue (the inbox's history writes, the replier's sends):
the webhook listener only puts work on it and answers at once."""

from __future__ import annotations

import queue
import threading
from typing import ClassVar, Self


class QueueWorker:
    thread_name: ClassVar[str] = "siaran-worker"

    def __init__(self) -> None:
        self._q: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()
        return self

    def drain(self) -> None:
        """Wait until everything queued so far is done."""
        self._q.join()

    def stop(self) -> None:
        """``None`` on the queue ends the thread once what came before it is done."""
        if self._thread is not None:
            self._q.put(None)
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        raise NotImplementedError
