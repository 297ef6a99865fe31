"""content/lists/* as a mapping that reads each file only when a command needs it (or never), through a reader
the application may wrap with a cache (siaran.app caches normalised numbers in the history file, by
content hash, so a 100,000-number list is parsed once per change, not once per command).

``pack``/``unpack`` turn a parsed list into compact JSON and back, for that cache.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from .model import BroadcastList, Recipient

# (path, rel, region) -> the parsed list; raises ContentError naming the file
Reader = Callable[[Path, str, str], BroadcastList]
# (path, rel, region) -> the first valid recipient (empty: there is none), or None: not known cheaply
FirstReader = Callable[[Path, str, str], tuple[Recipient, ...] | None]


class Lists(Mapping[str, BroadcastList]):
    """Name (file stem) → list. The names are known at once (posts and schedules are checked
    against them); a file is read on first access, then kept."""

    def __init__(
        self,
        root: Path,
        paths: list[Path],
        region: str,
        read: Reader,
        first: FirstReader | None = None,
        *,
        unread: bool = False,
    ):
        self.root, self.region, self._read, self._first, self.unread = root, region, read, first, unread
        self._paths = {p.stem: p for p in paths}
        self._loaded: dict[str, BroadcastList] = {}
        self._firsts: dict[str, tuple[Recipient, ...] | None] = {}

    def rel(self, name: str) -> str:
        return self._paths[name].relative_to(self.root).as_posix()

    def __getitem__(self, name: str) -> BroadcastList:
        if name not in self._loaded:
            if name not in self._paths:
                raise KeyError(name)  # an unknown list, as a dict
            if self.unread:
                raise LookupError(f"list {name!r} is not read by this command")
        return self.read_now(name)

    def read_now(self, name: str) -> BroadcastList:
        """The list, read even when the lists are known by name only (``unread``: history, report and
        the page show what was sent, as recorded then): the page's preview for a chosen person."""
        if name not in self._loaded:
            self._loaded[name] = self._read(self._paths[name], self.rel(name), self.region)
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __contains__(self, name: object) -> bool:
        return name in self._paths

    def _cached_first(self, name: str) -> tuple[Recipient, ...] | None:
        if name not in self._firsts:
            found = self._first(self._paths[name], self.rel(name), self.region) if self._first else None
            self._firsts[name] = found
        return self._firsts[name]

    def verify(self, name: str) -> None:
        """Raise the file's ContentError if it cannot be read. A file the cache knows was read
        before, unchanged: it is not parsed again."""
        if not self.unread and name not in self._loaded and self._cached_first(name) is None:
            self[name]

    def first(self, name: str) -> Recipient | None:
        """The list's first valid recipient, without loading the whole list when the cache knows it."""
        if self.unread:
            return None
        found = self._cached_first(name) if name not in self._loaded else None
        if found is None:
            found = self[name].recipients[:1]
        return found[0] if found else None


def pack(blist: BroadcastList) -> tuple[str, str]:
    """(first recipient, whole list) as compact JSON lines: a header line (extra columns, invalid
    rows), then one array per recipient, so unpacking never holds the parsed list twice."""
    # Rows share their fields dicts (one per distinct RT/RW, siaran.content.lists): each is read once.
    shared = {id(r.fields): r.fields for r in blist.recipients}
    columns = list(dict.fromkeys(key for fields in shared.values() for key in fields))
    values = {ident: [fields.get(c) for c in columns] for ident, fields in shared.items()}
    import orjson  # only for the list cache (big lists)

    dumps = orjson.dumps

    own = list(blist.recipients[0].columns) if blist.recipients else ["", ""]

    def header(invalid: list, twins: list) -> str:
        head = {"columns": columns, "own": own, "invalid": invalid, "twins": twins}
        return json.dumps(head, ensure_ascii=False, separators=(",", ":"))

    rows = [dumps([r.phone, r.name, r.line, values[id(r.fields)]]).decode() for r in blist.recipients]
    first = "\n".join([header([], []), *rows[:1]])
    return first, "\n".join([header([list(i) for i in blist.invalid], [list(t) for t in blist.twins]), *rows])


def _lines(data: str) -> Iterator[str]:
    start = 0
    while start < len(data):
        end = data.find("\n", start)
        end = len(data) if end < 0 else end
        yield data[start:end]
        start = end + 1


def _unpack(path: Path, data: str) -> tuple[list[Recipient], tuple, tuple]:
    import orjson

    lines = _lines(data)
    head = json.loads(next(lines))
    columns, name, loads = head["columns"], path.stem, orjson.loads
    own = tuple(head.get("own") or ("", ""))
    recipients = []
    shared: dict[tuple, dict[str, str]] = {}  # rows with the same extra values (rt, rw) share one dict
    for line in lines:
        phone, who, number, values = loads(line)
        key = tuple(values)
        fields = shared.get(key)
        if fields is None:
            fields = shared[key] = {c: v for c, v in zip(columns, values, strict=True) if v is not None}
        recipients.append(Recipient(phone, who, name, number, fields, own))
    invalid = tuple((line, raw, reason) for line, raw, reason in head["invalid"])
    return recipients, invalid, tuple((line, first) for line, first in head.get("twins", ()))


def unpack_recipients(path: Path, data: str) -> list[Recipient]:
    return _unpack(path, data)[0]


def unpack(path: Path, data: str) -> BroadcastList:
    recipients, invalid, twins = _unpack(path, data)
    return BroadcastList(path.stem, path, tuple(recipients), invalid, twins)
