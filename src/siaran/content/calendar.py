"""The office's calendar: Indonesian national holidays from the ``holidays`` package (names in
Indonesian), optional cuti bersama, and content/calendar.yaml, whose date overrides win over
computed dates (sidang isbat decides Idul Fitri and Idul Adha) and whose local days are added.

calendar.yaml::

    cuti_bersama: false          # also list the government's collective leave days
    overrides:                   # the official date beats the computed one, for that year
      - name: Hari Raya Idul Adha
        date: 2023-06-29
    local_days:                  # every year on MM-DD, or once on YYYY-MM-DD
      - name: Hari Kartini
        date: "04-21"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from ..errors import ContentError
from ..i18n import _
from . import holiday_table
from .dates import no_such_date
from .yamlfile import Fields, Located, read_mapping


def outside_years(year: int) -> str:
    """Why ``year`` cannot be scheduled, or "" when the calendar knows it."""
    known = holiday_table.years()
    if year in known:
        return ""
    return _("{year} is outside the years the calendar knows ({first}-{last})").format(
        year=year, first=known.start, last=known.stop - 1
    )


# Days that count their anniversaries: "HUT ke-81 RI", "Sumpah Pemuda ke-98". A local day adds its
# own with ``since:`` (the office's hari jadi).
FIRST_YEAR = {
    "Hari Kemerdekaan Republik Indonesia": 1945,
    "Hari Lahir Pancasila": 1945,
    "Hari Sumpah Pemuda": 1928,
    "Hari Ibu": 1928,
    "Hari Pahlawan": 1945,
    "Hari Kartini": 1879,
}
ESTIMATE = re.compile(r"\s*\((perkiraan|estimated)\)\s*$", re.IGNORECASE)
MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class Day:
    """A day off: a national holiday, a cuti bersama or one of the office's own days."""

    date: date
    name: str
    kind: str  # national | cuti | local
    estimated: bool = False  # the package computed it; the government may decide otherwise


@dataclass(frozen=True)
class Override:
    """The government's own date for a holiday in one year (or None: cancelled that year)."""

    name: str
    date: date | None  # None: cancelled this year
    year: int


@dataclass(frozen=True)
class LocalDay:
    """A day of the office's own (its hari jadi, a local observance), every year or in one."""

    name: str
    month: int
    day: int
    year: int | None = None  # only that year
    since: int | None = None  # the first year, for the anniversary number


@dataclass(frozen=True)
class Calendar:
    """content/calendar.yaml over the national table: which days are off, year by year."""

    overrides: tuple[Override, ...] = ()
    local_days: tuple[LocalDay, ...] = ()
    cuti_bersama: bool = False
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def days(self, year: int) -> list[Day]:
        if year not in self._cache:
            self._cache[year] = self._compute(year)
        return self._cache[year]

    def _compute(self, year: int) -> list[Day]:
        found = []
        for when, raw in holiday_table.national(year, self.cuti_bersama):
            for part in raw.split(";"):
                name = ESTIMATE.sub("", part.strip())
                kind = "cuti" if name.lower().startswith("cuti bersama") else "national"
                found.append(Day(when, name, kind, estimated=bool(ESTIMATE.search(part))))
        for o in self.overrides:
            if o.year != year:
                continue
            found = [d for d in found if d.name != o.name]
            if o.date is not None:
                found.append(Day(o.date, o.name, "national"))
        for local in self.local_days:
            if local.year in (None, year):
                try:
                    found.append(Day(date(year, local.month, local.day), local.name, "local"))
                except ValueError:  # 29 February in a common year
                    continue
        return sorted(found, key=lambda d: (d.date, d.name))

    def names(self, years: tuple[int, ...]) -> set[str]:
        return {d.name for y in years for d in self.days(y)}

    def on(self, name: str, year: int) -> list[date]:
        return [d.date for d in self.days(year) if d.name == name]

    def day_off(self, day: date) -> str:
        """Name of the public holiday or cuti bersama on ``day`` ('' if none): the office is closed.
        Cuti bersama counts even when not listed as greeting days; local days do not close it."""
        key = ("off", day.year)
        if key not in self._cache:
            off = {d.date: d.name for d in self.days(day.year) if d.kind == "national"}
            cancelled = {o.name for o in self.overrides if o.year == day.year}
            for when, raw in holiday_table.national(day.year, True):
                for part in raw.split(";"):
                    name = ESTIMATE.sub("", part.strip())
                    if name.lower().startswith("cuti bersama") and name not in cancelled:
                        off.setdefault(when, name)
            self._cache[key] = off
        return self._cache[key].get(day, "")

    def next_on(self, name: str, today: date, back: int = 7) -> date | None:
        """The day's date a greeting sent around ``today`` is about: the first on or after a week ago."""
        found = [d for y in (today.year, today.year + 1) for d in self.on(name, y) if d >= today - timedelta(days=back)]
        return min(found) if found else None

    def first_year(self, name: str) -> int | None:
        local = next((d.since for d in self.local_days if d.name == name and d.since), None)
        return local or FIRST_YEAR.get(name)


def missing_greetings(calendar: Calendar, greeted: set[str], today: date, days: int = 30) -> list[Day]:
    """Holidays from today to ``days`` ahead that no greeting names. Cuti bersama and the second
    day of a holiday are left out: nobody sends a greeting for those."""
    end = today + timedelta(days=days)
    return [
        d
        for year in range(today.year, end.year + 1)
        for d in calendar.days(year)
        if today <= d.date <= end
        and d.kind != "cuti"
        and not d.name.lower().startswith("hari kedua")
        and d.name not in greeted
    ]


def load_calendar(root: Path, problems: list[ContentError]) -> Calendar:
    rel = "content/calendar.yaml"
    path = root / rel
    if not path.exists():
        return Calendar()
    data = read_mapping(path, rel, problems)
    if data is None:
        return Calendar()
    f = Fields(data, rel, ("cuti_bersama", "overrides", "local_days"), problems)
    overrides, local_days = [], []
    for item in _items(data, "overrides", rel, problems):
        g = Fields(item, rel, ("name", "date", "cancel"), problems)
        name = g.str("name", required=True)
        when = item.get("date")
        if not isinstance(when, date):
            g.error("date", no_such_date(when) or _("{value!r} is not a date like 2026-03-20").format(value=when))
            continue
        if outside_years(when.year):
            g.error("date", outside_years(when.year))
            continue
        if name:
            overrides.append(Override(name, None if g.bool("cancel") else when, when.year))
    for item in _items(data, "local_days", rel, problems):
        g = Fields(item, rel, ("name", "date", "since"), problems)
        since = g.int("since")
        name = g.str("name", required=True)
        when = item.get("date")
        if isinstance(when, date):
            if outside_years(when.year):
                g.error("date", outside_years(when.year))
                continue
            local = LocalDay(name or "", when.month, when.day, when.year, since)
        elif isinstance(when, str) and (m := MONTH_DAY.match(when.strip())):
            local = LocalDay(name or "", int(m[1]), int(m[2]), since=since)
            try:
                date(2024, local.month, local.day)
            except ValueError:
                g.error("date", _("{value!r} is not a real day of the year").format(value=when))
                continue
            if (local.month, local.day) == (2, 29):
                problems.append(
                    ContentError(
                        rel,
                        _(
                            "{value!r} comes only in leap years: in other years {name} is not kept"
                            ' (write "02-28" or "03-01" to keep it every year)'
                        ).format(value=when, name=name),
                        line=item.line_of("date"),
                        field="date",
                        warning=True,
                    )
                )
        else:
            expected = _('{value!r} must be "MM-DD" (every year) or YYYY-MM-DD (once)').format(value=when)
            g.error("date", no_such_date(when) or expected)
            continue
        if name:
            local_days.append(local)
    return Calendar(tuple(overrides), tuple(local_days), f.bool("cuti_bersama"))


def _items(data: Located, key: str, rel: str, problems: list[ContentError]) -> list[Located]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Located) for v in value):
        problems.append(
            ContentError(rel, _("must be a list of entries with name and date"), line=data.line_of(key), field=key)
        )
        return []
    return value
