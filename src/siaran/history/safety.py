"""Keeping the history file safe: owner-only permissions, where its backups are (siaran.history.backups
takes them), and one plain sentence for each way the file can fail.

Backups live beside the history, ``siaran.db.bak/2026-11-23.db.gz``. On POSIX the history, its
backups and the log are readable by the owner only (0600, folders 0700): they hold citizens' phone
numbers. On Windows the files inherit the permissions of the folder they are in (keep the project
in the user's profile).
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from pathlib import Path

from ..errors import HistoryError
from ..i18n import _

_DAILY = re.compile(r"^\d{4}-\d\d-\d\d\.db(\.gz)?$")
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def create_private(path: Path) -> None:
    """Create ``path`` empty and owner-only if it does not exist yet (SQLite gives its -wal and
    -shm files the database file's permissions)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))


def backup_folder(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".bak")


def daily_backups(db_path: Path) -> list[Path]:
    """The daily backups, oldest first: ``2026-11-23.db.gz`` (and plain ``.db`` copies of old versions)."""
    folder = backup_folder(db_path)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _DAILY.match(p.name))


def newest_backup(db_path: Path) -> Path | None:
    found = daily_backups(db_path)
    return found[-1] if found else None


def explain(e: sqlite3.Error, db_path: Path) -> HistoryError:
    """One sentence the operator can act on, for what SQLite said about the history file."""
    name = getattr(e, "sqlite_errorname", "") or ""
    text = str(e).lower()
    if name in ("SQLITE_NOTADB", "SQLITE_CORRUPT") or "not a database" in text or "malformed" in text:
        backup = newest_backup(db_path)
        restore = (
            _("put the backup back with `siaran history restore {backup}`").format(backup=backup)
            if backup
            else _("restore it from your own copy (there is no automatic backup yet)")
        )
        return HistoryError(
            _("The history file {path} is damaged; nothing was changed: {restore}.").format(
                path=db_path, restore=restore
            )
        )
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return HistoryError(
            _("The disk holding {path} is full; nothing more was recorded: free some space and run it again.").format(
                path=db_path
            )
        )
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")) or "readonly" in text:
        return HistoryError(
            _(
                "The history file {path} cannot be written (read-only file or folder?); nothing was changed:"
                " check its permissions."
            ).format(path=db_path)
        )
    return HistoryError(
        _("The history file {path} could not be used ({error}); nothing was changed.").format(path=db_path, error=e)
    )
