"""The page's Kotak masuk in real Chromium: the conversation a signed webhook brought in, read-only by
default; with `serve --balas` a reply confirmed on its own page goes through the fake Cloud API, and the
conversation is closed from the page."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from fakes import meta_webhooks as meta
from siaran.app import App
from siaran.clock import clock_from_env
from siaran.server import start_in_thread
from test_page_browser import ARGS, CHROMIUM
from test_webhooks import BUDI, db, settings_env

NOW = "2026-11-23T20:00:00+08:00"  # Monday evening: the office is closed
QUESTION = "Pak, apakah KTP-el saya sudah jadi? Saya ambil kapan ya?"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")


class Served:
    def __init__(self, project: Path, env: dict[str, str], replies: bool):
        self.app = App.open(project, clock_from_env(env), env)
        self.running = start_in_thread(self.app, replies=replies)
        self.webhook = f"http://127.0.0.1:{self.running.ports['webhook']}/webhook/whatsapp"
        self.url = f"http://127.0.0.1:{self.running.ports['page']}"

    def question(self) -> None:
        at = int(datetime.fromisoformat(NOW).timestamp())
        with httpx.Client(timeout=10) as http:
            question = meta.text_message(BUDI, QUESTION, "wamid.q", timestamp=at)
            assert meta.post_cloud(http, self.webhook, question).is_success
        self.running.inbox.drain()
        self.running.replier.drain()

    def close(self) -> None:
        self.running.stop.set()
        self.running.thread.join(10)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("PAGE_SCREENSHOTS") or tmp_path)


@pytest.fixture
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def test_the_inbox_is_read_only_by_default(project, cloud, chromium, shots, monkeypatch):
    monkeypatch.setenv("SIARAN_LANG", "id")
    served = Served(project, settings_env(cloud, now=NOW), replies=False)
    try:
        served.question()
        page = chromium.new_page(viewport={"width": 1100, "height": 800})
        page.goto(served.url + "/")
        assert page.locator("nav a[href='/kotak-masuk'] .badge").inner_text() == "1"  # the header's count
        page.click("nav >> text=Kotak masuk")
        row = page.locator("table.inbox tbody tr")
        assert row.count() == 1
        assert "Budi Santoso" in row.inner_text() and "+6281234567801" in row.inner_text()
        assert "di luar jam kerja" in row.inner_text() and "2026-11-23 20:00" in row.inner_text()
        page.screenshot(path=str(shots / "page-kotak-masuk.png"), full_page=True)
        row.locator("a").first.click()
        page.wait_for_url("**/kotak-masuk/6281234567801")
        messages = page.locator(".thread .msg")
        assert messages.nth(0).locator(".wa-text").inner_text() == QUESTION
        assert "besok pukul 08.00 WITA" in messages.nth(1).inner_text()  # the away message says when
        assert page.locator("form").count() == 0 and "siaran serve --balas" in page.content()
        page.screenshot(path=str(shots / "page-percakapan.png"), full_page=True)
        posted = httpx.post(served.url + "/kotak-masuk/6281234567801/kirim", data={"teks": "x", "nonce": "n"})
        assert posted.status_code in (403, 400)  # nothing on the page sends while it is read-only
    finally:
        served.close()
    assert not db(project)["inbox_replies"].count


def test_replying_from_the_page_confirms_then_sends_then_closes(project, cloud, chromium, shots, monkeypatch):
    pytest.importorskip("siaran.server.guard", reason="the page's CSRF token (h23's guard) is not on this branch")
    monkeypatch.setenv("SIARAN_LANG", "id")
    morning = "2026-11-24T08:10:00+08:00"  # the office answers the next morning, inside the 24-hour window
    served = Served(project, settings_env(cloud, now=NOW), replies=False)
    try:
        served.question()
    finally:
        served.close()
    for name, value in settings_env(cloud, now=morning).items():  # the page reads the settings itself
        monkeypatch.setenv(name, value)
    served = Served(project, settings_env(cloud, now=morning), replies=True)
    answer = "Selamat pagi Pak Budi. KTP-el Bapak sudah jadi, silakan ambil di loket 2 *hari ini*."
    try:
        page = chromium.new_page(viewport={"width": 1100, "height": 900})
        page.goto(served.url + "/kotak-masuk/6281234567801")
        page.fill("textarea#teks", answer)
        page.click("text=Periksa sebelum dikirim")
        assert page.locator("h1").inner_text() == "Kirim balasan ini?"
        assert not _office_bodies(cloud)  # nothing goes before the confirmation
        page.screenshot(path=str(shots / "page-balas.png"), full_page=True)
        page.click("#kirim")
        page.wait_for_url("**/kotak-masuk/6281234567801?terkirim=1")
        assert page.locator(".ok-note").inner_text() == "Balasan terkirim."
        assert page.locator(".msg.office .wa-text").inner_text() == answer.replace("*", "")
        assert page.locator(".msg.office .meta").inner_text() == "terkirim"
        page.go_back()  # the confirmation page again: sending its form twice is still one reply
        page.click("#kirim")
        page.wait_for_url("**/kotak-masuk/6281234567801?terkirim=1")
        assert len(_office_bodies(cloud)) == 1 and _office_bodies(cloud)[0]["text"]["body"] == answer
        page.screenshot(path=str(shots / "page-percakapan-dibalas.png"), full_page=True)
        page.click("text=Tandai selesai")
        page.wait_for_url("**/kotak-masuk")
        assert "Tidak ada warga yang menunggu jawaban." in page.locator("main").inner_text()
        assert page.locator("nav a[href='/kotak-masuk'] .badge").count() == 0
        forged = httpx.post(served.url + "/kotak-masuk/6281234567801/kirim", data={"teks": "x", "nonce": "n2"})
        assert forged.status_code == 403  # no CSRF token: refused before the route runs
    finally:
        served.close()
    rows = list(db(project)["deliveries"].rows_where("post = 'autoreply/petugas'"))
    assert [(r["status"], r["recipient"]) for r in rows] == [("sent", "+" + BUDI)]
    assert db(project)["contacts"].get(BUDI)["state"] == "selesai"


def _office_bodies(cloud) -> list[dict]:
    return [b for b in cloud.bodies if b["to"] == BUDI and b.get("type") == "text"]
