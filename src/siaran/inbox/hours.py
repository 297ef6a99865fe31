"""When the office answers its WhatsApp: content/autoreply.yaml's ``hours`` when given, else the office's
hours (content/office.yaml), closed on the calendar's days off. One place for the away message ("we
answer from Monday 08.00"), the inbox's "outside office hours" mark and the morning alert."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..clock import zone_label
from ..content.autoreply import AWAY_WHEN

DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")  # fmt: skip


@dataclass(frozen=True)
class OfficeHours:
    opening: dict[int, tuple[tuple[time, time], ...]]  # weekday → spans; {}: hours unknown (always "open")
    tz: ZoneInfo
    day_off: Callable[[date], object] | None = None

    @classmethod
    def of(cls, project, auto=None) -> OfficeHours:
        office = project.office
        if auto is not None and auto.hours:
            opening = {d: (span,) for d, span in auto.hours.items()}
        else:
            opening = dict(office.opening)
        calendar = getattr(project, "calendar", None)
        return cls(opening, office.timezone, calendar.day_off if calendar is not None else None)

    def _spans(self, day: date) -> tuple[tuple[time, time], ...]:
        if self.day_off is not None and self.day_off(day):
            return ()
        return tuple(sorted(self.opening.get(day.weekday(), ())))

    def is_open(self, at: datetime) -> bool:
        if not self.opening:
            return True  # hours unknown: never claim the office is closed
        local = at.astimezone(self.tz)
        return any(a <= local.time() < b for a, b in self._spans(local.date()))

    def next_open(self, at: datetime) -> datetime | None:
        """The next opening at or after ``at`` (``at`` itself while open); None: unknown or never."""
        if not self.opening:
            return None
        local = at.astimezone(self.tz)
        for n in range(60):  # Lebaran with its cuti bersama closes an office for about a week
            day = local.date() + timedelta(days=n)
            for start, end in self._spans(day):
                begin = datetime.combine(day, start, tzinfo=self.tz)
                if local < begin:
                    return begin
                if local < datetime.combine(day, end, tzinfo=self.tz):
                    return local
        return None

    def opened_today(self, at: datetime) -> datetime | None:
        """This office day's first opening, once it has passed (the morning alert's moment)."""
        local = at.astimezone(self.tz)
        spans = self._spans(local.date())
        if not spans:
            return None
        begin = datetime.combine(local.date(), spans[0][0], tzinfo=self.tz)
        return begin if begin <= local else None


def spoken(moment: datetime, now: datetime) -> str:
    """How a citizen is told when the office answers, in Indonesian (the content's language):
    "hari ini pukul 13.00 WITA", "besok pukul 08.00 WITA", "Senin, 23 November pukul 08.00 WITA"."""
    local, today = moment, now.astimezone(moment.tzinfo).date()
    clock = f"pukul {local:%H.%M} {zone_label(local.tzinfo)}"  # type: ignore[arg-type]
    if local.date() == today:
        return f"hari ini {clock}"
    if local.date() == today + timedelta(days=1):
        return f"besok {clock}"
    return f"{DAY_NAMES[local.weekday()]}, {local.day} {MONTHS[local.month - 1]} {clock}"


def with_opening(away: str, opens: datetime | None, now: datetime) -> str:
    """The away message saying when the office answers: ``{buka}`` filled in, or a sentence added."""
    if opens is None:
        return away.replace("{buka}", "pada jam kerja berikutnya")
    when = spoken(opens, now)
    if "{buka}" in away:
        return away.replace("{buka}", when)
    return away.rstrip() + "\n" + AWAY_WHEN.format(buka=when)


def next_closed(hours: OfficeHours, now: datetime) -> datetime:
    """The first moment from ``now`` (in half hours, a week at most) the office is closed: what an
    away message sent then says, for `siaran preview autoreply`."""
    at = now
    for _ in range(7 * 48):
        if not hours.is_open(at):
            return at
        at += timedelta(minutes=30)
    return at
