"""The operator's page over HTTP (uvicorn on 127.0.0.1): this week, history, problems, hand-offs,
confinement of images, read-only, no token; the WhatsApp formatting; `siaran preview --html`."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
import sqlite_utils

from pagehelp import JADWAL, NOW, UNREGISTERED, PageServer, make_history
from siaran.reasons import dump, reason, span
from siaran.render.markup import to_html


@pytest.fixture
def served(run, project):
    make_history(run, project)
    with PageServer(project) as server:
        yield server


def get(server: PageServer, path: str, **kw) -> httpx.Response:
    return httpx.get(server.url + path, timeout=30, **kw)


# ── WhatsApp formatting ───────────────────────────────────────────────────────


def test_whatsapp_formatting_escapes_first_then_formats():
    html = to_html("Halo *Bu <b>Ani</b>* & _semua_ ~lama~ ```x *y*``` 2*3*4 `kode`")
    assert "<strong>Bu &lt;b&gt;Ani&lt;/b&gt;</strong>" in html
    assert "&amp;" in html and "<em>semua</em>" in html and "<s>lama</s>" in html
    assert "<code class='mono'>x *y*</code>" in html  # nothing inside monospace is formatted
    assert "2*3*4" in html and "<code>kode</code>" in html


def test_whatsapp_lists_quotes_and_links():
    html = to_html("Kegiatan:\n- satu\n- dua\n1. a\n2. b\n> kutipan\nBuka https://desa.id/a_b_c.")
    assert "<ul><li>satu</li><li>dua</li></ul>" in html
    assert "<ol><li value='1'>a</li><li value='2'>b</li></ol>" in html
    assert "<blockquote>kutipan</blockquote>" in html
    link = "<a href='https://desa.id/a_b_c' rel='noopener noreferrer' target='_blank'>https://desa.id/a_b_c</a>."
    assert link in html


def test_a_link_cannot_break_out_of_its_attribute():
    html = to_html("https://x.id/'onmouseover='alert(1)")
    assert "'onmouseover" not in html and "&#39;onmouseover" in html


# ── pages ────────────────────────────────────────────────────────────────────


def test_this_week_shows_past_states_and_what_comes(served, monkeypatch):
    monkeypatch.setenv("SIARAN_LANG", "id")  # the operator's page as an Indonesian office sees it
    page = get(served, "/").text
    ahead, past = page.split("7 hari terakhir")
    assert "akan dikirim" in ahead and "Rabu, 25 November 2026" in ahead
    assert "/pratinjau/sop/ktp-el" in ahead  # the series continues after last week's SOP
    assert "terkirim" in past and "/pratinjau/" + JADWAL in past and "Senin, 23 November 2026" in past
    assert "(WITA)" in page
    assert 'href="/pratinjau/announcements/posyandu"' in past  # every post can be previewed


def test_the_page_follows_the_language_and_shows_stored_reasons_in_it(served, monkeypatch):
    """Indonesian by default, English with SIARAN_LANG=en, read at each request: the page's texts,
    dates, states, and the reasons history keeps as data."""
    db = sqlite_utils.Database(served.project / "siaran-rehearsal.db")
    missed = reason("schedule.missed_grace", late=span(3 * 1440 + 60), grace=span(2 * 1440))
    skipped = str(missed)  # "missed by 3 d 1 h, more than its grace of 2 d"
    sop = "sop/kartu-keluarga"
    db.execute("update occurrences set status = 'skipped', reason = ? where post = ?", [dump(missed), sop])
    db.execute("update deliveries set error = ? where status = 'failed'", [dump(reason("delivery.opted_out"))])
    db.conn.commit()
    monkeypatch.setenv("SIARAN_LANG", "id")
    week, sent = get(served, "/").text, get(served, "/riwayat").text
    assert '<html lang="id">' in week and "<h1>7 hari ke depan</h1>" in week and ">Riwayat</a>" in week
    assert "Senin, 23 November 2026" in week and "<th>Waktu (WITA)</th>" in week and "akan dikirim" in week
    assert "dilewati" in week and "terlambat 3 hari 1 jam, melewati batas tenggangnya 2 hari" in week
    assert "<h1>Riwayat 30 hari terakhir</h1>" in sent and "<b>1</b> belum pasti" in sent
    assert "<b>2</b> gagal: berhenti berlangganan" in sent
    assert "error=%7B%22code%22%3A%22delivery.opted_out%22" in sent  # the link names the reason as history keeps it
    assert "Halaman ini tidak ada." in get(served, "/tidak-ada").text
    monkeypatch.setenv("SIARAN_LANG", "en")
    week, sent = get(served, "/").text, get(served, "/riwayat").text
    assert '<html lang="en">' in week and "<h1>The next 7 days</h1>" in week and ">History</a>" in week
    assert "Monday, 23 November 2026" in week and "<th>Time (WITA)</th>" in week and "will be sent" in week
    assert f'skipped</span><div class="reason">{skipped}</div>' in week
    assert "<h1>History of the last 30 days</h1>" in sent and "<b>2</b> failed: opted out" in sent
    assert "There is no such page." in get(served, "/tidak-ada").text
    for page in (week, sent, get(served, "/masalah").text, get(served, "/instagram").text):
        text = re.sub(r"<textarea.*?</textarea>", "", page, flags=re.DOTALL)  # a caption is content
        words = set(" ".join(re.findall(r">([^<]+)<", text)).split())
        assert not words & {"Riwayat", "Masalah", "Minggu", "dikirim", "terkirim", "hari", "Tidak", "Belum"}, words


def test_history_puts_failures_first_with_reasons_and_names(served):
    page = get(served, "/riwayat").text
    first = page.index("has-bad")
    assert first < page.index("sop/kartu-keluarga")  # the occurrence with failures comes first
    assert "<b>2</b> failed<" in page and "<b>1</b> uncertain" in page
    again = get(served, "/riwayat").text  # counts kept while history is unchanged ...
    assert "<b>2</b> failed<" in again
    db = sqlite_utils.Database(served.project / "siaran-rehearsal.db")  # ... and counted anew when it changes
    db.execute("update deliveries set status = 'failed', error = ? where status = 'uncertain'", [UNREGISTERED])
    db.conn.commit()
    page = get(served, "/riwayat").text
    assert "<b>3</b> failed<" in page and "uncertain" not in page
    assert "nomor tidak terdaftar di WhatsApp" in page and "131026" in page
    assert "Instagram: sent" in page
    occ = "pengumuman-mingguan@2026-11-23T07:30"
    detail = get(
        served,
        "/riwayat/rincian",
        params={"post": JADWAL, "occ": occ, "status": "failed", "error": "nomor tidak terdaftar di WhatsApp"},
    ).text
    assert detail.count("<tr><td>") == 3 and "+62" in detail
    assert "Pak" in detail or "Bu" in detail  # names as the lists had them when sent


def test_problems_by_file_and_line_and_the_page_follows_edits(served, project):
    assert "No problems" in get(served, "/masalah").text
    schedule = project / "schedules" / "pengumuman-mingguan.yaml"
    schedule.write_text(schedule.read_text().replace("post: announcements/jadwal-pelayanan", "post: tidak/ada"))
    page = get(served, "/masalah").text
    assert "schedules/pengumuman-mingguan.yaml" in page and "line 4" in page and "tidak/ada" in page
    assert "No alerts" in page
    assert "content has problems; the schedules cannot be read" in get(served, "/").text
    assert '<b class="badge">1</b>' in get(served, "/riwayat").text
    (project / "siaran.toml").write_text("[whatsapp]\nmps = 'cepat'\n")  # settings broken while serving
    assert "whatsapp.mps must be a number" in get(served, "/masalah").text
    assert get(served, "/riwayat").status_code == 200


def test_images_only_from_media_outbox_and_content(served, project, tmp_path):
    media = sorted((project / "media").glob("*.jpg"))[0]
    ok = get(served, "/gambar/media/" + media.name)
    assert ok.status_code == 200 and ok.headers["content-type"] == "image/jpeg"
    secret = tmp_path / "rahasia.jpg"
    secret.write_bytes(media.read_bytes())
    os.symlink(secret, project / "media" / "keluar.jpg")
    (project / ".env").write_text("SIARAN_WHATSAPP_TOKEN=abcdefgh\n")
    for path in ("/gambar/media/keluar.jpg", "/gambar/../rahasia.jpg", "/gambar/%2e%2e/rahasia.jpg",
                 "/gambar/.env", "/gambar/siaran.db", "/gambar/content/office.yaml"):  # fmt: skip
        assert get(served, path).status_code == 404, path


def test_read_only_and_never_shows_a_token(run, project):
    make_history(run, project)
    token = "EAAGsecret-token-123"
    (project / ".env").write_text(f"SIARAN_WHATSAPP_TOKEN={token}\n")
    db = sqlite_utils.Database(project / "siaran-rehearsal.db")
    db.execute("update deliveries set error = ? where status = 'failed'", [f"provider said: bad token {token}"])
    db.conn.commit()
    with PageServer(project) as server:
        for path in ("/", "/riwayat", "/masalah", "/instagram", "/pratinjau/" + JADWAL):
            assert token not in get(server, path).text
        assert "bad token ***" in get(server, "/riwayat").text
        assert httpx.post(server.url + "/riwayat", timeout=30).status_code == 403  # no CSRF token: before routing


def test_preview_for_a_chosen_recipient(served):
    page = get(served, "/pratinjau/announcements/posyandu").text
    assert "<strong>Posyandu Melati</strong>" in page and 'class="slideno">1/' in page
    assert "#Posyandu" in page and "… more</span>" in page
    chosen = get(served, "/pratinjau/announcements/posyandu").text.split('<option value="')[2].split('"')[0]
    again = get(served, "/pratinjau/announcements/posyandu", params={"penerima": chosen}).text
    assert f'value="{chosen}" selected' in again
    assert get(served, "/pratinjau/tidak/ada").status_code == 404


def test_instagram_handoffs_with_images_and_copy_button(served):
    page = get(served, "/instagram").text
    assert "Copy caption" in page and "/gambar/media/" in page
    assert "#InfoLayanan" in page


def test_preview_html_writes_a_static_page_with_its_images(run, project, tmp_path):
    out = tmp_path / "bagikan"
    res = run("preview", "sop/kartu-keluarga", "--html", str(out), env={"SIARAN_NOW": NOW})
    assert res.exit_code == 0, res.all
    page = (out / "sop-kartu-keluarga.html").read_text(encoding="utf-8")
    images = sorted(p.name for p in out.glob("*.jpg"))
    assert images and all(f'src="{name}"' in page for name in images)
    assert "<strong>Persyaratan:</strong>" in page and "<style>" in page and "/static/" not in page
    assert Path(out / images[0]).stat().st_size > 10_000


def test_siaran_serve_puts_the_page_on_127_0_0_1_only(project):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIARAN_")} | {
        "SIARAN_NOW": NOW,
        "SIARAN_LANG": "id",
        "SIARAN_SERVER_PAGE_PORT": str(port),
        "SIARAN_SERVER_WEBHOOK_HOST": "0.0.0.0",  # the webhook listener may face a tunnel; the page never
        "SIARAN_SERVER_WEBHOOK_PORT": "0",
    }
    cmd = [sys.executable, "-m", "siaran", "--project", str(project), "serve"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=30)
                break
            except httpx.ConnectError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read()
                time.sleep(0.2)
        assert page.status_code == 200 and "7 hari ke depan" in page.text
        listening = [c.laddr for c in psutil.Process(proc.pid).net_connections() if c.status == "LISTEN"]
        assert [a.ip for a in listening if a.port == port] == ["127.0.0.1"]
        assert any(a.ip == "0.0.0.0" for a in listening)  # the webhook listener, for contrast
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_alerts_show_when_what_and_whether_they_reached_the_operator(served, project):
    from siaran.clock import parse_instant
    from siaran.history import alerts as recorded

    db = sqlite_utils.Database(project / "siaran-rehearsal.db")
    when = parse_instant("2026-11-23T07:45:00+08:00")
    assert recorded.claim(db, "held:x", "2026-11-23", "siaran: announcements/x TERTAHAN", when)
    recorded.delivered(db, "held:x", "2026-11-23", "", False, reason("alert.no_target"))
    db.conn.commit()
    db.conn.close()
    page = get(served, "/masalah").text
    assert ">When</th><th>Alert</th>" in page
    assert "2026-11-23 07:45" in page  # office time (WITA), not the stored UTC
    assert "siaran: announcements/x TERTAHAN" in page and "no: no alert target: set alerts.urls" in page
    assert "<th>problem</th>" not in page  # no raw column names


def test_problems_whatsapp_reported_show_code_and_metas_words(served, project):
    from siaran.clock import parse_instant
    from siaran.history import problems
    from siaran.server.events import ProviderProblem

    db = sqlite_utils.Database(project / "siaran-rehearsal.db")
    found = [ProviderProblem("cloud", "value", "130429", "Rate limit hit", "Cloud API message throughput has been "
                             "reached.", at="2026-11-23T00:30:00+00:00")]  # fmt: skip
    problems.record(db, found, parse_instant("2026-11-23T08:31:00+08:00"))
    db.conn.commit()
    db.conn.close()
    page = get(served, "/masalah").text
    assert "Reported by WhatsApp" in page and "130429" in page
    assert "Rate limit hit: Cloud API message throughput has been reached." in page
    assert "2026-11-23 08:30" in page  # office time (WITA)
