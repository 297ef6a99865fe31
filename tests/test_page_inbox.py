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
