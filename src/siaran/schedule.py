"""schedules/*.yaml: when each post goes out. Parsing and validation live here; turning a
schedule into occurrences is a pure function of (schedule, calendar, time window).

A schedule names exactly one trigger::

    weekly: {days: [senin], time: "08:00"}        # office timezone
    cron: "0 8 * * mon"                           # office timezone
    once: 2026-12-01 07:00                        # office timezone
    holiday: {time: "06:00", days_before: 0}      # every holiday that has a greeting (or names: [...])

and its content: ``post: announcements/x`` or ``series: [sop/a, sop/b]`` (one per occurrence, in
turn). Holiday schedules may omit both: the greeting whose ``holiday:`` matches is sent.
Optional: ``channels``, ``lists``, ``grace`` (how late a missed occurrence is still worth
sending, e.g. "2 hari", "6 jam"; later it is recorded as skipped), ``description``.

Occurrences: ``occurrences()`` turns one schedule into its fire times inside a window, in the
office timezone, each with an id ``<schedule>@<local ISO time with offset>`` (holiday schedules
add ``#<post>``, since two greetings can fall at the same instant). ``catch_up()`` decides, for
the occurrences history has not seen, which still run and which are skipped, and hands series
posts out in turn: a skipped occurrence does not use up a post, so a series never loses one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from .calendar import Calendar
from .content.model import CHANNELS
from .content.yamlfile import Fields, Located, load_yaml_mapping
from .errors import ContentError

TRIGGERS = ("weekly", "cron", "once", "holiday")
FIELDS = (*TRIGGERS, "post", "series", "channels", "lists", "grace", "description")
DAYS = {
    "senin": "mon", "selasa": "tue", "rabu": "wed", "kamis": "thu", "jumat": "fri", "sabtu": "sat",
    "minggu": "sun", "ahad": "sun",
    "mon": "mon", "tue": "tue", "wed": "wed", "thu": "thu", "fri": "fri", "sat": "sat", "sun": "sun",
}  # fmt: skip
UNITS = {
    "menit": "minutes", "minute": "minutes", "minutes": "minutes", "jam": "hours", "hour": "hours",
    "hours": "hours", "hari": "days", "day": "days", "days": "days", "minggu": "weeks", "week": "weeks",
    "weeks": "weeks",
}  # fmt: skip
DURATION = re.compile(r"^\s*(\d+)\s*([a-z]+)\s*$", re.IGNORECASE)
CLOCK = re.compile(r"^(\d{1,2})[.:](\d{2})$")
DEFAULT_GRACE = {
    "weekly": timedelta(days=2),
    "cron": timedelta(days=2),
    "once": timedelta(days=1),
    "holiday": timedelta(hours=12),
}


@dataclass(frozen=True)
class Schedule:
    name: str  # file stem
    path: Path
    trigger: str  # weekly | cron | once | holiday
    posts: tuple[str, ...] = ()  # one post, or a series rotated through; () = holiday's greeting
    series: bool = False
    channels: tuple[str, ...] = ()  # () = the post's own
    lists: tuple[str, ...] = ()  # () = the post's own
    grace: timedelta = timedelta(days=1)
    description: str = ""
    days: tuple[str, ...] = ()  # weekly: mon..sun
    at_time: time = time(8, 0)  # weekly, holiday
    cron: str = ""
    once: datetime | None = None  # naive = office local time; with an offset = that instant
    holidays: tuple[str, ...] = ()  # holiday: names; () = every holiday with a greeting
    days_before: int = 0
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)  # field -> line, for errors

    def cron_trigger(self, tz: ZoneInfo) -> CronTrigger:
        """weekly and cron schedules as an APScheduler trigger in the office timezone."""
        if self.trigger == "weekly":
            return CronTrigger(
                day_of_week=",".join(self.days), hour=self.at_time.hour, minute=self.at_time.minute, timezone=tz
            )
        return CronTrigger.from_crontab(self.cron, timezone=tz)


def parse_duration(text: str) -> timedelta | None:
    if str(text).strip() == "0":
        return timedelta(0)
    m = DURATION.match(str(text))
    if not m or m[2].lower() not in UNITS:
        return None
    return timedelta(**{UNITS[m[2].lower()]: int(m[1])})


def _clock(f: Fields, data: Located, key: str, where: str) -> time | None:
    value = data.get(key)
    if isinstance(value, int):  # YAML reads 08:00 unquoted as sexagesimal minutes
        value = f"{value // 60}:{value % 60:02d}"
    m = CLOCK.match(str(value or "").strip())
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        f.error(key, f'{where}: {value!r} is not a time like "08:00"')
        return None
    return time(int(m[1]), int(m[2]))


def load_schedule(root: Path, path: Path, problems: list[ContentError]) -> Schedule | None:
    rel = path.relative_to(root).as_posix()
    try:
        data = load_yaml_mapping(path, rel)
    except ContentError as e:
        problems.append(e)
        return None
    before = len(problems)
    f = Fields(data, rel, FIELDS, problems)
    triggers = [t for t in TRIGGERS if t in data]
    if len(triggers) != 1:
        problems.append(ContentError(rel, f"name exactly one trigger: {', '.join(TRIGGERS)}", line=data.line))
        return None
    trigger = triggers[0]
    kw: dict = {}
    value = data[trigger]
    if trigger == "weekly":
        if not isinstance(value, Located):
            f.error("weekly", 'must be {days: [senin], time: "08:00"}')
            return None
        w = Fields(value, rel, ("days", "time"), problems)
        days = []
        for d in w.str_list("days", required=True):
            if d.lower() not in DAYS:
                w.error("days", f"{d!r} is not a day (senin … minggu)")
            else:
                days.append(DAYS[d.lower()])
        kw.update(days=tuple(days), at_time=_clock(w, value, "time", "weekly.time"))
    elif trigger == "cron":
        kw["cron"] = str(value).strip()
        try:
            CronTrigger.from_crontab(kw["cron"])
        except ValueError as e:
            f.error("cron", f"{value!r} is not a cron expression (minute hour day month weekday): {e}")
    elif trigger == "once":
        when = value if isinstance(value, datetime) else None
        if when is None:
            try:
                when = datetime.fromisoformat(str(value).strip())
            except ValueError:
                f.error("once", f"{value!r} is not a date-time like 2026-12-01 07:00")
        kw["once"] = when
    else:
        h = value if isinstance(value, Located) else None
        if h is None:
            f.error("holiday", 'must be {time: "06:00", days_before: 0}')
            return None
        hf = Fields(h, rel, ("time", "days_before", "names"), problems)
        days_before = hf.int("days_before", 0)
        if days_before is not None and not 0 <= days_before <= 30:
            hf.error("days_before", "must be between 0 and 30")
        kw.update(
            at_time=_clock(hf, h, "time", "holiday.time"), days_before=days_before or 0, holidays=hf.str_list("names")
        )
    post = f.str("post")
    series = f.str_list("series")
    if post and series:
        f.error("series", "give either post or series, not both")
    elif not post and not series and trigger != "holiday":
        problems.append(
            ContentError(
                rel, "missing the content: add post: NAME or series: [NAME, ...]", line=data.line, field="post"
            )
        )
    channels = f.str_list("channels")
    for ch in channels:
        if ch not in CHANNELS:
            f.error("channels", f"unknown channel {ch!r} (use {' or '.join(CHANNELS)})")
    grace = DEFAULT_GRACE[trigger]
    if "grace" in data:
        parsed = parse_duration(data["grace"])
        if parsed is None:
            f.error("grace", f'{data["grace"]!r} is not a duration like "2 hari", "6 jam" or "30 menit"')
        else:
            grace = parsed
    if len(problems) > before:
        return None
    return Schedule(
        name=path.stem,
        path=path,
        trigger=trigger,
        posts=(post,) if post else series,
        series=bool(series),
        channels=channels,
        lists=f.str_list("lists"),
        grace=grace,
        description=f.str("description", default="") or "",
        lines=dict(data.lines),
        **kw,
    )


def schedule_files(root: Path) -> list[Path]:
    base = root / "schedules"
    return sorted(p for p in base.glob("*.y*ml") if p.is_file()) if base.is_dir() else []


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
    if schedule.trigger in ("weekly", "cron"):
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
