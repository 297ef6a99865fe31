"""Durable history: a history file that went missing, was emptied or replaced is noticed before
anything is sent — otherwise "no deliveries yet" would send everything to everyone again.

The history file gets a random id when it is created (table ``history_meta``). The first send
writes that id into a marker file beside it (``siaran.db.marker``). Before every later send the two
must agree: a missing or 0-byte file is created afresh with a new id, a file from elsewhere has its
own. Starting over is deliberate: ``siaran history reset --yes`` moves the old file aside.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import HistoryError
from ..i18n import _
from .stamps import utc

if TYPE_CHECKING:
    import sqlite_utils


def history_id(db: sqlite_utils.Database) -> str:
    """A random id given to this history file when it was created (a replaced file has another)."""
    row = next(iter(db.query("select value from history_meta where key = 'id'")), None)
    return row["value"] if row else ""


def marker_path(path: Path) -> Path:
    return path.with_name(path.name + ".marker")


def check(db: sqlite_utils.Database, path: Path, now: datetime) -> None:
    """Raises HistoryError when the marker names another history than the one open."""
    marker = marker_path(path)
    current = history_id(db)
    if not marker.exists():
        marker.write_text(json.dumps({"history": current, "since": utc(now)}) + "\n", encoding="utf-8")
        return
    recorded = _read(marker)
    if recorded is None:
        raise HistoryError(
            _(
                "{marker} is damaged (siaran did not write what it holds); nothing was sent. If {name} is this "
                "project's real history, delete {marker}: the next send writes it again."
            ).format(marker=marker.name, name=path.name)
        )
    if recorded.get("history") == current:
        return
    raise lost(path, str(recorded.get("since", "?")))


def _read(marker: Path) -> dict | None:
    """The marker's content, or None when it is not what siaran writes (unreadable, not JSON, [1])."""
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return recorded if isinstance(recorded, dict) else None


def lost(path: Path, since: str | None = None) -> HistoryError:
    """The history this project has been sending with is gone (missing, emptied or replaced)."""
    marker = marker_path(path)
    if since is None:
        since = str((_read(marker) or {}).get("since", "?"))
    return HistoryError(
        _(
            "the history {name} is missing, empty or replaced, although this project has been sending since "
            "{since} (says {marker}). Nothing was sent, so that nobody gets a message twice. "
            "Put the original {name} back from a backup, or start over on purpose: "
            "`siaran history reset --yes`."
        ).format(name=path.name, since=since, marker=marker.name)
    )


def reset(path: Path, now: datetime) -> Path | None:
    """Start over: the old history (if any) is kept as ``<name>.<time>.bak``, the marker removed.
    Returns where the old file went."""
    moved = None
    if path.exists():
        moved = path.with_name(f"{path.name}.{now.strftime('%Y%m%d-%H%M%S')}.bak")
        path.rename(moved)
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"), marker_path(path)):
        extra.unlink(missing_ok=True)
    return moved
