"""Errors that help: "did you mean", YAML slips explained, and `siaran holidays` whatever the content."""

from __future__ import annotations

from pathlib import Path


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_wrong_holiday_name_suggests_the_right_one_and_holidays_still_lists_them(run, project):
    _replace(project / "content/greetings/idul-fitri.md", "holiday: Hari Raya Idul Fitri", "holiday: Idul Fitri")
    res = run("check")
    assert res.exit_code == 1
    assert "content/greetings/idul-fitri.md:3: [holiday] 'Idul Fitri' is not a day the calendar knows" in res.stderr
    assert "(did you mean 'Hari Raya Idul Fitri'?)" in res.stderr
    res = run("holidays", "2026")
    assert res.exit_code == 0, res.all
    assert "Hari Raya Idul Fitri" in res.output
    assert "problem(s) in the content files" in res.stderr


def test_holidays_runs_even_when_the_office_file_is_broken(run, project):
    (project / "content/office.yaml").write_text("name: [\n", encoding="utf-8")
    res = run("holidays", "2026")
    assert res.exit_code == 0, res.all
    assert "Hari Raya Natal" in res.output


def test_yaml_slips_become_plain_hints_with_line_and_column(run, project):
    _replace(project / "content/announcements/posyandu.md", "title: Posyandu Balita", "title: Rapat: Posyandu Balita")
    res = run("check")
    assert "content/announcements/posyandu.md:2:13: a colon inside a value: put the value in quotes" in res.stderr
    _replace(project / "content/announcements/posyandu.md", "title: Rapat: Posyandu", "title: Posyandu")
    _replace(project / "content/announcements/posyandu.md", "\ndate: ", "\n\tdate: ")
    res = run("check")
    assert "content/announcements/posyandu.md:3:1: a tab character: indent with spaces, never with tabs" in res.stderr


def test_misspelt_names_get_a_suggestion(run, project):
    _replace(project / "content/announcements/posyandu.md", "\nplace:", "\nplaec:")
    _replace(project / "schedules/pengumuman-mingguan.yaml", "post: announcements/jadwal-pelayanan",
             "post: announcements/jadwal-pelayan")  # fmt: skip
    _replace(project / "schedules/pengumuman-mingguan.yaml", "lists: [warga-rt01]", "lists: [warga-rt1]")
    res = run("check")
    assert "unknown field 'plaec' (did you mean 'place'?)" in res.stderr
    assert "no post named 'announcements/jadwal-pelayan' (did you mean 'announcements/jadwal-pelayanan'?)" in res.stderr
    assert "no list 'warga-rt1' in content/lists/ (did you mean 'warga-rt01'?)" in res.stderr
    _replace(project / "schedules/pengumuman-mingguan.yaml", "weekly: {days: [senin]", "weekly: {days: [senen]")
    assert "'senen' is not a day (senin … minggu) (did you mean 'senin'?)" in run("check").stderr


def test_send_and_settings_suggest_names(run, project):
    res = run("send", "announcements/posyando", "--now")
    assert res.exit_code == 1
    assert "no post named 'announcements/posyando' (did you mean 'announcements/posyandu'?)" in res.stderr
    res = run("send", "announcements/posyandu", "--now", "--list", "warga-rt1")
    assert "no list named 'warga-rt1' (did you mean 'warga-rt01'?)" in res.stderr
    (project / "siaran.toml").write_text('[whatsapp]\nprovder = "cloud"\n', encoding="utf-8")
    res = run("check")
    assert "unknown setting whatsapp.provder (did you mean 'whatsapp.provider'?)" in res.stderr
