"""Greeting cards that look official: the office logo and name, the day in Indonesian (and the
Hijri date for Islamic holidays), the greeting, and who sends it ("Lurah ..." with an optional
photo), in one of a few layouts chosen by the greeting's ``theme``."""

from __future__ import annotations

import re
from datetime import date

from hijridate import Gregorian, Hijri

from ..content.model import Office, Post
from ..content.posts import GREETING_LAYOUTS
from .context import tanggal
from .flow import Block, Colours, fit_pages, flow
from .fonts import FontSet
from .frame import Part, accent_on, assemble, hint_height, office_row
from .layout import CARD_SCALES, HEIGHT, MARGIN, WIDTH, Shape, Slide, text_box
from .markup import paragraphs, to_plain
from .palette import Palette, contrast, mix, readable_on

LAYOUTS = GREETING_LAYOUTS
HIJRI_MONTHS = (
    "Muharam", "Safar", "Rabiulawal", "Rabiulakhir", "Jumadilawal", "Jumadilakhir",
    "Rajab", "Syakban", "Ramadan", "Syawal", "Zulkaidah", "Zulhijah",
)  # fmt: skip
# Islamic holidays by their fixed Hijri day and month: the card names that day, whichever
# calendar (Umm al-Qura, sidang isbat) moved the Gregorian date by one.
ISLAMIC = (
    (re.compile(r"idul\s*fitri|idulfitri", re.I), (1, 10)),
    (re.compile(r"idul\s*adha|iduladha", re.I), (10, 12)),
    (re.compile(r"tahun baru islam|1 muharam", re.I), (1, 1)),
    (re.compile(r"maulid", re.I), (12, 3)),
    (re.compile(r"isra", re.I), (27, 7)),
)


def hijri_date(holiday: str, day: date) -> str:
    """'1 Syawal 1447 H' for an Islamic holiday, '' for any other day."""
    fixed = next((dm for pattern, dm in ISLAMIC if pattern.search(holiday)), None)
    if fixed is None:
        return ""
    d, m = fixed
    near = Gregorian(day.year, day.month, day.day).to_hijri()
    year = min(
        (near.year - 1, near.year, near.year + 1),
        key=lambda y: abs((Hijri(y, m, d).to_gregorian() - day).days),
    )
    return f"{d} {HIJRI_MONTHS[m - 1]} {year} H"


def layout_of(post: Post) -> str:
    """The theme's layout: a theme names one (``klasik``, ``bingkai``, ``resmi``) or is a colour
    (then Islamic holidays get the framed layout, others the classic one)."""
    words = post.theme.split()
    named = next((w.lower() for w in words if w.lower() in LAYOUTS), "")
    if named:
        return named
    return "bingkai" if any(p.search(post.holiday or post.title) for p, _ in ISLAMIC) else "klasik"


def theme_colour(post: Post) -> str:
    return next((w for w in post.theme.split() if w.startswith("#")), "")


def greeting_slides(
    office: Office, post: Post, text: str, fonts: FontSet, when: date | None = None, layout: str = ""
) -> list[Slide]:
    layout = layout or layout_of(post)
    palette = Palette.from_brand(office.brand, theme_colour(post))
    if layout == "resmi":  # a light card: the theme colour as a band and for headings
        bg, on = office.brand.background, readable_on(office.brand.background, office.brand.text)
        band = palette.primary
    else:
        bg, on, band = palette.primary, palette.on_primary, ""
    muted = mix(on, bg, 0.22)
    top = office_row(office, palette, fonts, "", MARGIN + 8, centre=True)
    deco = _decoration(layout, bg, on, band, top.bottom + 36)
    bottom = _signature(office, fonts, on, muted, bg)
    heading = palette.primary if layout == "resmi" and contrast(palette.primary, bg) >= 4.5 else on
    accent = accent_on(bg, palette, heading)
    colours = Colours(text=on, heading=heading, marker=accent, on_marker=bg, muted=muted, accent=accent)
    blocks = []
    if when:
        line = tanggal(when)
        hijri = hijri_date(post.holiday or post.title, when)
        blocks.append(Block("date", f"{line} · {hijri}" if hijri else line, align="center"))
    blocks += [Block("title", post.title, align="center"), Block("rule", align="center")]
    blocks += [Block("para", p, align="center") for p in paragraphs(to_plain(text))]
    y = top.bottom + (76 if layout == "resmi" else 40)
    width = WIDTH - 2 * MARGIN
    height = bottom.top - 40 - y
    _, pages = fit_pages(lambda s: flow(blocks, fonts, colours, s, width, height, base=34), CARD_SCALES)
    if len(pages) > 1:
        _, pages = fit_pages(lambda s: flow(blocks, fonts, colours, s, width, height - hint_height(), base=34))
    frames = [([top, bottom], (MARGIN, y, width, height))]
    return assemble(bg, frames, pages, palette, fonts, valign="center", hint_colour=muted, extra=deco)


def _decoration(layout: str, bg: str, on: str, band: str, band_h: int) -> list[Shape]:
    if layout == "resmi":
        return [  # the band over the frame's top, so the frame's sides come out from under it
            Shape("frame", 28, 28, WIDTH - 56, HEIGHT - 56, radius=24, colour=mix(bg, band, 0.35)),
            Shape("rect", 0, 0, WIDTH, band_h, band),
            Shape("rect", 0, band_h, WIDTH, 8, mix(band, "#000000", 0.25)),
        ]
    shapes = [
        Shape("ellipse", -260, -300, 760, 760, mix(bg, on, 0.07)),
        Shape("ellipse", WIDTH - 380, HEIGHT - 420, 720, 720, mix(bg, "#000000", 0.12)),
        Shape("ellipse", WIDTH - 240, 120, 180, 180, mix(bg, on, 0.05)),
        Shape("frame", 28, 28, WIDTH - 56, HEIGHT - 56, radius=24, colour=mix(bg, on, 0.35)),
    ]
    if layout == "bingkai":  # a second, inner frame and corner ornaments
        line = mix(bg, on, 0.25)
        shapes = [*shapes[:1], Shape("frame", 40, 40, WIDTH - 80, HEIGHT - 80, radius=16, colour=line), shapes[-1]]
        for x, y in ((28, 28), (WIDTH - 28, 28), (28, HEIGHT - 28), (WIDTH - 28, HEIGHT - 28)):
            shapes.append(Shape("ellipse", x - 14, y - 14, 28, 28, mix(bg, on, 0.45)))
    return shapes


def _signature(office: Office, fonts: FontSet, on: str, muted: str, bg: str) -> Part:
    """Who sends the greeting, at the bottom: photo, title and name; or the office's contacts."""
    part = Part()
    width = WIDTH - 2 * MARGIN
    sig = office.signature
    if sig is None:
        contact = "  ·  ".join(
            x for x in (f"@{office.instagram}" if office.instagram else "", office.whatsapp_display) if x
        )
        if contact:
            box = text_box(contact, fonts, 24, MARGIN, 0, width, colour=muted, align="center")
            part.texts.append(box.moved(dy=HEIGHT - MARGIN - box.h))
            part.top = HEIGHT - MARGIN - box.h
        else:
            part.top = HEIGHT - MARGIN
        return part
    photo = 120 if sig.photo else 0
    text_x = MARGIN + (photo + 24 if photo else 0)
    text_w = width - (photo + 24 if photo else 0)
    align = "left" if photo else "center"
    boxes = [text_box(sig.title, fonts, 26, text_x, 0, text_w, colour=muted, align=align, role="signature")]
    if sig.name:
        boxes.append(text_box(sig.name, fonts, 30, text_x, boxes[-1].bottom, text_w, bold=True, colour=on,
                              align=align, role="signature"))  # fmt: skip
    text_h = boxes[-1].bottom
    h = max(text_h, photo)
    top = HEIGHT - MARGIN - h
    part.texts = [b.moved(dy=top + (h - text_h) // 2) for b in boxes]
    if photo:
        py = top + (h - photo) // 2
        part.shapes.append(Shape("rect", MARGIN - 4, py - 4, photo + 8, photo + 8, mix(bg, on, 0.5), radius=18))
        part.contained.append(Shape("logo", MARGIN, py, photo, photo, data=str(sig.photo)))
    part.top = top
    return part
