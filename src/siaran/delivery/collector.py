"""Python's garbage collector while broadcasts run.

A broadcast keeps some hundred messages in flight, each holding objects the collector tracks
(tasks, requests, answers): more than the young generation's default of 700. Collections would then
run every few dozen messages, each finding the same in-flight objects alive and promoting them,
until a full collection walks the whole program (the project, every planned row). Those objects
are freed by reference counting as each message ends (answers form no cycles: channels.http.call),
so the collector is only asked to look less often. A larger young generation is worth more than
``gc.freeze()`` here (docs/development/benchmarks-broadcast.md).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

YOUNG = 20_000  # objects the young generation may hold while a broadcast runs (default 700)

_lock = threading.Lock()
_running = 0
_saved: tuple[int, ...] = ()


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the young generation's threshold until the last broadcast of the process ends (the
    daemon's and a webhook's replies may overlap in threads; the setting is process-wide)."""
    global _running, _saved
    with _lock:
        if _running == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(max(_saved[0], YOUNG), *_saved[1:])
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0:
                gc.set_threshold(*_saved)
