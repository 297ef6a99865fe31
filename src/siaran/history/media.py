"""Provider media ids (WhatsApp Cloud API uploads), so one image is uploaded once per 30 days."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .db import utc

if TYPE_CHECKING:
    import sqlite_utils


class MediaCache:
    """Given to drivers that upload media; they never open the history themselves."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def get(self, key: str) -> tuple[str, datetime] | None:
        row = next(self.db.query("select media_id, uploaded_at from media where key = ?", [key]), None)
        return (row["media_id"], datetime.fromisoformat(row["uploaded_at"])) if row else None

    def put(self, key: str, provider: str, media_id: str, now: datetime) -> None:
        self.db["media"].upsert(
            {"key": key, "provider": provider, "media_id": media_id, "uploaded_at": utc(now)}, pk="key"
        )
