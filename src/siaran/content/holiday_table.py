"""Indonesian national holidays (and cuti bersama) as the ``holidays`` package computes them,
remembered on disk per version of this code and of the package (siaran.content.cache). Asking the package
for one country imports every country it knows, a noticeable wait on each command; the answer for a
year is a few lines, so it is computed once per installed version and read back after that. Set
``SIARAN_CACHE_DIR`` to move the cache (default: the user's cache folder, via platformdirs)."""

from __future__ import annotations

from datetime import date
from functools import cache

from . import cache as versions
from .files import DiskMemo, user_cache_dir


@cache
def _memo() -> DiskMemo:
    package = versions.installed_stamp("holidays", ("__init__.py", "countries/indonesia.py"))
    code = versions.key(versions.version(__name__), package)[:16]
    return DiskMemo(user_cache_dir() / f"holidays-ID-{code}.json" if package else None)


def years() -> range:
    """The years the package computes."""

    def compute() -> list[int]:
        import holidays

        return [holidays.ID.start_year, holidays.ID.end_year]

    first, last = _memo().get("years", compute)
    return range(first, last + 1)


@cache
def national(year: int, cuti: bool) -> tuple[tuple[date, str], ...]:
    """(date, name) of every public holiday of ``year`` (and cuti bersama when ``cuti``), by date."""

    def compute() -> list[list[str]]:
        import holidays

        categories = ("public", "government") if cuti else ("public",)
        table = holidays.country_holidays("ID", years=year, language="id", categories=categories)
        return [[d.isoformat(), name] for d, name in sorted(table.items())]

    rows = _memo().get(f"{year}/{int(cuti)}", compute)
    return tuple((date.fromisoformat(d), name) for d, name in rows)
