"""The parts every rendered image shares: the header band (logo, office, title, chips), the footer
band (contact lines, QR code), and putting pages of body content between them as slides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..content.model import Office
from .flow import Page
from .fonts import FontSet
from .layout import (
    HEIGHT,
    MARGIN,
    WIDTH,
    Shape,
    Slide,
    TextBox,
    leading,
    shrink_to_lines,
    text_box,
    wrap,
    wrap_balanced,
)
from .palette import Palette, contrast, mix
from .qr import fit as qr_fit

LOGO = 96
TITLE_SIZES = (58, 54, 50, 46, 42)
PILL_ROOM = 132  # header space kept free on the right for the "1/3" slide number


@dataclass
class Part:
    """A laid-out band: its shapes, text boxes and content shapes, and its vertical extent."""

    shapes: list[Shape] = field(default_factory=list)
    texts: list[TextBox] = field(default_factory=list)
    contained: list[Shape] = field(default_factory=list)
    top: int = 0
    bottom: int = 0


def soft(palette: Palette) -> str:
    """Secondary text on the primary colour."""
    return mix(palette.on_primary, palette.primary, 0.22)


def accent_on(background: str, palette: Palette, fallback: str) -> str:
    return palette.accent if contrast(palette.accent, background) >= 3 else fallback


def office_row(
    office: Office, palette: Palette, fonts: FontSet, kicker: str, top: int, *, centre: bool = False
) -> Part:
    """Logo, office name and a small kicker line ("Standar Pelayanan Publik")."""
    part = Part(top=top)
    colour_soft = soft(palette)
    if centre:
        y = top
        if office.logo:
            x = (WIDTH - LOGO) // 2
            part.shapes.append(Shape("rect", x - 8, y - 8, LOGO + 16, LOGO + 16, "#FFFFFF", radius=LOGO // 2 + 8))
            logo = Shape("logo", x, y, LOGO, LOGO, data=str(office.logo))
            part.contained.append(logo)
            y += LOGO + 28
        name = text_box(
            office.name,
            fonts,
            32,
            MARGIN + PILL_ROOM,  # centred, and clear of the slide number in the corner
            y,
            WIDTH - 2 * (MARGIN + PILL_ROOM),
            bold=True,
            colour=palette.on_primary,
            align="center",
            role="office",
        )
        part.texts.append(name)
        y = name.bottom
        if kicker:
            k = text_box(
                kicker,
                fonts,
                24,
                MARGIN + PILL_ROOM,
                y + 2,
                WIDTH - 2 * (MARGIN + PILL_ROOM),
                colour=colour_soft,
                align="center",
                role="kicker",
            )
            part.texts.append(k)
            y = k.bottom
        part.bottom = y
        return part
    x = MARGIN
    if office.logo:
        x = MARGIN + LOGO + 22
    width = WIDTH - MARGIN - PILL_ROOM - x
    name = text_box(office.name, fonts, 30, x, 0, width, bold=True, colour=palette.on_primary, role="office")
    k = text_box(kicker, fonts, 23, x, name.h, width, colour=colour_soft, role="kicker") if kicker else None
    text_h = name.h + (k.h if k else 0)
    row_h = max(text_h, LOGO if office.logo else 0)
    dy = top + (row_h - text_h) // 2
    part.texts.append(name.moved(dy=dy))
    if k:
        part.texts.append(k.moved(dy=dy))
    if office.logo:
        part.shapes.append(Shape("rect", MARGIN, top, LOGO, LOGO, "#FFFFFF", radius=18))
        logo = Shape("logo", MARGIN + 6, top + 6, LOGO - 12, LOGO - 12, data=str(office.logo))
        part.contained.append(logo)
    part.bottom = top + row_h
    return part


def header(
    office: Office,
    palette: Palette,
    fonts: FontSet,
    *,
    kicker: str,
    title: str,
    subtitle: str = "",
    chips: Sequence[str] = (),
    compact: bool = False,
) -> tuple[Part, str]:
    """The primary-coloured band at the top. Returns the part and any title text that did not fit
    in four lines (the caller flows it into the body, so nothing is ever cut off). The title keeps
    one size on every slide of a carousel; the ``compact`` header of later slides drops the subtitle."""
    part = office_row(office, palette, fonts, kicker, MARGIN)
    width = WIDTH - 2 * MARGIN
    # two lines if a size down to 42 px allows it (the header repeats on every slide), else three
    size, lines = shrink_to_lines(title, fonts, TITLE_SIZES, width, 2)
    if len(lines) > 2:
        size, lines = shrink_to_lines(title, fonts, TITLE_SIZES, width, 3)
    lines = wrap_balanced(title, fonts, size, True, width)
    overflow = ""
    if len(lines) > 4:
        lines, overflow = lines[:4], " ".join(lines[4:])
    if compact:
        subtitle = ""
    y = part.bottom
    if title:
        lead = leading(size)
        y = part.bottom + 24
        title_box = TextBox(
            MARGIN, y, width, lead * len(lines), tuple(lines), size, True, palette.on_primary, "left", lead, "title"
        )
        part.texts.append(title_box)
        y = title_box.bottom
    if subtitle:
        sub = text_box(subtitle, fonts, 28, MARGIN, y + 4, width, colour=soft(palette), role="subtitle")
        part.texts.append(sub)
        y = sub.bottom
    if chips:
        y += 22
        y = _chips(part, chips, palette, fonts, y)
    part.bottom = y + 30
    part.shapes.insert(0, Shape("rect", 0, 0, WIDTH, part.bottom, palette.primary))
    return part, overflow


def _chips(part: Part, chips: Sequence[str], palette: Palette, fonts: FontSet, y: int) -> int:
    """Accent-coloured pills (duration, cost), wrapping to further rows as needed."""
    size, pad_x, pad_y, gap = 26, 20, 8, 14
    lead = leading(size)
    max_w = WIDTH - 2 * MARGIN
    x = MARGIN
    row_bottom = y
    for chip in chips:
        lines = wrap(chip, fonts, size, True, max_w - 2 * pad_x)
        text_w = max(fonts.width(line, size, True) for line in lines)
        w = round(text_w) + 2 * pad_x
        h = lead * len(lines) + 2 * pad_y
        if x > MARGIN and x + w > WIDTH - MARGIN:
            x, y = MARGIN, row_bottom + gap
        part.shapes.append(Shape("rect", x, y, w, h, palette.accent, radius=min(h // 2, 28)))
        part.texts.append(
            TextBox(
                x + pad_x,
                y + pad_y,
                w - 2 * pad_x,
                lead * len(lines),
                tuple(lines),
                size,
                True,
                palette.on_accent,
                "left",
                lead,
                "chip",
            )
        )
        row_bottom = max(row_bottom, y + h)
        x += w + gap
    return row_bottom


@dataclass(frozen=True)
class Line:
    text: str
    size: int = 22
    bold: bool = False
    colour: str = ""
    gap: int = 0  # extra space above


def footer(palette: Palette, fonts: FontSet, lines: Sequence[Line], qr: str = "") -> Part:
    """The dark band at the bottom: contact lines on the left, the QR code on a white card right."""
    part = Part()
    bg = palette.primary_dark
    default = mix(palette.on_primary, bg, 0.12)
    width = WIDTH - 2 * MARGIN - ((qr_fit(qr).card + 36) if qr else 0)
    y = 0
    for line in lines:
        if not line.text:
            continue
        box = text_box(
            line.text,
            fonts,
            line.size,
            MARGIN,
            y + line.gap,
            width,
            bold=line.bold,
            colour=line.colour or default,
            role="footer",
        )
        part.texts.append(box)
        y = box.bottom
    card = qr_fit(qr).card if qr else 0
    inner = max(y, card)
    top = HEIGHT - MARGIN - inner
    part.texts = [t.moved(dy=top + (inner - y) // 2) for t in part.texts]
    if qr:
        # the white card is the code's quiet zone: the code fills it edge to edge
        x = WIDTH - MARGIN - card
        qy = top + (inner - card) // 2
        part.shapes.append(Shape("rect", x, qy, card, card, "#FFFFFF", radius=12))
        part.contained.append(Shape("qr", x, qy, card, card, data=qr, colour="#111111"))
    part.top = top - 32
    part.shapes.insert(0, Shape("rect", 0, part.top, WIDTH, HEIGHT - part.top, bg))
    part.bottom = HEIGHT
    return part


def pill(index: int, count: int, palette: Palette, fonts: FontSet, top: int = MARGIN) -> tuple[Shape, TextBox]:
    """The "2/3" marker in the top-right corner of a carousel slide."""
    size = 28
    label = f"{index}/{count}"
    lead = leading(size)
    w = round(fonts.width(label, size, True)) + 40
    h = lead + 12
    x = WIDTH - MARGIN - w
    shape = Shape("rect", x, top, w, h, palette.accent, radius=h // 2)
    return shape, TextBox(x, top + 6, w, lead, (label,), size, True, palette.on_accent, "center", lead, "pill")


HINT = "Geser untuk lanjut ›"
HINT_SIZE = 24


def hint_height() -> int:
    return leading(HINT_SIZE) + 12


Frame = tuple[Sequence[Part], tuple[int, int, int, int]]  # bands, and the body region (x, y, w, h)


def assemble(
    background: str,
    frames: Sequence[Frame],
    pages: Sequence[Page],
    palette: Palette,
    fonts: FontSet,
    *,
    valign: str = "top",
    hint_colour: str = "",
    extra: Sequence[Shape] = (),
) -> list[Slide]:
    """One slide per page: its frame (the first page uses ``frames[0]``, later pages the last one),
    the page's content placed in the frame's region, a slide number and a "swipe" hint when there
    is more than one."""
    count = len(pages)
    slides = []
    for n, page in enumerate(pages, 1):
        parts, (x, y, w, h) = frames[min(n, len(frames)) - 1]
        room = h - (hint_height() if count > 1 else 0)  # the flow kept the hint's room free
        dy = y + ((room - page.height) // 2 if valign == "center" else 0)
        placed = page.moved(x, dy)
        shapes = [*extra, *(s for p in parts for s in p.shapes), *placed.shapes]
        texts = [*(t for p in parts for t in p.texts), *placed.texts]
        contained = [*(c for p in parts for c in p.contained)]
        if count > 1:
            shape, label = pill(n, count, palette, fonts)
            shapes.append(shape)
            texts.append(label)
            if n < count:
                lead = leading(HINT_SIZE)
                texts.append(
                    TextBox(
                        x,
                        y + h - lead,
                        w,
                        lead,
                        (HINT,),
                        HINT_SIZE,
                        True,
                        hint_colour or palette.muted,
                        "right",
                        lead,
                        "hint",
                    )
                )
        slides.append(Slide(background, tuple(shapes), tuple(texts), n, count, contained=tuple(contained)))
    return slides
