"""Instagram hand-off: the post (images + caption.txt) is written to outbox/instagram/<date>-<name>/
for the operator to publish from the phone."""

from __future__ import annotations

from .outbox import OutboxDriver


class HandoffDriver(OutboxDriver):
    name = "handoff"
    channel = "instagram"
    max_text = 2200
