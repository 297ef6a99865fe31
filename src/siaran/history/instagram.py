"""What an Instagram delivery row carries besides its status (table ``instagram_posts``, same key):
caption, images, the container being published, and where the post ended up (permalink, hand-off
folder). Status, attempts, errors and the owning worker stay on the delivery row, as for WhatsApp.

A sent Instagram row is shown as ``published`` (through the Graph API), ``handed_off`` (to the
operator) or ``confirmed`` (seen on the profile by `siaran instagram sync`): labels, not statuses.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..reasons import dump
from .db import utc

if TYPE_CHECKING:
    import sqlite_utils

COLUMNS = (
    "images", "caption", "planned_at", "container_id", "children", "media_id", "shortcode", "permalink",
    "handoff", "published_at", "posted_at", "confirmed_at",
)  # fmt: skip
_SELECT = (
    "select d.id, d.key, d.post, d.occurrence, d.status, d.provider as publisher, d.attempts, d.error, "
    "d.error_code, d.worker, d.created_at, d.updated_at, d.sent_at, "
    + ", ".join(f"p.{c}" for c in COLUMNS)
    + " from deliveries d join instagram_posts p on p.key = d.key where d.channel = 'instagram'"
)


def add(db: sqlite_utils.Database, key: str, images: list[str], caption: str, planned_at: datetime) -> None:
    """The post's Instagram part; a key already there is left exactly as it is."""
    db["instagram_posts"].insert(
        {"key": key, "images": json.dumps(images), "caption": caption, "planned_at": utc(planned_at)}, ignore=True
    )


def rows(
    db: sqlite_utils.Database, statuses: tuple[str, ...] | None = None, keys: list[str] | None = None
) -> list[dict[str, Any]]:
    sql, args = _SELECT, []
    if statuses:
        sql += f" and d.status in ({','.join('?' * len(statuses))})"
        args += list(statuses)
    if keys is not None:
        sql += f" and d.key in ({','.join('?' * len(keys))})"
        args += keys
    return list(db.query(sql + " order by d.id", args))


def get(db: sqlite_utils.Database, key: str) -> dict[str, Any] | None:
    return next(iter(db.query(_SELECT + " and d.key = ?", [key])), None)


def by_id(db: sqlite_utils.Database, delivery_id: int) -> dict[str, Any] | None:
    return next(iter(db.query(_SELECT + " and d.id = ?", [delivery_id])), None)


def save(db: sqlite_utils.Database, key: str, now: datetime, **values: Any) -> None:
    """Change an Instagram delivery: delivery columns on its row, the rest in ``instagram_posts``; one
    transaction. A row becoming ``sent`` gets ``sent_at`` and ``provider_id`` from where the post is."""
    if "error" in values:  # a Reason (or None): kept as data
        values["error"] = dump(values["error"])
    if isinstance(values.get("children"), list):
        values["children"] = json.dumps(values["children"])
    post = {k: values.pop(k) for k in list(values) if k in COLUMNS}
    with db.atomic():
        if post:
            sets = ", ".join(f"{k} = ?" for k in post)
            db.execute(f"update instagram_posts set {sets} where key = ?", [*post.values(), key])
        if values.get("status") == "sent":
            row = get(db, key) or {}
            values.setdefault("sent_at", row.get("posted_at") or row.get("published_at") or utc(now))
            values.setdefault("provider_id", row.get("permalink") or row.get("media_id") or row.get("handoff"))
        if values:
            values["updated_at"] = utc(now)
            sets = ", ".join(f"{k} = ?" for k in values)
            db.execute(f"update deliveries set {sets} where key = ?", [*values.values(), key])


def label(row: dict[str, Any]) -> str:
    """How the operator reads an Instagram row's state."""
    if row["status"] == "sent":
        if row.get("confirmed_at"):
            return "confirmed"
        return "published" if row.get("media_id") or row.get("publisher") == "graph" else "handed_off"
    return {"sending": "publishing"}.get(row["status"], row["status"])
