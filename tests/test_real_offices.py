"""Content that fits real offices: step details, no invented fee, hours per day, several numbers,
holiday greetings that count years, monthly schedules, Indonesian cron, clean captions, history."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from siaran.checks import load_project
from siaran.render.poster import qr_target

NOW = "2026-11-23T09:00:00+08:00"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_steps_with_time_and_officer_and_no_fee_unless_given(run, project):
    sop = project / "content/sop/kartu-keluarga.yaml"
    _replace(sop, "  - Minta surat pengantar dari Ketua RT dan RW\n",
             "  - langkah: Verifikasi berkas\n    waktu: Hari ke-2\n    petugas: Ketua RT\n")  # fmt: skip
    _replace(sop, "cost: Gratis\n", "")
    res = run("preview", "sop/kartu-keluarga", "--channel", "whatsapp")
    assert res.exit_code == 0, res.all
    assert "1. Hari ke-2: Verifikasi berkas (Ketua RT)" in res.output
    assert "Biaya" not in res.output
    caption = run("preview", "sop/kartu-keluarga", "--channel", "instagram").output
    assert "Biaya" not in caption


def test_hours_per_day_several_numbers_and_a_contact_per_sop(run, project):
    office = project / "content/office.yaml"
    _replace(office, "hours: Senin–Kamis 08.00–15.30, Jumat 08.00–11.00 WITA",
             'hours:\n  senin-kamis: "08.00-15.30"\n  jumat: "08.00-11.00"\n  sabtu: tutup')  # fmt: skip
    _replace(office, 'whatsapp: "0811-5400-2727"',
             'whatsapp:\n  Pelayanan: "0811-5400-2727"\n  Pengaduan: "0812-3456-7899"')  # fmt: skip
    sop = project / "content/sop/surat-keterangan-domisili.yaml"
    sop.write_text(sop.read_text(encoding="utf-8") + "contact: Pengaduan\n", encoding="utf-8")
    project_ = load_project(project, datetime.fromisoformat(NOW))
    o = project_.office
    assert o.hours == "Senin–Kamis 08.00–15.30, Jumat 08.00–11.00 WITA"
    assert o.is_open(datetime.fromisoformat("2026-11-27T10:00:00+08:00")) is True  # Friday 10.00
    assert o.is_open(datetime.fromisoformat("2026-11-27T13:00:00+08:00")) is False
    assert [c.label for c in o.contacts] == ["Pelayanan", "Pengaduan"] and o.whatsapp == "+6281154002727"
    post = project_.posts["sop/surat-keterangan-domisili"]
    if post.sop.qr == "whatsapp":
        assert qr_target(o, post.sop).startswith("https://wa.me/6281234567899")
    assert post.sop.contact == "+6281234567899"
    _replace(sop, "contact: Pengaduan", "contact: Pengaduab")
    res = run("check")
    assert "no WhatsApp number labelled 'Pengaduab' in content/office.yaml (did you mean 'Pengaduan'?)" in res.stderr


def test_the_string_form_of_hours_is_understood_too(project):
    o = load_project(project, datetime.fromisoformat(NOW)).office
    assert o.hours == "Senin–Kamis 08.00–15.30, Jumat 08.00–11.00 WITA"
    assert o.is_open(datetime.fromisoformat("2026-11-23T15:00:00+08:00")) is True  # Monday
    assert o.is_open(datetime.fromisoformat("2026-11-28T09:00:00+08:00")) is False  # Saturday


def test_a_greeting_knows_its_date_weekday_and_anniversary(run, project):
    res = run(
        "preview", "greetings/kemerdekaan", "--channel", "whatsapp", env={"SIARAN_NOW": "2026-08-10T09:00:00+08:00"}
    )
    assert res.exit_code == 0, res.all
    assert "Dirgahayu ke-81 Republik Indonesia!" in res.output and "Senin, 17 Agustus 2026" in res.output


def test_monthly_schedules_and_indonesian_days_in_cron(run, project):
    (project / "schedules/posyandu.yaml").write_text(
        'monthly: {days: ["selasa kedua", 20], time: "08:00"}\npost: announcements/posyandu\n', encoding="utf-8"
    )
    _replace(project / "schedules/pengumuman-mingguan.yaml", 'weekly: {days: [senin], time: "07:30"}',
             'cron: "30 7 * * senin-jumat"')  # fmt: skip
    res = run("schedule", "--days", "60", env={"SIARAN_NOW": NOW})
    assert res.exit_code == 0, res.all
    lines = res.output.splitlines()
    posyandu = [line[:10] for line in lines if " posyandu " in line]
    assert posyandu == ["2026-12-08", "2026-12-20", "2027-01-12", "2027-01-20"]
    weekday = {line[:14] for line in lines if "pengumuman-mingguan" in line}
    assert "2026-11-24 Tue" in weekday and not any(" Sat" in d or " Sun" in d for d in weekday)
    (project / "schedules/posyandu.yaml").write_text(
        'monthly: {days: ["selasa kedelapan"], time: "08:00"}\npost: announcements/posyandu\n', encoding="utf-8"
    )
    assert "is not a day of the month like" in run("check").stderr


def test_instagram_captions_drop_whatsapp_markup(run, project):
    caption = run("preview", "announcements/posyandu", "--channel", "instagram").output
    assert "Posyandu Melati" in caption and "*Posyandu Melati*" not in caption and "*buku KIA*" not in caption


def test_history_groups_per_occurrence_and_lists_people_per_post(run, project):
    assert run("send", "announcements/posyandu", "--now", "--channel", "whatsapp").exit_code == 0
    res = run("history")
    assert res.exit_code == 0
    (line,) = res.output.splitlines()
    assert "announcements/posyandu  [manual]  whatsapp: sent" in line and ("WITA" in line)
    res = run("history", "--post", "announcements/posyandu")
    assert "Budi Santoso" in res.output and "warga-rt01" in res.output and "+6281234567801" in res.output
    json_out = run("history", "--json").output
    assert '"sent_at": "20' in json_out and "+00:00" in json_out
    run("optout", "add", "0812-3456-7801")
    assert "WITA" in run("optout", "list").output


def test_a_number_shared_by_two_names_greets_both(run, project):
    (project / "content/lists/warga-rt01.csv").write_text(
        "nama,nomor\nBudi Santoso,0812-3456-7801\nSiti Aminah,+62 812 3456 7801\n", encoding="utf-8"
    )
    text = run("preview", "announcements/posyandu", "--channel", "whatsapp").output
    assert "Yth. Bapak/Ibu Budi Santoso dan Siti Aminah," in text
