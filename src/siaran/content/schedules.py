"""schedules/*.yaml: when each post goes out, parsed and validated (the occurrence maths is in
siaran.schedule).

A schedule names exactly one trigger::

    weekly: {days: [senin], time: "08:00"}        # office timezone
    monthly: {days: ["selasa kedua", 15], time: "08:00"}  # nth weekday (pertama … terakhir), day of month
    cron: "0 8 * * senin-jumat"                   # office timezone; Indonesian or English day names
    once: 2026-12-01 07:00                        # office timezone
    holiday: {time: "06:00", days_before: 0}      # every holiday that has a greeting (or names: [...])

and its content: ``post: announcements/x`` or ``series: [sop/a, sop/b]`` (one per occurrence, in
turn). Holiday schedules may omit both: the greeting whose ``holiday:`` matches is sent.
Optional: ``channels``, ``lists``, ``grace`` (how late a missed occurrence is still worth
sending, e.g. "2 hari", "6 jam"; later it is recorded as skipped), ``description``, and
``on_holiday`` for weekly, cron and once schedules: ``next_workday`` (default: moved to the next
day that is neither a weekend, a public holiday nor cuti bersama), ``skip`` or ``send``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..errors import ContentError, did_you_mean
from ..i18n import _
from .calendar import outside_years
from .dates import no_such_date
from .model import CHANNELS
from .yamlfile import Fields, Located, read_mapping

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger

TRIGGERS = ("weekly", "monthly", "cron", "once", "holiday")
FIELDS = (*TRIGGERS, "post", "series", "channels", "lists", "grace", "description", "on_holiday")
ON_HOLIDAY = ("next_workday", "skip", "send")  # what a non-greeting occurrence does on a day off
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
MAX_GRACE = timedelta(days=365)
ORDINALS = {
    "pertama": "1st", "kesatu": "1st", "kedua": "2nd", "ketiga": "3rd", "keempat": "4th", "kelima": "5th",
    "terakhir": "last", "ke-1": "1st", "ke-2": "2nd", "ke-3": "3rd", "ke-4": "4th", "ke-5": "5th",
}  # fmt: skip
NTH_WEEKDAY = re.compile(r"^\s*([a-z']+)\s+([a-z0-9-]+)\s*$", re.IGNORECASE)
DAY_WORD = re.compile(r"[a-z']+", re.IGNORECASE)
DEFAULT_GRACE = {
    "weekly": timedelta(days=2),
    "monthly": timedelta(days=2),
    "cron": timedelta(days=2),
    "once": timedelta(days=1),
    "holiday": timedelta(hours=12),
}


@dataclass(frozen=True)
class Schedule:
    """One file of schedules/: when which post goes out, to whom, on which channels."""

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
    month_days: tuple[str, ...] = ()  # monthly: APScheduler day expressions: "15", "2nd tue", "last fri"
    at_time: time = time(8, 0)  # weekly, holiday
    cron: str = ""
    once: datetime | None = None  # naive = office local time; with an offset = that instant
    holidays: tuple[str, ...] = ()  # holiday: names; () = every holiday with a greeting
    days_before: int = 0
    on_holiday: str = "next_workday"  # next_workday | skip | send (holiday triggers always send)
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)  # field -> line, for errors

    def cron_trigger(self, tz: ZoneInfo) -> CronTrigger:
        """weekly and cron schedules as an APScheduler trigger in the office timezone."""
        from apscheduler.triggers.cron import CronTrigger  # APScheduler only when a schedule is evaluated

        if self.trigger == "weekly":
            return CronTrigger(
                day_of_week=",".join(self.days), hour=self.at_time.hour, minute=self.at_time.minute, timezone=tz
            )
        if self.trigger == "monthly":
            return CronTrigger(
                day=",".join(self.month_days), hour=self.at_time.hour, minute=self.at_time.minute, timezone=tz
            )
        return CronTrigger.from_crontab(cron_in_english(self.cron), timezone=tz)


def cron_in_english(expr: str) -> str:
    """Indonesian day names in the weekday field ("0 8 * * senin-jumat") as cron's (mon-fri)."""
    fields = expr.split()
    if len(fields) == 5:
        fields[4] = DAY_WORD.sub(lambda m: DAYS.get(m[0].lower(), m[0]), fields[4])
    return " ".join(fields)


def _month_days(f: Fields, value: Located) -> tuple[str, ...]:
    """monthly ``days``: nth weekdays ("selasa kedua", "jumat terakhir") and/or days of the month (15)."""
    raw = value.get("days")
    items = raw if isinstance(raw, list) else ([] if raw is None else [raw])
    found = []
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool):
            if 1 <= item <= 31:
                found.append(str(item))
            else:
                f.error("days", _("{value!r} is not a day of the month (1 … 31)").format(value=item))
            continue
        m = NTH_WEEKDAY.match(str(item))
        day = DAYS.get(m[1].lower()) if m else None
        nth = ORDINALS.get(m[2].lower()) if m else None
        if day is None or nth is None:
            f.error("days", _('{value!r} is not a day of the month like "selasa kedua", "jumat terakhir" or 15').format(
                value=item) + (did_you_mean(m[1], DAYS) if m and day is None else ""))  # fmt: skip
        else:
            found.append(f"{nth} {day}")
    if not items:
        f.error("days", _('say which days: days: ["selasa kedua"] or days: [15]'))
    return tuple(found)


def parse_duration(text: str) -> timedelta | None:
    if str(text).strip() == "0":
        return timedelta(0)
    m = DURATION.match(str(text))
    if not m or m[2].lower() not in UNITS:
        return None
    try:
        return timedelta(**{UNITS[m[2].lower()]: int(m[1])})
    except OverflowError:
        return timedelta.max


def _clock(f: Fields, data: Located, key: str, where: str) -> time | None:
    value = data.get(key)
    if isinstance(value, int):  # YAML reads 08:00 unquoted as sexagesimal minutes
        value = f"{value // 60}:{value % 60:02d}"
    m = CLOCK.match(str(value or "").strip())
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        f.error(key, _('{where}: {value!r} is not a time like "08:00"').format(where=where, value=value))
        return None
    return time(int(m[1]), int(m[2]))


def fires_within_a_year(cron: str, today: date) -> bool:
    """Does this crontab line fire in the 366 days from ``today``? (``0 8 30 2 *`` never does.)"""
    start = datetime.combine(today, time(0, 0), tzinfo=UTC)
    from apscheduler.triggers.cron import CronTrigger

    minute, hour, day, month, weekday = cron_in_english(cron).split()
    trigger = CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=weekday,
        timezone=UTC, start_date=start, end_date=start + timedelta(days=367),
    )  # fmt: skip
    return trigger.get_next_fire_time(None, start) is not None


def load_schedule(root: Path, path: Path, problems: list[ContentError], today: date | None = None) -> Schedule | None:
    rel = path.relative_to(root).as_posix()
    data = read_mapping(path, rel, problems)
    if data is None:
        return None
    before = len(problems)
    f = Fields(data, rel, FIELDS, problems)
    triggers = [t for t in TRIGGERS if t in data]
    if len(triggers) != 1:
        problems.append(
            ContentError(rel, _("name exactly one trigger: {names}").format(names=", ".join(TRIGGERS)), line=data.line)
        )
        return None
    trigger = triggers[0]
    kw: dict = {}
    value = data[trigger]
    if trigger == "weekly":
        if not isinstance(value, Located):
            f.error("weekly", _('must be {days: [senin], time: "08:00"}'))
            return None
        w = Fields(value, rel, ("days", "time"), problems)
        days = []
        for d in w.str_list("days", required=True):
            if d.lower() not in DAYS:
                w.error("days", _("{value!r} is not a day (senin … minggu)").format(value=d) + did_you_mean(d, DAYS))
            else:
                days.append(DAYS[d.lower()])
        kw.update(days=tuple(days), at_time=_clock(w, value, "time", "weekly.time"))
    elif trigger == "monthly":
        if not isinstance(value, Located):
            f.error("monthly", _('must be {days: ["selasa kedua"], time: "08:00"} (or days: [15])'))
            return None
        mf = Fields(value, rel, ("days", "time"), problems)
        kw.update(month_days=_month_days(mf, value), at_time=_clock(mf, value, "time", "monthly.time"))
    elif trigger == "cron":
        kw["cron"] = str(value).strip()
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(cron_in_english(kw["cron"]))
        except ValueError as e:
            f.error(
                "cron",
                _("{value!r} is not a cron expression (minute hour day month weekday): {error}").format(
                    value=value, error=e
                ),
            )
        else:
            if today is not None and not fires_within_a_year(kw["cron"], today):
                f.error(
                    "cron",
                    _("{value!r} never fires in the coming year (a day that does not exist, like 30 February?)").format(
                        value=value
                    ),
                )
    elif trigger == "once":
        when = value if isinstance(value, datetime) else None
        if when is None:
            try:
                when = datetime.fromisoformat(str(value).strip())
            except ValueError:
                expected = _("{value!r} is not a date-time like 2026-12-01 07:00").format(value=value)
                f.error("once", no_such_date(str(value)) or expected)
        if when is not None and outside_years(when.year):
            f.error("once", outside_years(when.year))
            when = None
        kw["once"] = when
    else:
        h = value if isinstance(value, Located) else None
        if h is None:
            f.error("holiday", _('must be {time: "06:00", days_before: 0}'))
            return None
        hf = Fields(h, rel, ("time", "days_before", "names"), problems)
        days_before = hf.int("days_before", 0)
        if days_before is not None and not 0 <= days_before <= 30:
            hf.error("days_before", _("must be between 0 and 30"))
        kw.update(
            at_time=_clock(hf, h, "time", "holiday.time"), days_before=days_before or 0, holidays=hf.str_list("names")
        )
    post = f.str("post")
    series = f.str_list("series")
    if post and series:
        f.error("series", _("give either post or series, not both"))
    elif not post and not series and trigger != "holiday":
        problems.append(
            ContentError(
                rel, _("missing the content: add post: NAME or series: [NAME, ...]"), line=data.line, field="post"
            )
        )
    channels = f.str_list("channels")
    for ch in channels:
        if ch not in CHANNELS:
            f.error("channels", _("unknown channel {name!r} (use whatsapp or instagram)").format(name=ch))
    grace = DEFAULT_GRACE[trigger]
    if "grace" in data:
        parsed = parse_duration(data["grace"])
        if parsed is None:
            f.error(
                "grace",
                _('{value!r} is not a duration like "2 hari", "6 jam" or "30 menit"').format(value=data["grace"]),
            )
        elif parsed > MAX_GRACE:
            f.error(
                "grace",
                _("{value!r} is too long: at most {days} hari").format(value=data["grace"], days=MAX_GRACE.days),
            )
        else:
            grace = parsed
    on_holiday = f.str("on_holiday", default="next_workday") or "next_workday"
    if on_holiday not in ON_HOLIDAY:
        f.error(
            "on_holiday", _("{value!r} is not one of {choices}").format(value=on_holiday, choices=", ".join(ON_HOLIDAY))
        )
    if len(problems) > before:
        return None
    once = kw.get("once")
    if once is not None and today is not None and once.date() + grace < today:
        problems.append(
            ContentError(
                rel,
                _("{when} has passed: this schedule will never send; give it a new date or remove it").format(
                    when=once.strftime("%Y-%m-%d %H:%M")
                ),
                line=data.line_of("once"),
                field="once",
                warning=True,
            )
        )
    return Schedule(
        on_holiday=on_holiday,
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
    # Not only regular files: a FIFO or a dangling link is reported when read, not skipped.
    return sorted(p for p in base.glob("*.y*ml") if not p.is_dir()) if base.is_dir() else []
