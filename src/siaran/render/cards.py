"""Greeting cards (one per holiday, in the greeting's theme colour) and announcement cards
(title, date, time, place, a short text) for posts with ``card: true``."""

from __future__ import annotations

import re

from ..content.model import Office, Post
from .fonts import FontSet
from .frame import Part, accent_on, assemble, footer, header, hint_height, office_row, soft
from .layout import CARD_SCALES, HEIGHT, MARGIN, WIDTH, Block, Colours, Page, Shape, Slide, fit_pages, flow, text_box
from .palette import Palette, mix
from .poster import contact_lines
from .text import tanggal

_EMPHASIS = re.compile(r"(?<![\w*_~])([*_~])(?=\S)(.+?)(?<=\S)\1(?![\w*_~])")
_BULLET = re.compile(r"^\s*[-*•]\s+", re.MULTILINE)


def strip_markup(text: str) -> str:
    """WhatsApp formatting (*bold*, _italic_, ~strike~, ```mono```, "- " lists) as plain text."""
    text = text.replace("```", "")
    text = _BULLET.sub("• ", text)
    for _ in range(3):  # nested emphasis: *_both_*
        text = _EMPHASIS.sub(r"\2", text)
    return text.strip()


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def greeting_slides(office: Office, post: Post, text: str, fonts: FontSet) -> list[Slide]:
    palette = Palette.from_brand(office.brand, post.theme)
    bg = palette.primary
    on = palette.on_primary
    deco = [
        Shape("ellipse", -260, -300, 760, 760, mix(bg, on, 0.07)),
        Shape("ellipse", WIDTH - 380, HEIGHT - 420, 720, 720, mix(bg, "#000000", 0.12)),
        Shape("ellipse", WIDTH - 240, 120, 180, 180, mix(bg, on, 0.05)),
        Shape("frame", 28, 28, WIDTH - 56, HEIGHT - 56, radius=24, colour=mix(bg, on, 0.35)),
    ]
    top = office_row(office, palette, fonts, "", MARGIN + 8, centre=True)
    contact = "  ·  ".join(
        x for x in (f"@{office.instagram}" if office.instagram else "", office.whatsapp_display) if x
    )
    bottom = Part()
    if contact:
        box = text_box(contact, fonts, 24, MARGIN, 0, WIDTH - 2 * MARGIN, colour=soft(palette), align="center")
        bottom.texts.append(box.moved(dy=HEIGHT - MARGIN - box.h))
        bottom.top = HEIGHT - MARGIN - box.h
    else:
        bottom.top = HEIGHT - MARGIN
    accent = accent_on(bg, palette, on)
    colours = Colours(text=on, heading=on, marker=accent, on_marker=bg, muted=soft(palette), accent=accent)
    blocks = [Block("title", post.title, align="center"), Block("rule", align="center")]
    blocks += [Block("para", p, align="center") for p in paragraphs(strip_markup(text))]
    y = top.bottom + 40
    width = WIDTH - 2 * MARGIN
    height = bottom.top - 40 - y
    _, pages = fit_pages(lambda s: flow(blocks, fonts, colours, s, width, height, base=34), CARD_SCALES)
    if len(pages) > 1:
        _, pages = fit_pages(lambda s: flow(blocks, fonts, colours, s, width, height - hint_height(), base=34))
    frames = [([top, bottom], (MARGIN, y, width, height))]
    return assemble(bg, frames, pages, palette, fonts, valign="center", hint_colour=soft(palette), extra=deco)


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
    blocks += [Block("para", p) for p in paragraphs(strip_markup(text))]
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
