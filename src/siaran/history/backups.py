"""Backups of the history, kept small and out of the operator's way.

- Taken by the daemon when it is idle (or by `siaran history backup`), never inside an operator's
  command: one a day, ``<history>.bak/2026-11-23.db.gz``.
- SQLite's online backup API makes a consistent copy while siaran keeps writing; the copy is then
  compressed (gzip: every office PC can open it, with 7-Zip on Windows) and the plain copy removed.
- Kept within a disk budget: the newest first, at most ``history.backups`` of them, together at most
  ``history.backup_budget_mb`` (0: the history's own size). The newest is always kept.
- `siaran history restore FILE` puts one back, after a safety copy of the current history
  (``before-restore-<time>.db.gz``, beside the daily ones, never removed by the budget).
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..errors import HistoryError
from ..i18n import _
from .safety import PRIVATE_FOLDER, backup_folder, create_private, daily_backups

log = logging.getLogger(__name__)

SUFFIX = ".db.gz"
CHUNK = 1 << 20
LEVEL = 1  # as small within a point as gzip's default (6) at a third of the time (docs/development/benchmarks-scale.md)


@dataclass(frozen=True)
class Taken:
    path: Path
    size: int  # bytes on disk, compressed
    source: int  # bytes of the history it copies
    removed: tuple[Path, ...] = ()  # older backups dropped to stay within the budget


def due(db_path: Path, today: date, keep: int) -> bool:
    """No backup for ``today`` yet (and backups are wanted, and there is a history to copy)."""
    if keep <= 0 or not db_path.is_file() or db_path.stat().st_size == 0:
        return False
    return not any(p.name.startswith(today.isoformat()) for p in daily_backups(db_path))


def take(db_path: Path, today: date, keep: int, budget_mb: float = 0) -> Taken:
    """Copy the history with the online backup API, compress it, then keep the newest backups within
    ``keep`` and the budget. Raises HistoryError (the caller decides whether that matters)."""
    folder = backup_folder(db_path)
    target = folder / f"{today.isoformat()}{SUFFIX}"
    plain = folder / f".{today.isoformat()}.db.tmp"
    packed = folder / f".{today.isoformat()}{SUFFIX}.tmp"
    try:
        folder.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
        source = _copy(db_path, plain)
        _compress(plain, packed)
        os.replace(packed, target)
    except (OSError, sqlite3.Error) as e:
        packed.unlink(missing_ok=True)
        raise HistoryError(
            _("The history could not be backed up to {path}: {error}").format(path=target, error=e)
        ) from e
    finally:
        plain.unlink(missing_ok=True)
    removed = prune(db_path, keep, budget(db_path, budget_mb))
    return Taken(target, target.stat().st_size, source, tuple(removed))


def budget(db_path: Path, budget_mb: float) -> int:
    """Bytes all daily backups may take together: the setting, or else the history's own size."""
    if budget_mb > 0:
        return int(budget_mb * 1_000_000)
    return sum(p.stat().st_size for p in (db_path, db_path.with_name(db_path.name + "-wal")) if p.exists())


def prune(db_path: Path, keep: int, limit: int) -> list[Path]:
    """Drop the oldest daily backups beyond ``keep`` or beyond ``limit`` bytes; the newest stays."""
    found = daily_backups(db_path)  # oldest first
    sizes = {p: p.stat().st_size for p in found}
    removed = []
    while len(found) > 1 and (len(found) > keep or sum(sizes[p] for p in found) > limit):
        old = found.pop(0)
        old.unlink(missing_ok=True)
        removed.append(old)
    return removed


def restore(db_path: Path, source: Path, now: datetime) -> Path | None:
    """Put ``source`` (a backup, compressed or not) back as the history, after a safety copy of the
    current one (returned; None when there was no history). The caller holds the project lock."""
    folder = backup_folder(db_path)
    folder.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
    unpacked = folder / ".restore.db.tmp"
    try:
        _unpack(source, unpacked)
        _check(unpacked, source)
        safety = _safety_copy(db_path, folder, now) if db_path.is_file() and db_path.stat().st_size > 0 else None
        create_private(db_path)
        try:  # into the open file through the backup API: its write-ahead log and readers stay consistent
            _backup(unpacked, db_path)
        except sqlite3.DatabaseError:  # the history is damaged (the usual reason to restore): replace the file
            for extra in ("-wal", "-shm"):
                db_path.with_name(db_path.name + extra).unlink(missing_ok=True)
            os.replace(unpacked, db_path)
    except (OSError, sqlite3.Error, EOFError, gzip.BadGzipFile) as e:
        raise HistoryError(
            _("{file} could not be restored; the history was not changed: {error}").format(file=source, error=e)
        ) from e
    finally:
        unpacked.unlink(missing_ok=True)
    return safety


def _safety_copy(db_path: Path, folder: Path, now: datetime) -> Path:
    plain = folder / ".before-restore.db.tmp"
    try:
        try:
            _copy(db_path, plain)
        except sqlite3.DatabaseError:  # damaged: keep its bytes as they are
            shutil.copyfile(db_path, plain)
        name, n = f"before-restore-{now.strftime('%Y%m%d-%H%M%S')}", 1
        safety = folder / f"{name}{SUFFIX}"
        while safety.exists():  # never over an earlier safety copy
            n += 1
            safety = folder / f"{name}-{n}{SUFFIX}"
        _compress(plain, safety)
    finally:
        plain.unlink(missing_ok=True)
    return safety


def _copy(db_path: Path, target: Path) -> int:
    """SQLite's online backup of ``db_path`` into ``target`` (owner-only); the bytes copied."""
    target.unlink(missing_ok=True)
    create_private(target)
    _backup(db_path, target)
    return target.stat().st_size


def _backup(source: Path, target: Path) -> None:
    with contextlib.closing(sqlite3.connect(source)) as src, contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _compress(plain: Path, packed: Path) -> None:
    packed.unlink(missing_ok=True)
    create_private(packed)
    with plain.open("rb") as f, gzip.open(packed, "wb", compresslevel=LEVEL) as out:
        shutil.copyfileobj(f, out, CHUNK)


def _unpack(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    create_private(target)
    with source.open("rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    with gzip.open(source, "rb") if gzipped else source.open("rb") as f, target.open("wb") as out:
        shutil.copyfileobj(f, out, CHUNK)


def _check(path: Path, source: Path) -> None:
    """A whole SQLite file holding a siaran history, or HistoryError naming ``source``."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            ok = conn.execute("pragma quick_check").fetchone()[0] == "ok"
            tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    except sqlite3.Error:
        ok, tables = False, set()
    if not ok or "deliveries" not in tables:
        raise HistoryError(
            _("{file} is not a siaran history backup (or it is damaged); the history was not changed.").format(
                file=source
            )
        )
