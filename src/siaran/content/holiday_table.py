"""Indonesian national holidays (and cuti bersama) as the ``holidays`` package computes them,
remembered on disk per version of the package. Asking the package for one country imports every
country it knows (about 0.3 s on an office PC, on each command); the answer for a year is a few
lines, so it is computed once per installed version and read back after that. Set
``SIARAN_CACHE_DIR`` to move the cache (default: the user's cache folder, via platformdirs)."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
from datetime import date
from functools import cache
from pathlib import Path

from .files import user_cache_dir, write_atomic


@cache
def _version() -> str:
    """Names the installed package without importing it: its location and the size and time of the
    files that compute Indonesia's days, which an upgrade or reinstall rewrites ('' if not found)."""
    spec = importlib.util.find_spec("holidays")
    if spec is None or spec.origin is None:
        return ""
    package = Path(spec.origin).parent
    digest = hashlib.sha256(str(package).encode())
    for rel in ("__init__.py", "countries/indonesia.py"):
        with contextlib.suppress(OSError):
            st = (package / rel).stat()
            digest.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


class _Store:
    """The cache file of this version: {"years": [first, last], "table": {"2026/1": [[iso, name]]}}."""

    def __init__(self) -> None:
        version = _version()
        self.path = user_cache_dir() / f"holidays-ID-{version}.json" if version else None
        self.data: dict = {}
        if self.path is not None:
            with contextlib.suppress(OSError, ValueError):
                self.data = json.loads(self.path.read_text(encoding="utf-8"))
        self.data.setdefault("table", {})

    def save(self) -> None:
        if self.path is not None:
            with contextlib.suppress(OSError):  # a read-only home: computed again next time, that's all
                write_atomic(self.path, json.dumps(self.data, ensure_ascii=False))


@cache
def _store() -> _Store:
    return _Store()


def years() -> range:
    """The years the package computes."""
    store = _store()
    if "years" not in store.data:
        import holidays

        store.data["years"] = [holidays.ID.start_year, holidays.ID.end_year]
        store.save()
    first, last = store.data["years"]
    return range(first, last + 1)


@cache
def national(year: int, cuti: bool) -> tuple[tuple[date, str], ...]:
    """(date, name) of every public holiday of ``year`` (and cuti bersama when ``cuti``), by date."""
    store = _store()
    key = f"{year}/{int(cuti)}"
    rows = store.data["table"].get(key)
    if rows is None:
        import holidays

        categories = ("public", "government") if cuti else ("public",)
        table = holidays.country_holidays("ID", years=year, language="id", categories=categories)
        rows = store.data["table"][key] = [[d.isoformat(), name] for d, name in sorted(table.items())]
        store.save()
    return tuple((date.fromisoformat(d), name) for d, name in rows)
