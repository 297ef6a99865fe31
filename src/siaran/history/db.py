"""Opening the history file, time stamps and the identity of the process that owns a row."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import HistoryError
from ..i18n import _
from .guard import lost, marker_path
from .handle import Handle
from .safety import create_private, explain, newest_backup
from .stamps import utc as utc  # the other history modules stamp rows with it

if TYPE_CHECKING:
    import sqlite_utils

LOCK_WAIT = 60.0  # seconds a process waits for another one's write before giving up
STATUSES = ("queued", "sending", "sent", "delivered", "read", "failed", "uncertain", "skipped")
# What a WhatsApp webhook may add after ``sent``: the message went out in every one of these.
WENT_OUT = ("sent", "delivered", "read")


def open_db(path: Path) -> sqlite_utils.Database:
    """The history at ``path``, in WAL mode and migrated; made (owner-only) when it does not exist."""
    db = _ready(path)
    if db is not None:
        return db
    import filelock  # only when something must change: it costs every command its import otherwise

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Two siaran processes opening one history at once (a send while the daemon passes): switching
        # to WAL and migrating read first, then write, which SQLite answers "database is locked" at once
        # instead of waiting. One at a time, through an OS lock beside the file.
        with filelock.FileLock(f"{path}.lock", timeout=LOCK_WAIT):
            _refuse_lost(path)
            create_private(path)
            db = _connect(path)
            db.full.enable_wal()
            _migrate(db.full)
    except sqlite3.Error as e:
        raise explain(e, path) from e
    except filelock.Timeout:
        raise HistoryError(
            _(
                "Another siaran process has kept the history {path} busy for more than {seconds} s; nothing was "
                "changed. Let it finish (a daemon pass or a send in another window) and run the command again."
            ).format(path=path, seconds=f"{LOCK_WAIT:g}")
        ) from None
    except OSError as e:
        raise HistoryError(
            _("The history file {path} cannot be opened: {error}.").format(path=path, error=e.strerror or e)
        ) from e
    return db


def _connect(path: Path) -> Handle:
    """A connection as sqlite-utils opens one (it makes the file when missing), sqlite-utils itself
    loaded only by the commands that write (siaran.history.handle)."""
    db = Handle(sqlite3.connect(str(path)))
    db.execute(f"PRAGMA busy_timeout = {int(LOCK_WAIT * 1000)}")
    db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; a power cut loses at most the last commit
    return db


def _ready(path: Path) -> Handle | None:
    """The history opened without the OS lock when nothing in it must change (already in WAL mode,
    every migration applied, its id given): what most commands find. None: take the lock and see."""
    if not path.is_file() or path.stat().st_size == 0:
        return None
    from .schema import migrations

    db = None
    try:
        db = _connect(path)
        every = migrations.names()
        applied = "select count(*) from _sqlite_migrations where migration_set = 'siaran' and name in ({})"
        ready = (
            db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            and db.execute(applied.format(", ".join("?" * len(every))), every).fetchone()[0] == len(every)
            and db.execute("select 1 from history_meta where key = 'id'").fetchone() is not None
        )
    except sqlite3.Error:
        ready = False  # damaged, or older than history_meta: the locked path explains or migrates
    if ready:
        return db
    if db is not None:
        db.close()
    return None


def _migrate(db: sqlite_utils.Database) -> None:
    import uuid

    from .schema import migrations

    migrations.apply(db)
    db.execute("insert or ignore into history_meta (key, value) values ('id', ?)", [uuid.uuid4().hex])


def _refuse_lost(path: Path) -> None:
    """An empty file is a new history to SQLite; after sends (marker) or with backups beside it, it is
    a lost one: refuse before touching it."""
    if not (path.is_file() and path.stat().st_size == 0):
        return
    if marker_path(path).exists():
        raise lost(path)
    if newest_backup(path):
        raise explain(sqlite3.DatabaseError("file is not a database"), path)


@contextlib.contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction that takes the write lock first (BEGIN IMMEDIATE): what it reads cannot go
    stale before it writes, so two processes never miss each other's rows (webhook vs. send answer)."""
    db.conn.execute("BEGIN IMMEDIATE")  # on the connection: a plain write needs no sqlite-utils (history.handle)
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


def worker_id() -> str:
    """Identifies this process across reboots (pid + start time), to tell dead owners from live ones."""
    import socket

    import psutil  # only for commands that claim or check work (not history, report)

    proc = psutil.Process(os.getpid())
    return f"{socket.gethostname()}:{proc.pid}:{int(proc.create_time())}"


def alive(worker: str | None) -> bool:
    if not worker:
        return False
    host, _, rest = worker.partition(":")
    pid, _, started = rest.partition(":")
    import socket

    if host != socket.gethostname():
        return True  # a history shared between machines: assume the other one knows
    import psutil

    try:
        proc = psutil.Process(int(pid))
        return int(proc.create_time()) == int(started)
    except (psutil.Error, ValueError):
        return False


def chunks(items: list, size: int = 500) -> Iterator[list]:
    """SQLite takes at most 999 parameters per statement on old builds: go in slices."""
    for i in range(0, len(items), size):
        yield items[i : i + size]
