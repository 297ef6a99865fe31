"""The operator page in a real browser: Debian's headless Chromium driven by Playwright.

Screenshots go to a temporary folder; set PAGE_SCREENSHOTS=docs to refresh the README's pictures.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from pagehelp import JADWAL, NOW, PageServer, make_history
from siaran.app import App
from siaran.clock import FixedClock, parse_instant
from siaran.render.images import post_images

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
)


def add_photos(project: Path, post: str, n: int) -> None:
    """Give ``post`` the operator's own photos besides its card: a carousel of n + 1 slides."""
    folder = project / "content" / "foto"
    folder.mkdir()
    names = []
    for i in range(1, n + 1):
        image = Image.new("RGB", (1080, 1350), (40 * i, 110, 80))
        ImageDraw.Draw(image).text((80, 80), f"Foto {i}", fill="white", font_size=120)
        image.save(folder / f"foto-{i}.jpg", quality=80)
        names.append(f"foto/foto-{i}.jpg")
    source = project / "content" / f"{post}.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("card: true", f"card: true\nimage: [{', '.join(names)}]", 1), encoding="utf-8")


@pytest.fixture
def history(run, project) -> Path:
    add_photos(project, JADWAL, 2)
    make_history(run, project)  # before Playwright: its sync API keeps an event loop running
    return project


@pytest.fixture
def browser(history):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("PAGE_SCREENSHOTS") or tmp_path)


def test_week_then_preview_in_chromium(project, browser, shots, monkeypatch):
    monkeypatch.setenv("SIARAN_LANG", "id")  # the page as an Indonesian office sees it (and the README shows)
    app = App.open(project, FixedClock(at=parse_instant(NOW)), {})
    post = JADWAL  # next Monday's announcement: its card and two photos
    slides = len(post_images(app.project, app.project.post(post), app.media_dir))
    with PageServer(project) as server:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(server.url + "/")
        assert page.locator("h1").first.inner_text() == "7 hari ke depan"
        assert page.locator("html").get_attribute("lang") == "id"
        assert page.locator("tr.day td").first.inner_text() == "Rabu, 25 November 2026"
        assert page.locator(".state.ok").count() >= 2  # last week's SOP and this morning's announcement
        page.screenshot(path=str(shots / "page-minggu-ini.png"), full_page=True)

        page.locator(f"a[href='/pratinjau/{post}']").first.click()
        page.wait_for_url(f"**/pratinjau/{post}")
        page.wait_for_load_state("networkidle")
        bold = page.locator(".phone .wa-text strong")
        assert bold.count() >= 2 and "Senin–Kamis 08.00–15.30, Jumat 08.00–11.00 WITA" in bold.all_inner_texts()
        assert page.locator(".phone .wa-text").inner_text().count("*") == 0  # markers became formatting
        assert page.locator(".insta .slide").count() == slides == 3
        assert page.locator(".insta .slideno").first.inner_text() == f"1/{slides}"
        loaded = page.eval_on_selector_all(".insta .slide img", "els => els.map(e => e.naturalWidth)")
        assert all(w > 0 for w in loaded)  # the images really came from /gambar/
        strip = page.locator(".insta .strip")  # swipeable: wider than its window, snapping slide by slide
        assert strip.evaluate("e => e.scrollWidth > e.clientWidth")
        assert strip.evaluate("e => getComputedStyle(e).scrollSnapType").startswith("x")
        strip.evaluate("e => e.scrollTo({left: e.clientWidth * 2})")  # swipe to the last slide
        page.wait_for_function("() => document.querySelectorAll('.insta .dots i')[2].className === 'on'")
        strip.evaluate("e => e.scrollTo({left: 0})")
        page.wait_for_function("() => document.querySelectorAll('.insta .dots i')[0].className === 'on'")
        page.screenshot(path=str(shots / "page-preview.png"), full_page=True)

        page.click("nav >> text=Riwayat")
        first = page.locator("section.sent").first
        assert "has-bad" in first.get_attribute("class") and JADWAL in first.inner_text()
        first.locator(".reasons a").first.click()
        assert page.locator("table.people tbody tr").count() == 2
        page.go_back()
        page.screenshot(path=str(shots / "page-riwayat.png"), full_page=True)


def test_copy_caption_in_chromium(project, browser, shots, monkeypatch):
    monkeypatch.setenv("SIARAN_LANG", "id")
    with PageServer(project) as server:
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
        page = context.new_page()
        page.goto(server.url + "/instagram")
        button = page.locator("button.copy").first
        caption = page.locator(".handoff textarea").first.input_value()
        button.click()
        page.wait_for_function("() => document.querySelector('button.copy').textContent.startsWith('Tersalin')")
        assert page.evaluate("() => navigator.clipboard.readText()") == caption
        assert "#" in caption
        page.screenshot(path=str(shots / "page-instagram.png"), full_page=True)
        context.close()


def test_the_page_in_english_in_chromium(project, browser, shots):
    """SIARAN_LANG=en (as the tests run): the same page, its texts, dates and scripts in English."""
    with PageServer(project) as server:
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
        page = context.new_page()
        page.goto(server.url + "/")
        assert page.locator("h1").all_inner_texts() == ["The next 7 days", "The last 7 days", "All posts"]
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("tr.day td").first.inner_text() == "Wednesday, 25 November 2026"
        assert page.locator("nav").inner_text().split() == ["This", "week", "History", "Problems", "Instagram", "Inbox"]
        page.screenshot(path=str(shots / "page-this-week-en.png"), full_page=True)
        page.click("nav >> text=History")
        assert page.locator("h1").first.inner_text() == "History of the last 30 days"
        page.screenshot(path=str(shots / "page-history-en.png"), full_page=True)
        page.goto(server.url + "/instagram")
        page.locator("button.copy").first.click()
        page.wait_for_function("() => document.querySelector('button.copy').textContent === 'Copied ✓'")
        context.close()
