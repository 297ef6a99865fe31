"""When to try a message again: a small policy object (after hynek/stamina).

Exponential backoff with full jitter, capped; a provider's Retry-After wins when it sends one.
Tests build it with ``base=0`` so nothing sleeps.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PAIR_WAIT = 6.0  # Meta allows about one message per 6 s to the same person


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5  # calls per message, the first one included
    base: float = 1.0  # seconds before the second attempt (before jitter)
    cap: float = 60.0  # longest wait between two attempts
    jitter: bool = True
    pair_wait: float = 6.0  # least wait before messaging a person again after a recipient-wide throttle (131056)

    def should_retry(self, attempts: int) -> bool:
        """``attempts``: calls already made for this message."""
        return attempts < self.max_attempts

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        if retry_after is not None and retry_after >= 0:
            return min(retry_after, self.cap * 5)  # honour the provider, within reason
        if self.base <= 0:
            return 0.0
        ceiling = min(self.cap, self.base * 2 ** max(0, attempts - 1))
        return random.uniform(ceiling / 2, ceiling) if self.jitter else ceiling


def policy(settings) -> RetryPolicy:
    wa = settings.whatsapp
    return RetryPolicy(max_attempts=max(1, wa.max_attempts), base=wa.backoff, pair_wait=PAIR_WAIT * min(1, wa.backoff))
