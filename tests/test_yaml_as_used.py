"""What can never happen is said at `check`: a one-off schedule already past, a local day that only
leap years have (issue 23); keys compared as the program uses them are in the hostile tables."""

from __future__ import annotations

NOW = {"SIARAN_NOW": "2026-11-23T10:00:00+08:00"}


def test_a_past_one_off_schedule_and_a_leap_day_are_warned_about(run, project):
    (project / "schedules/natal-lalu.yaml").write_text("once: 2025-12-25 07:00\npost: announcements/posyandu\n")
    with (project / "content/calendar.yaml").open("a", encoding="utf-8") as f:
        f.write('  - name: Hari Kabisat\n    date: "02-29"\n')
    res = run("check", env=NOW)
    assert res.exit_code == 0, res.all
    assert (
        "schedules/natal-lalu.yaml:1: [once] 2025-12-25 07:00 has passed: this schedule will never send;"
        " give it a new date or remove it"
    ) in res.all
    assert "content/calendar.yaml:" in res.all
    assert "'02-29' comes only in leap years: in other years Hari Kabisat is not kept" in res.all


def test_a_one_off_still_within_its_grace_is_not_warned_about(run, project):
    (project / "schedules/kemarin.yaml").write_text("once: 2026-11-22 16:00\npost: announcements/posyandu\n")
    res = run("check", env=NOW)
    assert res.exit_code == 0, res.all
    assert "kemarin.yaml" not in res.all
