"""Caption rules in `siaran check`: <= 2,200 characters, <= 30 hashtags, <= 20 mentions."""

from __future__ import annotations

from siaran.channels.instagram_caption import problems, stats

NOW = {"SIARAN_NOW": "2026-11-23T10:00:00+08:00"}


def test_counts_ignore_email_addresses_and_mid_word_signs():
    s = stats("Tanya ke kelurahan.sri@balikpapan.example.id atau @kel.sungairapakindah #Info #Info2 a#b C# x")
    assert (s.hashtags, s.mentions) == (2, 1)
    assert problems("#a " * 30 + "@b " * 20 + "x" * 10) == []
    assert len(problems("#a " * 31 + "@b " * 21 + "x" * 2200)) == 3


def test_check_reports_each_caption_problem_with_the_post_file(run, project):
    tags = " ".join(f"#Tagar{i}" for i in range(31))
    mentions = " ".join(f"@warga{i}" for i in range(21))
    (project / "content/announcements/panjang.md").write_text(
        "---\ntitle: Pengumuman panjang\nchannels: [instagram]\n---\n"
        + ("Kalimat yang sangat panjang sekali. " * 70)
        + f"\n\n{tags}\n\n{mentions}\n",
        encoding="utf-8",
    )
    (project / "content/announcements/hanya-wa.md").write_text(
        "---\ntitle: Hanya WhatsApp\nchannels: [whatsapp]\nlists: [warga-rt01]\n---\n" + f"{tags}\n",
        encoding="utf-8",
    )
    res = run("check", env=NOW)
    assert res.exit_code == 1
    lines = [line.strip() for line in res.stderr.splitlines() if "panjang.md" in line]
    assert len(lines) == 3
    assert all(line.startswith("content/announcements/panjang.md: [caption] Instagram caption") for line in lines)
    assert any("the limit is 2200" in line for line in lines)
    assert any("34 hashtags; the limit is 30" in line for line in lines)  # + the office's 3 tags
    assert any("21 @mentions; the limit is 20" in line for line in lines)
    assert "hanya-wa.md" not in res.stderr  # WhatsApp has no such rule

    send = run("send", "announcements/panjang", "--now", env=NOW)
    assert send.exit_code == 1 and not (project / "outbox-rehearsal").exists()
