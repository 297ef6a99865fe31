"""Indonesian national holidays (and cuti bersama) as the ``holidays`` package computes them,
remembered on disk per version of the package. Asking the package for one country imports every
country it knows (about 0.3 s on an office PC, on each command); the answer for a year is a few
lines, so it is computed once per installed version and read back after that. Set
``SIARAN_CACHE_DIR`` to move the cache (default: the user's cache folder, via platformdirs)."""

from __future__ import annotations

from datetime import date
from functools import cache

from .files import DiskMemo, installed_stamp, user_cache_dir


@cache
def _memo() -> DiskMemo:
    version = installed_stamp("holidays", ("__init__.py", "countries/indonesia.py"))
    return DiskMemo(user_cache_dir() / f"holidays-ID-{version}.json" if version else None)


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
