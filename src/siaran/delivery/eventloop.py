"""The event loop siaran's sending and listening run on: uvloop where it exists (Linux, macOS),
asyncio's own elsewhere (Windows). Its loop and socket transports are C, which a broadcast's many
small requests and the webhook listener's many small answers feel (docs/development/benchmarks-broadcast.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """``uvloop.run``, or ``asyncio.run`` where uvloop does not exist."""
    try:
        import uvloop
    except ImportError:  # Windows: the standard loop
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)
