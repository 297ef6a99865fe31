"""Caption rules in `siaran check`: <= 2,200 characters, <= 30 hashtags, <= 20 mentions."""

from __future__ import annotations

from siaran.channels.instagram_caption import problems, stats

NOW = {"SIARAN_NOW": "2026-11-23T10:00:00+08:00"}


def test_counts_ignore_email_addresses_and_mid_word_signs():
    s = stats("Tanya ke kelurahan.sri@balikpapan.example.id atau @kel.sungairapakindah #Info #Info2 a#b C# x")
    assert (s.hashtags, s.mentions) == (2, 1)
    assert problems("#a " * 30 + "@b " * 20 + "x" * 10) == []
    assert len(problems("#a " * 31 + "@b " * 21 + "x" * 2200)) == 3


def test_a_long_caption_is_shortened_with_a_check_warning_and_mentions_stay_an_error(run, project):
    tags = " ".join(f"#Tagar{i}" for i in range(31))
    mentions = " ".join(f"@warga{i}" for i in range(21))
    long_body = "\n".join(["Kalimat yang sangat panjang sekali. " * 6] * 12) + f"\n\n{tags}\n"
    (project / "content/announcements/panjang.md").write_text(
        "---\ntitle: Pengumuman panjang\nchannels: [instagram]\n---\n" + long_body, encoding="utf-8"
    )
    (project / "content/announcements/hanya-wa.md").write_text(
        "---\ntitle: Hanya WhatsApp\nchannels: [whatsapp]\nlists: [warga-rt01]\n---\n" + f"{tags}\n",
        encoding="utf-8",
    )
    res = run("check", env=NOW)
    assert res.exit_code == 0, res.all  # a warning, never a project-wide error
    lines = [line.strip() for line in res.stderr.splitlines() if "panjang.md" in line]
    assert len(lines) == 2 and all(
        line.startswith("warning: content/announcements/panjang.md: [caption]") for line in lines
    )
    assert any("the limit is 2200; it is shortened to" in line for line in lines)
    assert any("34 hashtags; the limit is 30" in line for line in lines)  # + the office's 3 tags
    assert "hanya-wa.md" not in res.stderr  # WhatsApp has no such rule

    send = run("send", "announcements/panjang", "--now", env=NOW)
    assert send.exit_code == 0, send.all
    [caption] = (project / "outbox-rehearsal/instagram").glob("*panjang*/*/caption.txt")
    text = caption.read_text()
    assert len(text) <= 2200 and stats(text).hashtags <= 30
    assert text.rstrip().endswith("(selengkapnya di gambar/slide)")
    assert text.startswith("Pengumuman panjang") or "Kalimat yang sangat panjang" in text

    (project / "content/announcements/sebut.md").write_text(
        "---\ntitle: Banyak sebutan\nchannels: [instagram]\n---\n" + f"{mentions}\n", encoding="utf-8"
    )
    res = run("check", env=NOW)
    assert res.exit_code == 1 and "sebut.md: [caption] Instagram caption has 21 @mentions" in res.stderr
