"""Announcement cards (title, date, time, place, a short text) for posts with ``card: true`` (greeting
cards are in ``greeting.py``)."""

from __future__ import annotations

from ..content.model import Office, Post
from .context import tanggal
from .flow import Block, Colours, Page, fit_pages, flow
from .fonts import FontSet
from .frame import assemble, footer, header, hint_height
from .layout import CARD_SCALES, MARGIN, WIDTH, Shape, Slide
from .markup import paragraphs, to_plain
from .palette import Palette
from .poster import contact_lines

INFO_ROLES = ("info", "label")
PANEL_PAD = 24  # design pixels between the info panel's edge and its text


def announcement_slides(office: Office, post: Post, text: str, fonts: FontSet) -> list[Slide]:
    """Office band on top; then, centred, the title, the when and where in a soft panel, and the
    short text; contact details in the footer band."""
    palette = Palette.from_brand(office.brand)
    top, _ = header(office, palette, fonts, kicker="Pengumuman", title="")
    bottom = footer(palette, fonts, contact_lines(office, palette))
    blocks = [Block("title", post.title), Block("rule")]
    event = post.event
    info = [
        Block("info", value, label=label, inset=PANEL_PAD)
        for value, label in (
            (tanggal(event.date) if event.date else "", "Hari, tanggal"),
            (event.time, "Waktu"),
            (event.place, "Tempat"),
        )
        if value
    ]
    if info:
        blocks += [Block("space", str(PANEL_PAD)), *info, Block("space", str(PANEL_PAD + 30))]
    blocks += [Block("para", p) for p in paragraphs(to_plain(text))]
    colours = Colours.on_background(palette)
    y = top.bottom + 40
    width = WIDTH - 2 * MARGIN
    height = bottom.top - 32 - y
    scale, pages = fit_pages(lambda s: flow(blocks, fonts, colours, s, width, height, base=32), CARD_SCALES)
    if len(pages) > 1:
        scale, pages = fit_pages(lambda s: flow(blocks, fonts, colours, s, width, height - hint_height(), base=32))
    for page in pages:
        _panel(page, width, round(PANEL_PAD * scale), palette.tint)
    frames = [([top, bottom], (MARGIN, y, width, height))]
    return assemble(palette.background, frames, pages, palette, fonts, valign="center")


def _panel(page: Page, width: int, pad: int, colour: str) -> None:
    """A soft rounded panel behind the page's date/time/place rows."""
    rows = [t for t in page.texts if t.role in INFO_ROLES]
    if not rows:
        return
    y0 = max(0, min(t.y for t in rows) - pad)
    y1 = max(t.bottom for t in rows) + pad
    page.shapes.insert(0, Shape("rect", 0, y0, width, y1 - y0, colour, radius=20))
