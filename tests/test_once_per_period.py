"""Issue 24, end to end through the CLI on the sample pack: one post reaches one person once per
schedule period (manual sends included, and the other way round), the outbox keeps every delivery's
own file, and an announcement is not sent after its event."""

from __future__ import annotations

from pathlib import Path

from conftest import history
from siaran.reasons import say

WEEKLY = "pengumuman-mingguan"
POST = "announcements/jadwal-pelayanan"


def at(when: str) -> dict[str, str]:
    return {"SIARAN_NOW": f"{when}+08:00"}  # the sample office is in WITA


def rows(project: Path, **where) -> list[dict]:
    found = history(project)["deliveries"].rows
    return [r for r in found if all(r[k] == v for k, v in where.items())]


def outbox_files(project: Path) -> list[str]:
    root = project / "outbox-rehearsal"
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.txt"))


def test_a_manual_send_makes_the_late_occurrence_skip_those_people(run, project):
    # Monday 30 Nov 2026: the PC was off at 07:30; the operator sends the post by hand at 08:20.
    sent = run("send", POST, "--now", env=at("2026-11-30T08:20"))
    assert sent.exit_code == 0, sent.all
    ahead = run("schedule", env=at("2026-11-30T08:22"))
    assert "(not sent: already sent by hand at 08.20)" in ahead.output.splitlines()[0]

    caught_up = run("run", "--once", env=at("2026-11-30T08:25"))
    assert caught_up.exit_code == 0, caught_up.all
    occurrence = f"{WEEKLY}@2026-11-30T07:30"
    skipped = rows(project, occurrence=occurrence)
    assert len(skipped) == 7  # six people and the office's Instagram
    assert {(r["status"], say(r["error"])) for r in skipped} == {("skipped", "already sent by hand at 08.20")}
    past = run("schedule", "--past", "1", env=at("2026-11-30T08:30"))
    assert "skipped (7): already sent by hand at 08.20" in past.output
    shown = run("schedule", "--past", "1", env={**at("2026-11-30T08:30"), "SIARAN_LANG": "id"})
    assert "sudah dikirim manual 08.20" in shown.output

    # One file per delivery that went out, in the manual send's own folder.
    files = outbox_files(project)
    assert len(files) == len(rows(project, status="sent")) == 7
    assert all("/manual-0820/" in f for f in files)

    # The next Monday is a new period: everyone gets it again from the schedule.
    week = run("run", "--once", env=at("2026-12-07T07:31"))
    assert week.exit_code == 0, week.all
    assert {r["status"] for r in rows(project, occurrence=f"{WEEKLY}@2026-12-07T07:30")} == {"sent"}
    assert len(outbox_files(project)) == 14


def test_a_manual_send_after_the_schedule_says_so_unless_again(run, project):
    assert run("run", "--once", env=at("2026-11-30T07:31")).exit_code == 0
    before = len(rows(project))
    again = run("send", POST, "--now", env=at("2026-11-30T08:20"))
    assert again.exit_code == 0, again.all
    assert "7 people already got announcements/jadwal-pelayanan today" in again.output
    assert f"already sent by {WEEKLY}@2026-11-30T07:30 at 07.31 (7)" in again.output
    assert "--again" in again.output
    assert len(rows(project)) == before  # nothing sent, nothing recorded

    dry = run("send", POST, "--dry-run", env=at("2026-11-30T08:21"))
    assert "7 people already got" in dry.output

    forced = run("send", POST, "--now", "--lagi", env=at("2026-11-30T08:22"))
    assert forced.exit_code == 0, forced.all
    assert "sent 7" in forced.output
    assert len(rows(project, status="sent")) == 14
    assert len(outbox_files(project)) == 14  # nothing overwritten: a folder per send
    # A second --again that day is the same send: nothing goes twice.
    twice = run("send", POST, "--now", "--again", env=at("2026-11-30T08:40"))
    assert "Nothing new" in twice.output and len(rows(project)) == before + 7


def test_an_announcement_is_not_sent_after_its_event(run, project):
    (project / "schedules/kerja-bakti-mingguan.yaml").write_text(
        'weekly: {days: [senin], time: "07:30"}\npost: announcements/kerja-bakti\nlists: [warga-rt01]\n'
    )
    check = run("check", env=at("2026-12-01T08:00"))
    assert check.exit_code == 0, check.all
    assert "schedules/kerja-bakti-mingguan.yaml:2: [post] announcements/kerja-bakti is about 2026-12-13" in check.all
    assert "(next: 2026-12-14 07:30)" in check.all

    on_time = run("run", "--once", env=at("2026-12-07T07:31"))
    assert on_time.exit_code == 0
    assert rows(project, post="announcements/kerja-bakti", status="sent")  # a week before: it goes

    ahead = run("schedule", env=at("2026-12-20T08:00"))
    [line] = [x for x in ahead.output.splitlines() if "kerja-bakti" in x and "2026-12-21" in x]
    assert "(not sent: the event is over (2026-12-13))" in line
    late = run("run", "--once", env=at("2026-12-21T07:31"))
    assert late.exit_code == 0, late.all
    assert "the event is over (2026-12-13)" in late.output
    assert not rows(project, post="announcements/kerja-bakti", occurrence="kerja-bakti-mingguan@2026-12-21T07:30")
    shown = run("schedule", "--past", "1", env={**at("2026-12-21T08:00"), "SIARAN_LANG": "id"})
    assert "acaranya sudah lewat (2026-12-13)" in shown.output


def test_until_ends_a_series_of_events(run, project):
    post = project / "content/announcements/kerja-bakti.md"
    post.write_text(post.read_text().replace("date: 2026-12-13\n", "date: 2026-12-13\nsampai: 2026-12-27\n"))
    (project / "schedules/kerja-bakti-mingguan.yaml").write_text(
        'weekly: {days: [senin], time: "07:30"}\npost: announcements/kerja-bakti\nlists: [warga-rt01]\n'
    )
    assert "(next: 2026-12-28 07:30)" in run("check", env=at("2026-12-01T08:00")).all
    assert run("run", "--once", env=at("2026-12-21T07:31")).exit_code == 0
    assert rows(project, occurrence="kerja-bakti-mingguan@2026-12-21T07:30", status="sent")
    post.write_text(post.read_text().replace("sampai: 2026-12-27", "sampai: 2026-12-01"))
    bad = run("check", env=at("2026-12-01T08:00"))
    assert bad.exit_code != 0 and "kerja-bakti.md:4: [sampai] 2026-12-01 is before the event's date" in bad.all


def test_instagram_always_gets_a_picture(run, project):
    post = project / "content/announcements/kerja-bakti.md"
    post.write_text(post.read_text().replace("card: true\n", ""))
    preview = run("preview", "announcements/kerja-bakti", env=at("2026-12-01T08:00"))
    assert preview.exit_code == 0, preview.all
    assert "announcements-kerja-bakti-" in preview.output  # the card made for it
    sent = run("send", "announcements/kerja-bakti", "--now", env=at("2026-12-01T08:00"))
    assert sent.exit_code == 0, sent.all
    [folder] = (project / "outbox-rehearsal/instagram/2026-12-01-announcements-kerja-bakti").iterdir()
    assert sorted(p.suffix for p in folder.iterdir()) == [".jpg", ".txt"]
    # WhatsApp still gets the text alone: the card is Instagram's picture.
    [folder] = (project / "outbox-rehearsal/whatsapp/2026-12-01-announcements-kerja-bakti").iterdir()
    assert {p.suffix for p in folder.iterdir()} == {".txt"}

    off = run("check", env={**at("2026-12-01T08:00"), "SIARAN_INSTAGRAM_AUTO_CARD": "false"})
    assert off.exit_code != 0
    assert "content/announcements/kerja-bakti.md:7: [channels] an Instagram post needs a picture" in off.all


def test_one_rule_for_a_number_on_several_rows_and_lists(run, project):
    rt01 = project / "content/lists/warga-rt01.csv"
    rt01.write_text(rt01.read_text() + "Agus Prasetyo,0812-9000-1111,02,03\nDewi Lestari,0812 9000 1111,02,03\n")
    kader = project / "content/lists/kader-posyandu.csv"
    kader.write_text(kader.read_text().replace("Siti Aminah,", "Bu Siti,"))
    check = run("check", env=at("2026-12-01T08:00"))
    assert check.exit_code == 0, check.all
    assert "content/lists/warga-rt01.csv:9: [nomor] this number is also on line 8" in check.all
    across = "content/lists/warga-rt01.csv:3: [nomor] this number is also on content/lists/kader-posyandu.csv:2"
    assert across in check.all
    assert "2 lists (10 numbers)" in check.output  # 12 rows: one number twice in a list, one on both

    dry = run("send", "announcements/posyandu", "--dry-run", "--channel", "whatsapp", env=at("2026-12-01T08:00"))
    assert "10 would be sent" in dry.output
    assert "2 rows of the lists have a number another row has too" in dry.output

    sent = run("send", "announcements/posyandu", "--now", "--channel", "whatsapp", env=at("2026-12-01T08:00"))
    assert sent.exit_code == 0, sent.all
    [folder] = (project / "outbox-rehearsal/whatsapp/2026-12-01-announcements-posyandu").iterdir()
    # The same rule across lists as within one: the first row's list (the post names warga-rt01 first).
    assert "Kepada: Siti Aminah dan Bu Siti <+6281355501122>" in (folder / "6281355501122.txt").read_text()
    assert "Kepada: Agus Prasetyo dan Dewi Lestari <+6281290001111>" in (folder / "6281290001111.txt").read_text()
    assert {r["list"] for r in rows(project, recipient="+6281355501122")} == {"warga-rt01"}


def test_the_page_marks_what_will_not_be_sent(run, project, monkeypatch):
    import httpx

    from pagehelp import PageServer

    (project / "schedules/kerja-bakti-mingguan.yaml").write_text(
        'weekly: {days: [senin], time: "07:30"}\npost: announcements/kerja-bakti\nlists: [warga-rt01]\n'
    )
    assert run("send", POST, "--now", env=at("2026-12-15T08:20")).exit_code == 0
    monkeypatch.setenv("SIARAN_LANG", "id")
    with PageServer(project, now="2026-12-15T09:00:00+08:00") as server:
        page = httpx.get(server.url + "/", timeout=30).text
    ahead = page.split("7 hari terakhir")[0]
    assert "tidak akan dikirim" in ahead and "acaranya sudah lewat (2026-12-13)" in ahead
    # Next Monday's jadwal: this week's period (the page opens no list, so it says how many).
    assert "7 dilewati: sudah dikirim manual 2026-12-15 08.20" in ahead
