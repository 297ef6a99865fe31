"""Time as a dependency: every part of siaran asks a Clock, never ``datetime.now()``.

``SIARAN_NOW`` (ISO 8601 with offset) rehearses a moment: the clock starts there and then
runs forward at normal speed, so a rehearsed daemon still sees time pass.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError
from .i18n import _

TIMEZONES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}
ALIASES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


def zone(name: str) -> ZoneInfo:
    """An Indonesian office timezone: WIB, WITA, WIT or its IANA name (Asia/Jakarta, ...)."""
    key = ALIASES.get(name.upper(), name) if name else ""
    if key not in TIMEZONES:
        raise ConfigError(
            _("unknown timezone {name!r}: use Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)").format(
                name=name
            )
        )
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ConfigError(_("timezone data for {name} is missing: pip install tzdata").format(name=key)) from e


def zone_label(tz: ZoneInfo) -> str:
    return TIMEZONES.get(tz.key, tz.key)


@dataclass
class Clock:
    """Wall clock, optionally shifted to start at a rehearsed moment."""

    start: datetime | None = None
    _mono0: float = field(default_factory=time.monotonic, repr=False)

    def now(self) -> datetime:
        if self.start is None:
            return datetime.now(UTC)
        return self.start + timedelta(seconds=time.monotonic() - self._mono0)

    @property
    def rehearsed(self) -> bool:
        """Not the real time: history and outbox are the rehearsal's own (config.rehearsal)."""
        return self.start is not None


@dataclass
class FixedClock(Clock):
    """A clock that only moves when told to: for tests."""

    at: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))

    def now(self) -> datetime:
        return self.at

    @property
    def rehearsed(self) -> bool:
        return True

    def advance(self, **kw: float) -> None:
        self.at = self.at + timedelta(**kw)


FIRST_YEAR, LAST_YEAR = 1946, 2100  # a rehearsal's years: the Republic's first holidays to the calendar's end


def parse_instant(value: str, what: str = "SIARAN_NOW") -> datetime:
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError as e:
        raise ConfigError(
            _("{name}={value!r} is not an ISO 8601 date-time, e.g. 2026-12-25T06:00:00+08:00").format(
                name=what, value=value
            )
        ) from e
    if dt.tzinfo is None:
        raise ConfigError(
            _("{name}={value!r} needs a UTC offset, e.g. 2026-12-25T06:00:00+08:00").format(name=what, value=value)
        )
    if not FIRST_YEAR <= dt.year <= LAST_YEAR:  # 0001 and 9999 overflow in office time; the calendar ends anyway
        raise ConfigError(
            _("{name}={value!r}: the year must be between {first} and {last}").format(
                name=what, value=value, first=FIRST_YEAR, last=LAST_YEAR
            )
        )
    return dt


def clock_from_env(env: Mapping[str, str] | None = None) -> Clock:
    env = os.environ if env is None else env
    value = env.get("SIARAN_NOW")
    return Clock(start=parse_instant(value)) if value else Clock()
