"""The pure core of schedules: occurrences and catch-up decisions, with fixed times (no clock, no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from siaran.clock import zone
from siaran.content.calendar import Calendar, LocalDay, Override, missing_greetings
from siaran.content.schedules import Schedule, load_schedule
from siaran.reasons import say
from siaran.schedule import catch_up, occurrences

WITA = zone("WITA")


def weekly(**kw) -> Schedule:
    base = {
        "name": "seri",
        "path": Path("schedules/seri.yaml"),
        "trigger": "weekly",
        "posts": ("sop/a", "sop/b", "sop/c"),
        "series": True,
        "days": ("wed",),
        "at_time": time(9, 0),
        "grace": timedelta(days=2),
    }
    return Schedule(**{**base, **kw})


@pytest.mark.parametrize(
    ("label", "offset", "utc_hour"), [("WIB", "+07:00", 2), ("WITA", "+08:00", 1), ("WIT", "+09:00", 0)]
)
def test_weekly_fires_at_office_local_time_in_each_zone(label, offset, utc_hour):
    tz = zone(label)
    start = datetime(2026, 11, 23, tzinfo=tz)
    found = occurrences(weekly(series=False, posts=("sop/a",)), Calendar(), tz, start, start + timedelta(days=14))
    assert [o.id for o in found] == [
        "seri@2026-11-25T09:00",
        "seri@2026-12-02T09:00",
    ]
    assert found[0].at.astimezone(UTC).hour == utc_hour


def test_window_is_start_inclusive_end_exclusive():
    at = datetime(2026, 11, 25, 9, 0, tzinfo=WITA)
    s = weekly()
    assert len(occurrences(s, Calendar(), WITA, at, at + timedelta(days=7))) == 1
    assert len(occurrences(s, Calendar(), WITA, at - timedelta(days=7), at)) == 1  # 18 Nov only


def test_cron_and_once(tmp_path):
    cron = weekly(trigger="cron", cron="30 7 * * mon-fri", series=False, posts=("a",))
    start = datetime(2026, 11, 27, tzinfo=WITA)  # a Friday
    found = occurrences(cron, Calendar(), WITA, start, start + timedelta(days=4))
    assert [o.at.strftime("%a %H:%M") for o in found] == ["Fri 07:30", "Mon 07:30"]
    once = weekly(trigger="once", once=datetime(2026, 12, 1, 7, 0), series=False, posts=("a",))
    found = occurrences(once, Calendar(), WITA, start, start + timedelta(days=30))
    assert [o.id for o in found] == ["seri@2026-12-01T07:00"]
    assert occurrences(once, Calendar(), WITA, start + timedelta(days=5), start + timedelta(days=30)) == []
    jakarta = weekly(trigger="once", once=datetime(2026, 12, 1, 7, 0, tzinfo=zone("WIB")), series=False, posts=("a",))
    found = occurrences(jakarta, Calendar(), WITA, start, start + timedelta(days=30))
    assert [o.id for o in found] == ["seri@2026-12-01T08:00"]  # 07:00 WIB is 08:00 WITA


def test_series_hands_out_posts_in_turn_from_position():
    start = datetime(2026, 11, 23, tzinfo=WITA)
    found = occurrences(weekly(), Calendar(), WITA, start, start + timedelta(days=28), position=2)
    assert [o.post for o in found] == ["sop/c", "sop/a", "sop/b", "sop/c"]


def test_holiday_evening_before_crosses_the_year_and_picks_the_greeting():
    sched = weekly(trigger="holiday", posts=(), series=False, at_time=time(19, 0), days_before=1)
    greetings = {"Tahun Baru Masehi": ["greetings/tahun-baru"]}
    start = datetime(2026, 12, 20, tzinfo=WITA)
    found = occurrences(sched, Calendar(), WITA, start, start + timedelta(days=20), greetings)
    assert [o.id for o in found] == ["seri@2026-12-31T19:00#greetings/tahun-baru"]
    assert found[0].holiday == "Tahun Baru Masehi"


def test_holiday_override_moves_the_occurrence():
    sched = weekly(trigger="holiday", posts=(), series=False, at_time=time(6, 0))
    greetings = {"Hari Raya Idul Fitri": ["greetings/idul-fitri"]}
    start = datetime(2027, 3, 1, tzinfo=WITA)
    computed = occurrences(sched, Calendar(), WITA, start, start + timedelta(days=20), greetings)
    assert [o.at.date() for o in computed] == [date(2027, 3, 10)]
    moved = Calendar(overrides=(Override("Hari Raya Idul Fitri", date(2027, 3, 9), 2027),))
    found = occurrences(sched, moved, WITA, start, start + timedelta(days=20), greetings)
    assert [o.at.date() for o in found] == [date(2027, 3, 9)]


def test_catch_up_skips_beyond_grace_without_using_up_a_series_post():
    s = weekly()
    start = datetime(2026, 11, 10, tzinfo=WITA)
    found = occurrences(s, Calendar(), WITA, start, start + timedelta(days=16))  # 11, 18, 25 Nov
    now = datetime(2026, 11, 26, 10, 0, tzinfo=WITA)  # 25 Nov is 25 h late: within 2 days
    decisions, position = catch_up(s, found, now, position=1)
    assert [(d.action, d.occurrence.post) for d in decisions] == [
        ("skip", "sop/b"),
        ("skip", "sop/b"),  # sop/b keeps its place in the series
        ("run", "sop/b"),
    ]
    assert "more than its grace of 2 d" in say(decisions[0].reason)
    assert position == 2


def test_catch_up_never_skips_a_few_minutes_late_even_with_zero_grace():
    s = weekly(grace=timedelta(0), series=False, posts=("a",))
    at = datetime(2026, 11, 25, 9, 0, tzinfo=WITA)
    found = occurrences(s, Calendar(), WITA, at, at + timedelta(minutes=1))
    assert catch_up(s, found, at + timedelta(minutes=10))[0][0].action == "run"
    assert catch_up(s, found, at + timedelta(minutes=20))[0][0].action == "skip"


def test_missing_greetings_looks_30_days_ahead_and_ignores_cuti_and_second_days():
    cal = Calendar(local_days=(LocalDay("Hari Santri Nasional", 10, 22),), cuti_bersama=True)
    names = [d.name for d in missing_greetings(cal, set(), date(2026, 10, 1))]
    assert names == ["Hari Santri Nasional"]
    assert missing_greetings(cal, {"Hari Santri Nasional"}, date(2026, 10, 1)) == []
    march = [d.name for d in missing_greetings(cal, set(), date(2026, 3, 15))]
    assert "Hari Raya Idul Fitri" in march
    assert not any(n.startswith(("Cuti", "Hari kedua")) for n in march)


def test_schedule_file_errors_name_the_field(tmp_path):
    path = tmp_path / "schedules" / "x.yaml"
    path.parent.mkdir()
    path.write_text('weekly: {days: [rabu], time: "25:00"}\npost: sop/a\ngrace: sebentar\n')
    problems = []
    assert load_schedule(tmp_path, path, problems) is None
    text = "\n".join(map(str, problems))
    assert "[time]" in text and "[grace]" in text and "schedules/x.yaml" in text


def test_next_opening_skips_closed_days_and_days_off():
    from datetime import date, datetime, time
    from zoneinfo import ZoneInfo

    from siaran.content.hours import parse_hours_table
    from siaran.content.model import Office

    wita = ZoneInfo("Asia/Makassar")
    office = Office(
        name="Kantor",
        kind="desa",
        address="-",
        timezone=wita,
        tz_label="WITA",
        opening=parse_hours_table({"senin-kamis": "08.00-12.00 13.00-15.30", "jumat": "08.00-11.00"}, print),
    )
    friday_noon = datetime(2026, 11, 27, 12, 0, tzinfo=wita)
    assert office.next_opening(friday_noon) == datetime(2026, 11, 30, 8, 0, tzinfo=wita)  # Monday
    lunch = datetime(2026, 11, 30, 12, 30, tzinfo=wita)
    assert office.next_opening(lunch) == datetime(2026, 11, 30, 13, 0, tzinfo=wita)
    inside = datetime(2026, 11, 30, 9, 15, tzinfo=wita)
    assert office.next_opening(inside) == inside
    monday_off = {date(2026, 11, 30)}
    assert office.next_opening(friday_noon, lambda d: d in monday_off) == datetime(2026, 12, 1, 8, 0, tzinfo=wita)
    assert Office(name="K", kind="desa", address="-", timezone=wita, tz_label="WITA").next_opening(inside) is None
    assert time(8) in {a for spans in office.opening.values() for a, _ in spans}


def test_the_holiday_table_is_the_packages_own_answer_remembered_per_version(tmp_path):
    import json
    import os
    import subprocess
    import sys

    import holidays

    env = {**os.environ, "SIARAN_CACHE_DIR": str(tmp_path)}
    code = (
        "import json, sys; from siaran.content import holiday_table as t;"
        "days = [[d.isoformat(), n] for d, n in t.national(2027, True)];"
        "print(json.dumps([days, list(t.years())[:1], 'holidays.countries' in sys.modules]))"
    )
    first, again = (
        json.loads(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True).stdout)
        for _ in range(2)
    )
    assert first[2] is True and again[2] is False  # the second process reads the table back
    live = holidays.country_holidays("ID", years=2027, language="id", categories=("public", "government"))
    assert first[0] == again[0] == [[d.isoformat(), n] for d, n in sorted(live.items())]
    assert again[1] == [holidays.ID.start_year]
    assert len(list(tmp_path.glob("holidays-ID-*.json"))) == 1
