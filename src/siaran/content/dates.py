"""Plain words for a date that does not exist ("tanggal 30 Februari 2026 tidak ada; Februari 2026
sampai tanggal 28"), said on the field that holds it, instead of Python's "day is out of range"."""

from __future__ import annotations

import calendar
import re
from datetime import date

from ..i18n import _, format_day

# YYYY-MM-DD, optionally followed by a time (a `once:` date-time); a quoted value too.
_DAY = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?\s*")


def no_such_date(value: object) -> str | None:
    """Why ``value`` (text written as a date) is no date, in the operator's words; None when it is
    a real date or does not look like one at all (the caller then shows the expected form)."""
    found = _DAY.fullmatch(str(value)) if isinstance(value, str) else None
    if not found:
        return None
    year, month, day = (int(n) for n in found.groups())
    if not 1 <= month <= 12:
        return _("month {month} does not exist in {value!r}: months run from 1 to 12").format(
            month=month, value=value.strip()
        )
    if not 1 <= year <= 9999:
        return None
    last = calendar.monthrange(year, month)[1]
    if 1 <= day <= last:
        return None
    the_month = format_day(date(year, month, 1), "MMMM y")
    return _("there is no {day} {month}; {month} ends on day {last}").format(day=day, month=the_month, last=last)
