"""What one send did, counted for the operator: the summary every command and the daemon print."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..reasons import Reason

Progress = Callable[[int, int], None]  # (done, total)

# Exit codes of send, retry and run --once (README "Exit codes"); 0 is everything due went out.
EXIT_ERROR = 1  # stopped: bad content or settings, history refused, another process, a fatal provider error
EXIT_INCOMPLETE = 2  # ran, but not everything went out: failed, uncertain, still queued or held


CLAIMED = "claimed"  # an ``already`` key: rows another live run is sending


@dataclass
class Summary:
    post: str
    occurrence: str | None
    dry_run: bool = False
    planned: int = 0
    new: int = 0  # rows this run added to history
    already: Counter = field(default_factory=Counter)  # status of rows an earlier run settled (or CLAIMED)
    sent: int = 0
    failed: Counter[Reason] = field(default_factory=Counter)  # reason -> count
    uncertain: int = 0
    skipped: Counter[Reason] = field(default_factory=Counter)  # reason -> count
    recovered: int = 0  # rows an interrupted earlier run left in flight, now uncertain
    left_queued: int = 0  # stopped (fatal error or shutdown) before these were attempted
    stopped: Reason | None = None  # why the broadcast stopped early
    warnings: list[Any] = field(default_factory=list)  # content problems (shown as they are) and reasons
    merged: int = 0  # rows of the lists that are one message with an earlier row (same number)
    reached: Counter[Reason] = field(default_factory=Counter)  # a manual send: left out, got it today (reason -> n)

    @property
    def incomplete(self) -> bool:
        """Something for this post did not go out: failed, uncertain or still queued."""
        if self.dry_run:
            return False
        earlier = self.already["failed"] + self.already["uncertain"]
        return bool(self.failed or self.uncertain or self.left_queued or self.recovered or earlier)

    @property
    def nothing_new(self) -> bool:
        return not (self.sent or self.failed or self.uncertain or self.new)


class ProgressCounter:
    def __init__(self, total: int, progress: Progress | None):
        self.total, self.done, self.progress = total, 0, progress

    def tick(self) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total)


def count_answer(summary: Summary, answer) -> None:
    if answer.status == "sent":
        summary.sent += 1
    elif answer.status == "failed":
        summary.failed[answer.error] += 1
    elif answer.status == "uncertain":
        summary.uncertain += 1
