"""content/autoreply.yaml: checked with file, line and field; previewed; the menu's decisions."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from siaran.content.autoreply import load_autoreply
from siaran.server import menu


def test_check_names_file_line_and_field(run, project):
    path = project / "content/autoreply.yaml"
    text = path.read_text()
    line_no = text[: text.index("title: Informasi")].count("\n") + 1
    text = text.replace("title: Informasi", "title: Informasi dan jam layanan kelurahan")
    text = text.replace("post: sop/ktp-el", "post: sop/tidak-ada")
    path.write_text(text)
    result = run("check")
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if "autoreply.yaml" in line]
    assert any("title is 35 characters; at most 24" in line and f":{line_no}" in line for line in lines), result.stderr
    assert any("no post named 'sop/tidak-ada'" in line for line in lines), result.stderr


def test_bad_hours_and_an_option_without_an_answer(run, project):
    path = project / "content/autoreply.yaml"
    text = path.read_text().replace('jumat: "08:00-11:00"', 'jumad: "8 sampai 11"')
    text = text.replace("      post: sop/ktp-el\n", "")
    path.write_text(text)
    result = run("check")
    assert result.exit_code == 1
    assert "unknown day 'jumad'" in result.stderr and "give either reply:" in result.stderr


def test_preview_shows_every_answer(run):
    result = run("preview", "autoreply")
    assert result.exit_code == 0, result.all
    for words in ("Selamat datang", "*4.* Syarat KTP-el", "sop/ktp-el", "di luar jam kerja", "MULAI", "belum memahami"):
        assert words in result.output
    assert "{buka}" not in result.output and "pukul 08.00 WITA" in result.output  # when the office answers
    assert "aduan: the person's next message is recorded with a number, e.g. ADU-" in result.output


def test_decisions(project):
    auto = load_autoreply(project, [])
    assert auto is not None
    assert (
        menu.keyword(" Berhenti\n") == "stop" and menu.keyword("unreg") == "stop" and menu.keyword("START") == "start"
    )
    assert menu.keyword("berhenti dulu") == "" and menu.keyword("stop!") == ""
    assert menu.decide(auto, "halo", first=True).post == "autoreply/welcome"
    assert menu.decide(auto, "0").menu and menu.decide(auto, "Menu").menu
    assert menu.decide(auto, "2").post == "autoreply/2" and menu.decide(auto, "", "menu:3").post == "autoreply/3"
    assert menu.decide(auto, "4").option.post == "sop/ktp-el"
    assert menu.decide(auto, "9").post == "autoreply/fallback"
    away = menu.decide(auto, "2", away=True)
    assert away.text.startswith("Terima kasih telah menghubungi") and "Jam layanan" in away.text
    wita = ZoneInfo("Asia/Makassar")
    assert auto.open_at(datetime(2026, 11, 23, 9, 0, tzinfo=wita))  # Monday
    assert not auto.open_at(datetime(2026, 11, 27, 13, 0, tzinfo=wita))  # Friday afternoon
    assert not auto.open_at(datetime(2026, 11, 28, 9, 0, tzinfo=wita))  # Saturday


def test_interactive_stays_within_meta_limits(project):
    auto = load_autoreply(project, [])
    listed = menu.interactive(auto, auto.welcome)
    assert listed["type"] == "list" and len(listed["action"]["sections"][0]["rows"]) == 4
    three = auto.__class__(**{**auto.__dict__, "options": auto.options[:3]})
    buttons = menu.interactive(three, "")
    assert buttons["type"] == "button" and all(len(b["reply"]["title"]) <= 20 for b in buttons["action"]["buttons"])
    long_body = menu.interactive(auto, "x" * 1100)
    assert long_body is None  # the numbered text goes instead


def test_what_waits_for_a_person_and_the_aduan_intake(project):
    auto = load_autoreply(project, [])
    assert not menu.needs_person("Selamat pagi!") and not menu.needs_person(" terima kasih ")
    assert menu.needs_person("Pak, apakah KTP-el saya sudah jadi?") and menu.needs_person("", "image")
    assert menu.decide(auto, "Pak, KTP saya?", first=True).waits  # a real question on first contact
    assert not menu.decide(auto, "halo", first=True).waits and not menu.decide(auto, "2").waits
    assert menu.decide(auto, "3").intake == "aduan" and menu.decide(auto, "apa kabar").waits
    aduan = menu.decide(auto, "Lampu jalan mati", intake="aduan")
    assert aduan.ticket == "aduan" and "{ticket}" in aduan.text and aduan.waits
    assert menu.decide(auto, "0", intake="aduan").menu  # the menu still answers a menu word


def test_the_away_message_says_when_the_office_opens(project):
    from siaran.app import App
    from siaran.clock import FixedClock, parse_instant
    from siaran.inbox.hours import OfficeHours, with_opening

    app = App.open(project, FixedClock(at=parse_instant("2026-11-27T13:00:00+08:00")), {})  # Friday, closed at 11
    hours = OfficeHours.of(app.project, load_autoreply(project, []))
    now = app.now()
    assert not hours.is_open(now)
    opens = hours.next_open(now)
    assert opens.isoformat() == "2026-11-30T08:00:00+08:00"  # Monday: the weekend is closed
    assert with_opening("Kami balas {buka}.", opens, now) == "Kami balas Senin, 30 November pukul 08.00 WITA."
    assert with_opening("Di luar jam kerja.", opens, now).endswith("mulai Senin, 30 November pukul 08.00 WITA.")
    christmas = parse_instant("2026-12-24T20:00:00+08:00")  # Thursday evening; Friday is Christmas Day
    assert hours.next_open(christmas).isoformat() == "2026-12-28T08:00:00+08:00"
