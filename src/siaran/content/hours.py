"""Office hours per day: ``senin: "08.00-15.30"`` (or a range of days, or "tutup"), or the one
line offices already write ("Senin–Kamis 08.00–15.30, Jumat 08.00–11.00 WITA"), parsed into a
structure that away messages and catch-up can use; the text stays what posters and messages show.
"""

from __future__ import annotations

import re
from datetime import time

from ..i18n import _

DAY_NAMES = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")  # index = date.weekday()
DAY_ALIASES = {"jum'at": "jumat", "ahad": "minggu", **{d: d for d in DAY_NAMES}}
RANGE = re.compile(r"(\d{1,2})[.:](\d{2})\s*[-–—]\s*(\d{1,2})[.:](\d{2})")
DAYS = re.compile(r"^\s*([a-z']+)(?:\s*[-–—]\s*([a-z']+))?\s*", re.IGNORECASE)
CLOSED = {"tutup", "libur", "closed", "-"}

Hours = dict[int, tuple[tuple[time, time], ...]]  # weekday → opening spans


def _days(first: str, last: str | None) -> list[int] | None:
    a, b = DAY_ALIASES.get(first.lower()), DAY_ALIASES.get((last or first).lower())
    if a is None or b is None:
        return None
    i, j = DAY_NAMES.index(a), DAY_NAMES.index(b)
    return list(range(i, j + 1)) if i <= j else [*range(i, 7), *range(0, j + 1)]


def _spans(text: str) -> tuple[tuple[time, time], ...] | None:
    if text.strip().lower() in CLOSED:
        return ()
    found = []
    for m in RANGE.finditer(text):
        h1, m1, h2, m2 = (int(x) for x in m.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
            return None
        found.append((time(h1, m1), time(min(h2, 23), m2 if h2 < 24 else 59)))
    return tuple(found) or None


def parse_hours_text(text: str) -> Hours:
    """The one-line form; {} when it cannot be read (it is still shown as written)."""
    hours: Hours = {}
    for part in re.split(r"[,;]", text):
        m = DAYS.match(part)
        days = _days(m[1], m[2]) if m else None
        spans = _spans(part[m.end() :]) if m else None
        if days is None or spans is None:
            return {}
        for d in days:
            hours[d] = spans
    return hours


def parse_hours_table(table: dict[str, object], error) -> Hours:
    """``{senin: "08.00-15.30", "sabtu-minggu": tutup}``; ``error(key, message)`` reports a bad entry."""
    hours: Hours = {}
    given: dict[int, object] = {}  # day → the key that gave it: "senin" and "Senin" are one day
    for key, value in table.items():
        m = DAYS.fullmatch(str(key).strip())
        days = _days(m[1], m[2]) if m else None
        if days is None:
            error(key, _("{value!r} is not a day (senin … minggu)").format(value=key))
            continue
        twice = next((d for d in days if d in given), None)
        if twice is not None:
            error(
                key,
                _("{day} is given twice, under {first!r} and {second!r}: keep one").format(
                    day=DAY_NAMES[twice], first=given[twice], second=key
                ),
            )
            continue
        given.update(dict.fromkeys(days, key))
        spans = _spans(str(value))
        if spans is None:
            error(key, _('{value!r} is not opening hours like "08.00-15.30" or "tutup"').format(value=value))
            continue
        for d in days:
            hours[d] = spans
    return hours


def describe(hours: Hours, tz_label: str) -> str:
    """Senin–Kamis 08.00–15.30, Jumat 08.00–11.00 WITA: consecutive days with the same hours joined."""
    groups: list[tuple[list[int], tuple]] = []
    for d in range(7):
        spans = hours.get(d)
        if not spans:
            continue
        if groups and groups[-1][1] == spans and groups[-1][0][-1] == d - 1:
            groups[-1][0].append(d)
        else:
            groups.append(([d], spans))
    parts = []
    for days, spans in groups:
        names = DAY_NAMES[days[0]].capitalize()
        if len(days) > 1:
            names += "–" + DAY_NAMES[days[-1]].capitalize()
        parts.append(names + " " + ", ".join(f"{a:%H.%M}–{b:%H.%M}" for a, b in spans))
    return ", ".join(parts) + (f" {tz_label}" if parts else "")
