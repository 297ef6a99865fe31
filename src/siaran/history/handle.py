"""The history's open connection as siaran's history modules use it.

Most of them only read, with plain SQL (``execute``, ``query``); the rest insert through
sqlite-utils' tables, ``atomic``, its committing ``execute`` or the migrations. ``Handle`` runs the
reads itself and hands everything else to a sqlite-utils ``Database`` on the same connection, made
on first use: `siaran history` and `siaran report` only read, and importing sqlite-utils (with
pluggy and dateutil) would cost them more than their queries.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils


def _reads(sql: str, *words: str) -> bool:
    return sql.lstrip()[:6].lower() in words


class Handle:
    """Behaves as ``sqlite_utils.Database(conn)``: a ``select`` (or ``pragma``) runs here as
    sqlite-utils would run it (it opens no transaction, so there is nothing to commit or roll back);
    any other statement and every other attribute go to that Database, made when first needed."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._full: sqlite_utils.Database | None = None
        conn.execute("PRAGMA recursive_triggers = on")  # as sqlite-utils sets it: the same database either way

    def execute(self, sql: str, parameters: Any = None) -> sqlite3.Cursor:
        if self._full is not None or not _reads(sql, "select", "pragma"):
            return self.full.execute(sql, parameters)
        return self.conn.execute(sql) if parameters is None else self.conn.execute(sql, parameters)

    def query(self, sql: str, params: Any = None) -> Iterator[dict[str, Any]]:
        if self._full is not None or not _reads(sql, "select"):
            return self.full.query(sql, params)
        cursor = self.conn.execute(sql) if params is None else self.conn.execute(sql, params)
        keys = [d[0] for d in cursor.description]
        if len(set(keys)) < len(keys):  # sqlite-utils renames repeated columns: let it (a select runs again safely)
            return self.full.query(sql, params)
        return (dict(zip(keys, row, strict=True)) for row in cursor)

    def close(self) -> None:
        self.conn.close()

    @property
    def full(self) -> sqlite_utils.Database:
        """The sqlite-utils Database over this connection."""
        if self._full is None:
            import sqlite_utils

            self._full = sqlite_utils.Database(self.conn, execute_plugins=False)  # no entry-point scan
        return self._full

    def __getitem__(self, name: str) -> Any:
        return self.full[name]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("conn", "_full"):
            raise AttributeError(name)
        return getattr(self.full, name)
