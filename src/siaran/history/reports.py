"""The rows weekly reports count."""

from __future__ import annotations

from collections.abc import Iterator

import sqlite_utils

from .instagram import rows as instagram_rows


def whatsapp_since(db: sqlite_utils.Database, since: str) -> Iterator[dict]:
    return db.query(
        "select post, occurrence, status, sent_at, created_at, updated_at from deliveries "
        "where channel = 'whatsapp' and post not like 'autoreply/%' and coalesce(sent_at, updated_at, created_at) >= ?",
        [since],
    )


def instagram(db: sqlite_utils.Database) -> list[dict]:
    return instagram_rows(db)
