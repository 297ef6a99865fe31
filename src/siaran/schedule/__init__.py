"""Turning schedules into occurrences, a pure function of (schedule, calendar, time window), and
the catch-up decision for occurrences history has not seen. No I/O: the delivery layer reads
history and passes what it found.

Occurrences: ``occurrences()`` turns one schedule into its fire times inside a window, in the
office timezone, each with an id ``<schedule>@<local date and time, YYYY-MM-DDTHH:MM>`` (holiday
schedules add ``#<post>``, since two greetings can fall at the same instant). The id holds no UTC
offset, so editing the office timezone names the same occurrences and resends nothing.

Days off: a weekly, cron or once occurrence on a public holiday or cuti bersama follows the
schedule's ``on_holiday``: ``next_workday`` moves it (same time, same id) to the next day that is
no weekend and no day off — dropped if the schedule sends that day anyway — ``skip`` records it
skipped, ``send`` keeps it.

Catch-up (``catch_up()``): of the occurrences history has not seen, at most the latest one still
within its grace runs; every other one is recorded as skipped with its reason. A series hands
out one post, to the one that runs: a skipped occurrence does not use up a post.

Office hours (``wait_for_opening()``): a catch-up of a non-urgent post found while the office is
closed waits for the next opening, when the operator is there to answer the replies it brings;
if its grace ends before that, it is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..content.calendar import Calendar
from ..content.schedules import Schedule
from ..reasons import Reason, reason, span

# A missed occurrence is never skipped for being only this late: siaran started a little after
# the minute, or Task Scheduler runs `siaran run --once` every quarter of an hour.
MIN_GRACE = timedelta(minutes=15)


# How far a day off can push an occurrence (Lebaran with its cuti bersama is about a week).
LONGEST_BREAK = timedelta(days=14)


@dataclass(frozen=True)
class Occurrence:
    id: str  # <schedule>@<local YYYY-MM-DDTHH:MM>[#<post> for holiday schedules]
    schedule: str
    at: datetime  # aware, in the office timezone (moved past a day off: the new time)
    post: str  # the post it sends; for a series, the post it would send if every earlier one runs
    holiday: str = ""  # holiday schedules: the calendar day's name; others: the day off it fell on
    skip: Reason | None = None  # why it never goes out (a day off with on_holiday: skip, ...), recorded as skipped


def occurrence_id(schedule: Schedule, at: datetime, post: str = "") -> str:
    """Local date and time, no UTC offset: a timezone edit keeps every name."""
    base = f"{schedule.name}@{at.strftime('%Y-%m-%dT%H:%M')}"
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
    if schedule.trigger == "holiday":
        found = [
            (at, at, holiday, post, None)
            for at, holiday, post in _holiday_times(schedule, calendar, tz, start, end, greetings or {})
        ]
    else:
        moves = schedule.on_holiday == "next_workday"
        found = [
            (slot, at, off, "", skip)
            for slot in _fire_times(schedule, tz, start - LONGEST_BREAK * moves, end)
            for at, off, skip in [_on_day_off(schedule, calendar, tz, slot)]
            if start <= at < end
        ]
    found.sort(key=lambda f: (f[1], f[3]))
    out = []
    i = 0
    for slot, at, holiday, post, skip in found:
        if schedule.posts:
            post = schedule.posts[(position + i) % len(schedule.posts)] if schedule.series else schedule.posts[0]
        i += not skip
        out.append(Occurrence(occurrence_id(schedule, slot, post), schedule.name, at, post, holiday, skip))
    return out


def _fire_times(schedule: Schedule, tz: ZoneInfo, start: datetime, end: datetime) -> Iterator[datetime]:
    if schedule.trigger == "once":
        if schedule.once is not None:
            once = schedule.once
            at = once.astimezone(tz) if once.tzinfo else once.replace(tzinfo=tz)
            if start <= at < end:
                yield at
        return
    trigger = schedule.cron_trigger(tz)
    at = trigger.get_next_fire_time(None, start.astimezone(tz))
    while at is not None and at < end:
        yield at
        at = trigger.get_next_fire_time(at, at + timedelta(seconds=1))


def _on_day_off(
    schedule: Schedule, calendar: Calendar, tz: ZoneInfo, at: datetime
) -> tuple[datetime, str, Reason | None]:
    """(when it goes out, the day off it fell on or '', why it is skipped or None)."""
    off = calendar.day_off(at.date())
    if not off or schedule.on_holiday == "send":
        return at, "", None
    if schedule.on_holiday == "skip":
        return at, off, reason("schedule.day_off_skip", day=off)
    day = at.date() + timedelta(days=1)
    while day.weekday() >= 5 or calendar.day_off(day):
        day += timedelta(days=1)
    moved = datetime.combine(day, at.time(), tzinfo=tz)
    if _fires_on(schedule, tz, day):
        return moved, off, reason("schedule.day_off_moved", day=off, next=day.isoformat())
    return moved, off, None


def _fires_on(schedule: Schedule, tz: ZoneInfo, day) -> bool:
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    return next(_fire_times(schedule, tz, midnight, midnight + timedelta(days=1)), None) is not None


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
    action: str  # run | skip | hold (its post or schedule has a problem: tried again next pass)
    reason: Reason | None = None  # | wait (a catch-up outside office hours: not recorded, run at ``until``)
    until: datetime | None = None


def catch_up(
    schedule: Schedule, unseen: Sequence[Occurrence], now: datetime, position: int = 0
) -> tuple[list[Decision], int]:
    """For due occurrences history has not seen yet (in time order): the latest one within the
    schedule's grace runs (all of them when several fall at that same instant, e.g. two greetings);
    every other one is skipped with its reason — never two sends of one schedule in a row. A series
    hands its next post to the one that runs. Returns (decisions, next position)."""
    grace = effective_grace(schedule)
    latest = max((o.at for o in unseen if not o.skip and now - o.at <= grace), default=None)
    decisions = []
    for occ in unseen:
        if schedule.series:  # the series' next post: it keeps its place if this one is skipped
            occ = replace(occ, post=schedule.posts[position % len(schedule.posts)])
        late = now - occ.at
        if occ.skip:
            decisions.append(Decision(occ, "skip", occ.skip))
        elif late > grace:
            why = reason("schedule.missed_grace", late=_human(late), grace=_human(grace))
            decisions.append(Decision(occ, "skip", why))
        elif occ.at != latest:
            assert latest is not None
            why = reason("schedule.missed_not_latest", when=f"{latest:%Y-%m-%d %H:%M}")
            decisions.append(Decision(occ, "skip", why))
        else:
            position += schedule.series
            decisions.append(Decision(occ, "run"))
    return decisions, position


def wait_for_opening(decision: Decision, schedule: Schedule, now: datetime, opens: datetime | None) -> Decision:
    """A ``run`` that is a catch-up (later than ``MIN_GRACE``) while the office is closed waits
    until ``opens`` (the next opening; None: hours unknown, so it runs), or is skipped when its
    grace ends before then. Urgent posts and holiday greetings are the caller's to exempt."""
    occ = decision.occurrence
    if decision.action != "run" or opens is None or opens <= now or now - occ.at <= MIN_GRACE:
        return decision
    grace = effective_grace(schedule)
    if opens - occ.at > grace:
        why = reason("schedule.missed_closed", when=f"{opens:%Y-%m-%d %H:%M}", grace=_human(grace))
        return Decision(occ, "skip", why)
    return Decision(occ, "wait", reason("schedule.waits_for_office", when=f"{opens:%Y-%m-%d %H:%M}"), until=opens)


def _human(delta: timedelta) -> Reason:
    return span(delta.total_seconds() // 60)
