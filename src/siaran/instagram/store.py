"""The Instagram queue in history (table ``instagram_queue``), one row per post + occurrence.

Life cycle::

    queued ──▶ publishing ──▶ published ──(sync finds it)──▶ confirmed
       │            │
       │            └──(answer unclear, or the program died)──▶ uncertain ──(reconcile)──▶ published | queued
       ├──▶ handed_off ──(sync finds it on the profile)──▶ confirmed
       └──▶ failed        (with the reason; `siaran instagram requeue` after fixing it)

A run claims a row (column ``worker``: host, pid and start time) before acting on it, so two siaran
processes never work on one post at once. ``publishing`` is written right BEFORE the one call that makes a post
appear (``media_publish``, or the operator's WhatsApp copy), so after a crash we know which posts
might be live and reconcile them instead of publishing twice. The matching ``deliveries`` row mirrors
the queue (sent | failed | uncertain) so `siaran history` and reports see Instagram too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from .. import history

STATUSES = ("queued", "publishing", "published", "handed_off", "confirmed", "failed", "uncertain")
OPEN = ("queued", "publishing", "uncertain")  # still waiting for siaran to act
DELIVERY_STATUS = {
    "queued": "queued",
    "publishing": "queued",
    "published": "sent",
    "handed_off": "sent",
    "confirmed": "sent",
    "failed": "failed",
    "uncertain": "uncertain",
}


@dataclass
class Item:
    id: int
    key: str
    post: str
    occurrence: str | None
    images: list[Path]
    caption: str
    status: str
    publisher: str
    attempts: int = 0
    container_id: str = ""
    children: list[str] = field(default_factory=list)
    media_id: str = ""
    shortcode: str = ""
    permalink: str = ""
    error: str = ""
    worker: str = ""
    planned_at: str = ""
    created_at: str = ""

    @classmethod
    def from_row(cls, row: dict[str, Any], root: Path) -> Item:
        return cls(
            id=row["id"],
            key=row["key"],
            post=row["post"],
            occurrence=row["occurrence"],
            images=[root / p for p in json.loads(row["images"] or "[]")],
            caption=row["caption"] or "",
            status=row["status"],
            publisher=row["publisher"] or "",
            attempts=row["attempts"] or 0,
            container_id=row["container_id"] or "",
            children=json.loads(row["children"] or "[]"),
            media_id=row["media_id"] or "",
            shortcode=row["shortcode"] or "",
            permalink=row["permalink"] or "",
            error=row["error"] or "",
            worker=row["worker"] or "",
            planned_at=row["planned_at"] or "",
            created_at=row["created_at"] or "",
        )


def rel_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def add(
    db: sqlite_utils.Database,
    *,
    key: str,
    post: str,
    occurrence: str | None,
    images: list[str],
    caption: str,
    planned_at: datetime,
    publisher: str,
    now: datetime,
) -> None:
    """Queue a post; a key already queued is left exactly as it is."""
    db["instagram_queue"].insert(
        {
            "key": key, "post": post, "occurrence": occurrence, "images": json.dumps(images), "caption": caption,
            "planned_at": history.utc(planned_at), "status": "queued", "publisher": publisher, "attempts": 0,
            "created_at": history.utc(now), "updated_at": history.utc(now),
        },
        ignore=True,
    )  # fmt: skip


def get(db: sqlite_utils.Database, key: str) -> dict[str, Any] | None:
    rows = list(db.query("select * from instagram_queue where key = ?", [key]))
    return rows[0] if rows else None


def by_id(db: sqlite_utils.Database, item_id: int) -> dict[str, Any] | None:
    rows = list(db.query("select * from instagram_queue where id = ?", [item_id]))
    return rows[0] if rows else None


def rows(db: sqlite_utils.Database, statuses: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    if statuses:
        marks = ",".join("?" * len(statuses))
        return list(db.query(f"select * from instagram_queue where status in ({marks}) order by id", list(statuses)))
    return list(db.query("select * from instagram_queue order by id"))


def update(db: sqlite_utils.Database, key: str, now: datetime, **values: Any) -> None:
    """Change a queue row and mirror its state onto the matching deliveries row, in one transaction."""
    if isinstance(values.get("children"), list):
        values["children"] = json.dumps(values["children"])
    values["updated_at"] = history.utc(now)
    sets = ", ".join(f"{k} = ?" for k in values)
    with db.atomic():
        db.execute(f"update instagram_queue set {sets} where key = ?", [*values.values(), key])
        if "status" in values:
            mirror(db, key, now)


def mirror(db: sqlite_utils.Database, key: str, now: datetime) -> None:
    row = get(db, key)
    if row is None:
        return
    status = DELIVERY_STATUS[row["status"]]
    values: dict[str, Any] = {"status": status, "error": row["error"], "error_code": row["error_code"]}
    if status == "sent":
        values["provider_id"] = row["permalink"] or row["media_id"] or row["handoff"] or ""
        values["sent_at"] = row["posted_at"] or row["published_at"] or history.utc(now)
    history.update(db, key, now, **values)


def claim(db: sqlite_utils.Database, key: str, seen: str | None, me: str) -> bool:
    """Take the row for this process (compare-and-set on the owner seen a moment ago), unless another
    live siaran process owns it. Held until the run records the row's outcome."""
    if seen and seen != me and history._alive(seen):
        return False
    with db.atomic():
        cursor = db.execute("update instagram_queue set worker = ? where key = ? and worker is ?", [me, key, seen])
    return cursor.rowcount == 1


def count_attempt(db: sqlite_utils.Database, key: str) -> None:
    with db.atomic():
        db.execute("update instagram_queue set attempts = attempts + 1 where key = ?", [key])
        db.execute("update deliveries set attempts = attempts + 1 where key = ?", [key])


@dataclass
class Result:
    """What a publisher reports for one queue row; ``values`` are extra columns to record."""

    status: str
    error: str = ""
    values: dict[str, Any] = field(default_factory=dict)
