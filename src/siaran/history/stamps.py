"""Time stamps as history writes them: UTC, ISO 8601, to the second (sortable as text)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")
