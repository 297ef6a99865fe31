"""Turning schedules into occurrences, a pure function of (schedule, calendar, time window), and
the catch-up decision for occurrences history has not seen. No I/O: the delivery layer reads
history and passes what it found.

Occurrences: ``occurrences()`` turns one schedule into its fire times inside a window, in the
office timezone, each with an id ``<schedule>@<local ISO time with offset>`` (holiday schedules
add ``#<post>``, since two greetings can fall at the same instant). ``catch_up()`` decides, for
the occurrences history has not seen, which still run and which are skipped, and hands series
posts out in turn: a skipped occurrence does not use up a post, so a series never loses one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..content.calendar import Calendar
from ..content.schedules import Schedule

# A missed occurrence is never skipped for being only this late: siaran started a little after
# the minute, or Task Scheduler runs `siaran run --once` every quarter of an hour.
MIN_GRACE = timedelta(minutes=15)


@dataclass(frozen=True)
class Occurrence:
    id: str  # <schedule>@<local ISO time with offset>[#<post> for holiday schedules]
    schedule: str
    at: datetime  # aware, in the office timezone
    post: str  # the post it sends; for a series, the post it would send if every earlier one runs
    holiday: str = ""  # holiday schedules: the calendar day's name


def occurrence_id(schedule: Schedule, at: datetime, post: str = "") -> str:
    base = f"{schedule.name}@{at.isoformat(timespec='seconds')}"
    return f"{base}#{post}" if schedule.trigger == "holiday" else base


def effective_grace(schedule: Schedule) -> timedelta:
    return max(schedule.grace, MIN_GRACE)


def greetings_by_holiday(posts: Mapping[str, object]) -> dict[str, list[str]]:
    """Calendar day name → greeting posts naming it (front matter ``holiday:``), in name order."""
    found: dict[str, list[str]] = {}
    for name in sorted(posts):
        holiday = getattr(posts[name], "holiday", "")
        if getattr(posts[name], "kind", "") == "greeting" and holiday:
            found.setdefault(holiday, []).append(name)
    return found


def occurrences(
    schedule: Schedule,
    calendar: Calendar,
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
    greetings: Mapping[str, Sequence[str]] | None = None,
    position: int = 0,
) -> list[Occurrence]:
    """Every occurrence with ``start <= at < end``, in time order. Pure: no I/O, no clock.

    ``greetings`` maps holiday names to greeting posts (holiday schedules without post);
    ``position`` is the series' next post, handed to the first occurrence, then in turn."""
    found: list[tuple[datetime, str, str]] = []  # (at, holiday, post or "")
    if schedule.trigger in ("weekly", "monthly", "cron"):
        trigger = schedule.cron_trigger(tz)
        at = trigger.get_next_fire_time(None, start.astimezone(tz))
        while at is not None and at < end:
            found.append((at, "", ""))
            at = trigger.get_next_fire_time(at, at + timedelta(seconds=1))
    elif schedule.trigger == "once":
        if schedule.once is not None:
            once = schedule.once
            at = once.astimezone(tz) if once.tzinfo else once.replace(tzinfo=tz)
            if start <= at < end:
                found.append((at, "", ""))
    else:
        found.extend(_holiday_times(schedule, calendar, tz, start, end, greetings or {}))
    found.sort(key=lambda f: (f[0], f[2]))
    out = []
    for i, (at, holiday, post) in enumerate(found):
        if schedule.posts:
            post = schedule.posts[(position + i) % len(schedule.posts)] if schedule.series else schedule.posts[0]
        out.append(Occurrence(occurrence_id(schedule, at, post), schedule.name, at, post, holiday))
    return out


def _holiday_times(
    schedule: Schedule,
    calendar: Calendar,
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
    greetings: Mapping[str, Sequence[str]],
) -> Iterator[tuple[datetime, str, str]]:
    first = start.astimezone(tz).date()
    last = end.astimezone(tz).date() + timedelta(days=schedule.days_before)
    for year in range(first.year, last.year + 1):
        for day in calendar.days(year):
            if schedule.holidays and day.name not in schedule.holidays:
                continue
            if not schedule.holidays and day.name not in greetings:
                continue  # every holiday that has a greeting
            posts = [""] if schedule.posts else list(greetings.get(day.name, ()))
            at = datetime.combine(day.date - timedelta(days=schedule.days_before), schedule.at_time, tzinfo=tz)
            if start <= at < end:
                for post in posts:
                    yield at, day.name, post


@dataclass(frozen=True)
class Decision:
    occurrence: Occurrence
    action: str  # run | skip
    reason: str = ""


def catch_up(
    schedule: Schedule, unseen: Sequence[Occurrence], now: datetime, position: int = 0
) -> tuple[list[Decision], int]:
    """For due occurrences history has not seen yet (in time order): run those within the
    schedule's grace, skip the older ones. Series posts are handed out only to occurrences that
    run, so a skipped week keeps its post for the next one. Returns (decisions, next position)."""
    grace = effective_grace(schedule)
    decisions = []
    for occ in unseen:
        if schedule.series:  # the series' next post: it keeps its place if this one is skipped
            occ = replace(occ, post=schedule.posts[position % len(schedule.posts)])
        late = now - occ.at
        if late > grace:
            decisions.append(Decision(occ, "skip", f"missed by {_human(late)}, more than its grace of {_human(grace)}"))
            continue
        position += schedule.series
        decisions.append(Decision(occ, "run"))
    return decisions, position


def _human(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d"] * bool(days) + [f"{hours} h"] * bool(hours) + [f"{minutes} min"] * bool(minutes)
    return " ".join(parts[:2]) or "0 min"
