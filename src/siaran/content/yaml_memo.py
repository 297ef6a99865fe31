"""Parsed YAML remembered between commands: parsing the same text (at the same line offset) with
the same code always gives the same value, and finding it here spares a command importing PyYAML
at all. A value is found by ``cache.key(code, text, line_offset)``, where ``code`` covers the parser
(``yaml_loader``, the siaran modules it imports, the installed PyYAML) and this module; an edited
text is a new key, so it is parsed again. Errors are never kept: a broken text is parsed, and its
problem worded, every time.

One file in the user's cache folder (``SIARAN_CACHE_DIR``), in a folder private to the office
account: read at a process's first parse, written again (atomically) by ``flush`` only when
something new was parsed (at the end of each content load, and at exit for texts parsed after
it, such as content/autoreply.yaml by `siaran check`'s rules), keeping at most ``MAX_ENTRIES``
values and ``MAX_BYTES`` bytes, those used by this process first. Values are pickles read back
through an unpickler that builds nothing but what YAML gives (mappings, dates), so a damaged or
planted file runs no code; such a file, an unreadable or an unwritable one, is as good as an
empty one.
"""

from __future__ import annotations

import atexit
import io
import os
import pickle
import threading
from pathlib import Path
from typing import Any

from . import cache as versions
from .files import private_folder, user_cache_dir, write_atomic

CODE = ("siaran.content.yaml_loader", "siaran.content.yaml_memo")
FILE = ("content", "parsed-yaml.pickle")  # under the user's cache folder
FORMAT = "siaran parsed YAML 1"
MAX_ENTRIES = 2_000  # a project of several hundred posts, each edited a few times
MAX_BYTES = 16_000_000  # the file, all values together; a value larger than a tenth is not kept
# What a parsed text holds besides the types pickle builds itself (str, int, float, bool, None,
# list, tuple, dict, set, bytes).
VALUE_CLASSES = frozenset(
    {
        ("siaran.content.located", "Located"),
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "timezone"),
        ("datetime", "timedelta"),
    }
)
MISSING = object()


class _OnlyClasses(pickle.Unpickler):
    """An unpickler that builds no class but those ``allowed``: anything else is a damaged file."""

    def __init__(self, data: bytes, allowed: frozenset[tuple[str, str]]):
        super().__init__(io.BytesIO(data))
        self.allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not a parsed YAML value")
        return super().find_class(module, name)


def _unpickle(data: bytes, allowed: frozenset[tuple[str, str]] = VALUE_CLASSES) -> Any:
    return _OnlyClasses(data, allowed).load()


class ParsedYaml:
    """The memo of one cache file."""

    def __init__(self, path: Path):
        self.path = path
        self.entries: dict[str, bytes] | None = None  # key -> pickled value; most recent first
        self.used: dict[str, None] = {}  # keys found or added since the last flush, the latest last
        self.changed = False
        self.exit_hook = False
        self.lock = threading.Lock()  # the daemon's jobs and the page's handlers run in threads

    def _read(self) -> dict[str, bytes]:
        try:
            with open(self.path, "rb") as handle:
                if os.fstat(handle.fileno()).st_size > 2 * MAX_BYTES:
                    return {}
                found = _unpickle(handle.read(), frozenset())
        except Exception:  # missing, unreadable, damaged or foreign: parse as if it were empty
            return {}
        if not (isinstance(found, tuple) and len(found) == 2 and found[0] == FORMAT and isinstance(found[1], dict)):
            return {}
        entries = found[1]
        if not all(isinstance(k, str) and isinstance(v, bytes) for k, v in entries.items()):
            return {}
        return entries

    def _loaded(self) -> dict[str, bytes]:
        if self.entries is None:
            self.entries = self._read()
        return self.entries

    def get(self, key: str) -> Any:
        """A fresh copy of the value kept under ``key`` (callers may change it), or MISSING."""
        with self.lock:
            data = self._loaded().get(key)
        if data is None:
            return MISSING
        try:
            value = _unpickle(data)
        except Exception:  # damaged: nothing in this file is trusted any more
            with self.lock:
                self.entries = {}
                self.used = {}
                self.changed = True
            return MISSING
        with self.lock:
            self.used.pop(key, None)
            self.used[key] = None
        return value

    def put(self, key: str, value: Any) -> None:
        try:
            data = pickle.dumps(value, protocol=5)
        except (pickle.PicklingError, TypeError, ValueError, RecursionError):
            return
        if len(data) > MAX_BYTES // 10:
            return
        with self.lock:
            entries = self._loaded()
            entries[key] = data
            self.used.pop(key, None)
            self.used[key] = None
            if not self.changed and not self.exit_hook:  # texts parsed after the last content load too
                atexit.register(self.flush)
                self.exit_hook = True
            self.changed = True
            if len(entries) > 2 * MAX_ENTRIES:  # a long-running process that never flushes
                self.entries = self._kept()
                self.used = {k: None for k in self.used if k in self.entries}

    def _kept(self) -> dict[str, bytes]:
        """The entries within the bounds: those used since the last flush first (the latest
        first), then the others in their order (the most recent first)."""
        entries = self._loaded()
        kept: dict[str, bytes] = {}
        size = 0
        for key in [*reversed(self.used), *entries]:
            if len(kept) >= MAX_ENTRIES:
                break
            data = entries.get(key)
            if data is None or key in kept or size + len(data) > MAX_BYTES:
                continue
            kept[key] = data
            size += len(data)
        return kept

    def flush(self) -> None:
        """Write the file again if something new was parsed (atomically; not at all if it cannot)."""
        with self.lock:
            if not self.changed:
                return
            # Another process (the daemon, a second command) may have written since this one read:
            # its values are kept too, after those this process used.
            self.entries = {**self._read(), **self._loaded()}
            self.entries = self._kept()
            self.used = {}
            self.changed = False
            try:
                private_folder(self.path.parent)
                write_atomic(self.path, pickle.dumps((FORMAT, self.entries), protocol=5), mode=0o600)
            except OSError:  # a read-only home: parsed again next time, that's all
                pass


_memo: ParsedYaml | None = None


def memo() -> ParsedYaml:
    """This process's memo, for the cache folder in use now (a test may move it)."""
    global _memo
    path = user_cache_dir().joinpath(*FILE)
    if _memo is None or _memo.path != path:
        _memo = ParsedYaml(path)
    return _memo


def key(text: str, line_offset: int) -> str:
    return versions.key(versions.version(*CODE), text, line_offset)


def flush() -> None:
    """Keep what this process parsed (content loading calls it once, at its end)."""
    if _memo is not None:
        _memo.flush()
