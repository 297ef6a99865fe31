"""Pacing: at most ``rate`` requests per second across every concurrent sender.

A GCRA-style limiter (the "virtual scheduling" form of a token bucket): each caller reserves the
next free slot and sleeps until it, so waiters never stampede, and the schedule is kept in ideal
time rather than in when callers actually woke, so a late wake-up does not lower the average rate.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable

from ..channels import Driver


class RateLimiter:
    def __init__(
        self,
        rate: float,
        *,
        burst: float = 0.05,
        spread: tuple[float, float] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        """``rate``: requests per second (0: unlimited). ``burst``: seconds of unused capacity that
        may be spent at once after a pause, so the cap stays reachable when the event loop wakes a
        little late. ``spread``: (min, max) seconds between requests, drawn at random for each gap
        (gateways that must not look like a machine, e.g. Fonnte); overrides ``rate``."""
        self.spread = spread
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.tolerance = 0.0 if spread else burst
        self._monotonic = monotonic
        self._tat = 0.0  # theoretical arrival time of the next request

    def _gap(self) -> float:
        if self.spread:
            return random.uniform(*self.spread)
        return self.interval

    def reserve(self, n: int = 1) -> float:
        """Reserve the next ``n`` slots; returns how long the caller must wait for the last one."""
        gaps = [self._gap() for _ in range(n)] if self.spread else [self.interval] * n
        if gaps[-1] <= 0:
            return 0.0
        now = self._monotonic()
        tat = max(self._tat, now)
        last = tat + sum(gaps[:-1])
        self._tat = last + gaps[-1]
        return max(0.0, last - self.tolerance - now)

    async def acquire(self) -> None:
        wait = self.reserve()
        if wait > 0:
            await asyncio.sleep(wait)

    def hold(self, seconds: float) -> None:
        """Pause everyone: the provider said the whole number is over its throughput."""
        self._tat = max(self._tat, self._monotonic() + seconds)


def pacing(driver: Driver, settings) -> tuple[RateLimiter, int]:
    """How fast this provider may go: Cloud API at ``whatsapp.mps`` with many requests in flight;
    linked-device gateways (Fonnte, WAHA) one at a time with a human-looking random gap."""
    if driver.spread:
        return RateLimiter(0, spread=driver.spread), 1
    if not driver.concurrent:
        return RateLimiter(0), 1
    return RateLimiter(settings.whatsapp.mps), max(1, settings.whatsapp.concurrency)
