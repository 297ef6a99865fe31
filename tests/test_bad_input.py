"""Malformed files: each gives a clear error naming the file and the line or field, a non-zero
exit, nothing sent and history unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

NOW = {"SIARAN_NOW": "2026-11-23T10:00:00+08:00"}


def edit(rel: str, old: str, new: str):
    def apply(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture drift: {old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def write(rel: str, text: str):
    def apply(root: Path) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")

    return apply


def append(rel: str, text: str):
    def apply(root: Path) -> None:
        with (root / rel).open("a", encoding="utf-8") as f:
            f.write(text)

    return apply


# (id, change, expected fragments of the error output)
CASES = [
    ("office-yaml-syntax", edit("content/office.yaml", "kind: kelurahan", "kind: [kelurahan"),
     ["content/office.yaml:5", "a [ is not closed"]),
    ("office-unknown-key", append("content/office.yaml", "nama_lurah: Pak Darto\n"),
     ["content/office.yaml:19", "unknown field 'nama_lurah'"]),
    ("office-missing-timezone", edit("content/office.yaml", "timezone: Asia/Makassar\n", ""),
     ["content/office.yaml", "[timezone]", "missing required field"]),
    ("office-bad-timezone", edit("content/office.yaml", "timezone: Asia/Makassar", "timezone: Asia/Bandung"),
     ["content/office.yaml:6", "[timezone]", "Asia/Bandung"]),
    ("office-bad-whatsapp", edit("content/office.yaml", '"0811-5400-2727"', '"0811-54"'),
     ["content/office.yaml:8", "[whatsapp]", "not a valid Indonesian mobile number"]),
    ("office-bad-colour", edit("content/office.yaml", '"#0B6E4F"', "hijau"),
     ["content/office.yaml:17", "[brand.primary]", "not a colour"]),
    ("post-no-front-matter", write("content/announcements/rapat.md", "Rapat RT malam ini.\n"),
     ["content/announcements/rapat.md:1", "front matter"]),
    ("post-front-matter-unclosed", write("content/announcements/rapat.md", "---\ntitle: Rapat\n\nIsi.\n"),
     ["content/announcements/rapat.md:1", "not closed"]),
    ("post-unknown-channel", edit("content/announcements/posyandu.md", "[whatsapp, instagram]", "[whatsapp, telegram]"),
     ["content/announcements/posyandu.md:7", "[channels]", "unknown channel 'telegram'"]),
    ("post-bad-date", edit("content/announcements/posyandu.md", "date: 2026-12-05", "date: besok pagi"),
     ["content/announcements/posyandu.md:3", "[date]", "not a date"]),
    ("post-unknown-list", edit("content/announcements/kerja-bakti.md", "[warga-rt01]", "[warga-rt09]"),
     ["content/announcements/kerja-bakti.md:6", "[lists]", "no list 'warga-rt09'"]),
    ("post-unknown-field", edit("content/announcements/kerja-bakti.md", "card: true", "kartu: true"),
     ["content/announcements/kerja-bakti.md:8", "unknown field 'kartu'"]),
    ("greeting-missing-holiday", edit("content/greetings/natal.md", "holiday: Hari Raya Natal\n", ""),
     ["content/greetings/natal.md", "[holiday]", "missing required field"]),
    ("greeting-unknown-holiday", edit("content/greetings/natal.md", "Hari Raya Natal", "Hari Natal Sedunia"),
     ["content/greetings/natal.md:3", "[holiday]", "not a day the calendar knows"]),
    ("sop-missing-requirements", edit("content/sop/ktp-el.yaml", "requirements:", "syarat:"),
     ["content/sop/ktp-el.yaml", "unknown field 'syarat'", "missing required field 'requirements'"]),
    ("sop-form-not-link", edit("content/sop/ktp-el.yaml", "form: https://", "form: www."),
     ["content/sop/ktp-el.yaml:15", "[form]", "not a link"]),
    ("sop-steps-wrong-type", edit("content/sop/ktp-el.yaml", "steps:\n", "steps:\n  langkah: satu\nx:\n"),
     ["content/sop/ktp-el.yaml", "[steps]", "must be a list"]),
    ("list-no-phone-column", write("content/lists/rt02.csv", "nama,alamat\nBudi,Jl. Mawar\n"),
     ["content/lists/rt02.csv:1", "no phone column"]),
    ("template-syntax", edit("content/templates/whatsapp/greeting.j2", "{% endif %}", "{% endi %}"),
     ["content/templates/whatsapp/greeting.j2:", "template syntax error"]),
    ("template-undefined", edit("content/templates/whatsapp/greeting.j2", "{{ office.name }}", "{{ office.fax }}"),
     ["content/templates/whatsapp/greeting.j2:8", "undefined template variable", "fax"]),
    ("body-undefined", append("content/announcements/kerja-bakti.md", "\nHubungi {{ recipient.alamat }}.\n"),
     ["content/announcements/kerja-bakti.md:19", "undefined template variable", "alamat"]),
    ("calendar-bad-date", edit("content/calendar.yaml", 'date: "04-21"', 'date: "02-31"'),
     ["content/calendar.yaml:11", "[date]", "not a real day"]),
    ("schedule-bad-time", edit("schedules/seri-sop-mingguan.yaml", '"09:00"', '"25:00"'),
     ["schedules/seri-sop-mingguan.yaml:3", "not a time"]),
    ("schedule-unknown-post", edit("schedules/pengumuman-mingguan.yaml", "jadwal-pelayanan", "jadwal-layanan"),
     ["schedules/pengumuman-mingguan.yaml:4", "[post]", "no post named 'announcements/jadwal-layanan'"]),
    ("schedule-two-triggers", append("schedules/pengumuman-mingguan.yaml", 'cron: "0 8 * * 1"\n'),
     ["schedules/pengumuman-mingguan.yaml", "exactly one trigger"]),
    ("schedule-bad-grace", edit("schedules/pengumuman-mingguan.yaml", "grace: 1 hari", "grace: sebentar"),
     ["schedules/pengumuman-mingguan.yaml:7", "[grace]", "not a duration"]),
]  # fmt: skip


def _state(project: Path) -> tuple[int, list[str]]:
    db = project / "siaran-rehearsal.db"
    rows = sqlite_utils.Database(db)["deliveries"].count if db.exists() else 0
    outbox = (
        sorted(p.as_posix() for p in (project / "outbox-rehearsal").rglob("*"))
        if (project / "outbox-rehearsal").exists()
        else []
    )
    return rows, outbox


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_file_is_named_and_nothing_is_sent(run, project, change, expected):
    assert run("send", "announcements/posyandu", "--now", "--channel", "whatsapp", env=NOW).exit_code == 0
    before = _state(project)
    change(project)

    checked = run("check", env=NOW)
    assert checked.exit_code == 1, checked.all
    for fragment in expected:
        assert fragment in checked.stderr, f"{fragment!r} not in:\n{checked.stderr}"

    sent = run("send", "announcements/kerja-bakti", "--now", env=NOW)
    assert sent.exit_code == 1
    assert "nothing was sent" in sent.stderr
    assert _state(project) == before


def test_enough_distinct_malformed_files():
    assert len({c[0] for c in CASES}) >= 15


def test_secret_in_siaran_toml_is_refused(run, project):
    (project / "siaran.toml").write_text('[whatsapp]\nprovider = "cloud"\ntoken = "EAAG-very-secret-123"\n')
    res = run("send", "announcements/posyandu", "--now", env=NOW)
    assert res.exit_code == 1
    assert "siaran.toml" in res.stderr and "whatsapp.token" in res.stderr and "SIARAN_WHATSAPP_TOKEN" in res.stderr
    assert "EAAG-very-secret-123" not in res.all
    assert _state(project) == (0, [])


def test_unknown_setting_is_named(run, project):
    (project / "siaran.toml").write_text("[whatsapp]\nproviderr = 'cloud'\n")
    res = run("check")
    assert res.exit_code == 1
    assert "unknown setting whatsapp.providerr" in res.stderr


def test_invalid_phone_fails_check_but_is_skipped_with_warning_on_send(run, project):
    append("content/lists/kader-posyandu.csv", "Joko,0812-99,05,03\n")(project)
    checked = run("check", env=NOW)
    assert checked.exit_code == 1
    assert "content/lists/kader-posyandu.csv:6: [nomor] invalid phone number '0812-99'" in checked.stderr
    res = run("send", "announcements/posyandu", "--now", "--channel", "whatsapp", env=NOW)
    assert res.exit_code == 0, res.all
    assert "content/lists/kader-posyandu.csv:6" in res.stderr
    assert _state(project)[0] == 9


def test_not_a_project(run, tmp_path):
    res = run("check", root=tmp_path)
    assert res.exit_code == 1
    assert "no content/ folder" in res.stderr


@pytest.mark.parametrize(
    ("toml", "env", "expected"),
    [
        ('[whatsapp]\nprovider = "twilio"\n', {}, "whatsapp.provider = 'twilio' is not one of outbox, cloud"),
        ("", {"SIARAN_INSTAGRAM_PUBLISHER": "buffer"}, "instagram.publisher = 'buffer' is not one of handoff, graph"),
    ],
)
def test_unknown_provider_is_refused_before_anything_is_recorded(run, project, toml, env, expected):
    (project / "siaran.toml").write_text(toml)
    res = run("send", "announcements/posyandu", "--now", env={**NOW, **env})
    assert res.exit_code == 1
    assert expected in res.stderr
    assert _state(project) == (0, [])


# (slip in office.yaml's `kind:` line, words of the Indonesian hint): PyYAML speaks English only,
# so each usual slip gets siaran's own sentence and no English reaches an Indonesian operator.
YAML_SLIPS = [
    ("kind: [kelurahan", "tanda [ belum ditutup"),
    ("kind: {jenis: kelurahan", "kurung kurawal belum ditutup"),
    ("kind: @kelurahan", "isian diawali @, `, %"),
    ('kind: "C:\\kelurahan"', "garis miring terbalik"),
    ("kind: |x", "setelah | atau >"),
    ("kind: kelurahan\n---", "baris '---' atau '...' kedua"),
    ("kind: kelurahan: desa", "ada titik dua di dalam isian"),
]


@pytest.mark.parametrize(("slip", "words"), YAML_SLIPS, ids=[s[1] for s in YAML_SLIPS])
def test_yaml_slips_are_worded_in_indonesian(run, project, slip, words):
    edit("content/office.yaml", "kind: kelurahan", slip)(project)
    checked = run("check", env={**NOW, "SIARAN_LANG": "id"})
    assert checked.exit_code == 1
    assert "content/office.yaml:" in checked.stderr and words in checked.stderr, checked.stderr
    for english in ("while ", "expected", "found", "scanning", "parsing"):
        assert english not in checked.stderr, checked.stderr
