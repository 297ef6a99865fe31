"""Pure text layout for rendered images: wrapping by measured pixel width, shrinking to a
readable minimum, and flowing blocks onto as many slides as the content needs.

Nothing here draws. Layout returns every text box and shape with its position, so tests can
assert that nothing leaves the safe margins, and ``paint.py`` only paints what it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from .fonts import FontSet
from .palette import Palette

WIDTH, HEIGHT = 1080, 1350  # Instagram portrait 4:5; WhatsApp sends the same file
MARGIN = 56  # safe margin: no text or code closer to the edge (the profile grid crops ~34 px a side)
MIN_SCALE = 0.8  # body text never shrinks below 80 % of its design size (30 px -> 24 px)
SCALES = (1.0, 0.95, 0.9, 0.85, MIN_SCALE)
CARD_SCALES = (1.35, 1.25, 1.15, 1.05, *SCALES)  # a short card grows its text to fill the space


class LayoutError(Exception):
    """The content cannot be laid out at all (e.g. a region smaller than one line)."""


@dataclass(frozen=True)
class TextBox:
    x: int
    y: int
    w: int
    h: int
    lines: tuple[str, ...]
    size: int
    bold: bool = False
    colour: str = "#000000"
    align: str = "left"  # left | center | right, within [x, x + w]
    leading: int = 0  # pixels from one line's top to the next
    role: str = ""  # what the box is (title, item, footer...), for tests and debugging

    @property
    def bottom(self) -> int:
        return self.y + self.h

    def moved(self, dx: int = 0, dy: int = 0) -> TextBox:
        return replace(self, x=self.x + dx, y=self.y + dy)


@dataclass(frozen=True)
class Shape:
    kind: str  # rect | ellipse | check | frame | qr | logo
    x: int
    y: int
    w: int
    h: int
    fill: str = ""
    radius: int = 0
    data: str = ""  # qr: the link it encodes; logo: the image file
    colour: str = ""  # check mark / qr modules / outline

    @property
    def bottom(self) -> int:
        return self.y + self.h

    def moved(self, dx: int = 0, dy: int = 0) -> Shape:
        return replace(self, x=self.x + dx, y=self.y + dy)


@dataclass(frozen=True)
class Slide:
    background: str
    shapes: tuple[Shape, ...]
    texts: tuple[TextBox, ...]
    index: int = 1
    count: int = 1
    width: int = WIDTH
    height: int = HEIGHT
    contained: tuple[Shape, ...] = ()  # shapes that carry content (QR, logo) and must respect the margins


def leading(size: int) -> int:
    """Line pitch: 1.3 em holds the ascender and descender of the fonts we ship."""
    return round(size * 1.3)


def _fit_prefix(word: str, fonts: FontSet, size: int, bold: bool, width: float) -> int:
    """Longest prefix of ``word`` that fits (at least one character), preferring a break after / - . ? & =."""
    lo, hi = 1, len(word)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fonts.width(word[:mid], size, bold) <= width:
            lo = mid
        else:
            hi = mid - 1
    for i in range(lo, max(lo // 2, 1), -1):
        if word[i - 1] in "/-.?&=_":
            return i
    return lo


def wrap(text: str, fonts: FontSet, size: int, bold: bool, width: float) -> list[str]:
    """Lines of ``text`` no wider than ``width`` pixels; words too long for a line are broken."""
    lines: list[str] = []
    space = fonts.width(" ", size, bold)
    for para in text.split("\n"):
        words = para.split()
        if not words:
            lines.append("")
            continue
        line, line_w = "", 0.0
        for word in words:
            word_w = fonts.width(word, size, bold)
            if line and line_w + space + word_w <= width:
                line, line_w = f"{line} {word}", line_w + space + word_w
                continue
            if line:
                lines.append(line)
            while word_w > width:
                cut = _fit_prefix(word, fonts, size, bold, width)
                lines.append(word[:cut])
                word = word[cut:]
                word_w = fonts.width(word, size, bold)
            line, line_w = word, word_w
        lines.append(line)
    return lines


def text_box(
    text: str,
    fonts: FontSet,
    size: int,
    x: int,
    y: int,
    width: int,
    *,
    bold: bool = False,
    colour: str = "#000000",
    align: str = "left",
    role: str = "",
    max_lines: int | None = None,
) -> TextBox:
    lines = wrap(text, fonts, size, bold, width)
    if max_lines is not None and len(lines) > max_lines:
        raise LayoutError(f"{text[:40]!r} needs {len(lines)} lines, more than {max_lines}")
    lead = leading(size)
    return TextBox(x, y, width, lead * len(lines), tuple(lines), size, bold, colour, align, lead, role)


def shrink_to_lines(
    text: str, fonts: FontSet, sizes: Sequence[int], width: int, max_lines: int, *, bold: bool = True
) -> tuple[int, list[str]]:
    """The largest size whose wrapped text takes at most ``max_lines`` (else the smallest size)."""
    lines: list[str] = []
    for size in sizes:
        lines = wrap(text, fonts, size, bold, width)
        if len(lines) <= max_lines:
            return size, lines
    return sizes[-1], lines


# ---- flowing blocks onto pages -------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One piece of body content. ``section`` names the heading it belongs to, so a section that
    continues on the next slide repeats its heading there."""

    kind: str  # title | rule | space | heading | check | step | note | para | info
    text: str = ""
    label: str = ""  # step: its number; info: the label column
    section: str = ""
    align: str = "left"
    bold: bool = False
    inset: int = 0  # design pixels kept free on both sides (text inside a panel)


@dataclass(frozen=True)
class Colours:
    text: str
    heading: str
    marker: str  # checkbox / step circle
    on_marker: str
    muted: str
    accent: str

    @classmethod
    def on_background(cls, palette: Palette) -> Colours:
        """Body text on the slide's light background (posters, announcement cards)."""
        return cls(
            text=palette.text,
            heading=palette.primary_dark,
            marker=palette.primary,
            on_marker=palette.on_primary,
            muted=palette.muted,
            accent=palette.accent,
        )


@dataclass
class Page:
    texts: list[TextBox] = field(default_factory=list)
    shapes: list[Shape] = field(default_factory=list)
    height: int = 0  # used height from the region's top

    def moved(self, dx: int, dy: int) -> Page:
        return Page([t.moved(dx, dy) for t in self.texts], [s.moved(dx, dy) for s in self.shapes], self.height)


CONTINUED = " (lanjutan)"


def flow(
    blocks: Sequence[Block],
    fonts: FontSet,
    colours: Colours,
    scale: float,
    width: int,
    height: int,
    *,
    base: int = 30,
    later: int | None = None,
) -> list[Page]:
    """Place blocks top-down in a ``width`` x ``height`` region, starting a new page whenever the
    next line would cross the bottom. Pages after the first may be ``later`` pixels high (their
    header is more compact). Coordinates are relative to the region's top-left."""
    s = scale
    body = round(base * s)
    lead = leading(body)
    head_size = round(base * 1.13 * s)
    title_size = round(base * 2.2 * s)
    gap = round(12 * s)
    head_gap = round(22 * s)
    pages = [Page()]
    y = 0
    section = ""
    first_note = True

    def new_page(next_kind: str) -> None:
        nonlocal y, height
        pages[-1].height = y
        pages.append(Page())
        y = 0
        height = later or height
        if section and next_kind != "heading":
            place_heading(section + CONTINUED)

    def place_heading(text: str) -> None:
        nonlocal y
        box = text_box(text, fonts, head_size, 0, y, width, bold=True, colour=colours.heading, role="heading")
        pages[-1].texts.append(box)
        bar_y = box.bottom + round(4 * s)
        pages[-1].shapes.append(Shape("rect", 0, bar_y, round(72 * s), max(3, round(5 * s)), colours.accent))
        y = bar_y + max(3, round(5 * s)) + round(14 * s)

    for b in blocks:
        first = not pages[-1].texts and not pages[-1].shapes
        if b.kind == "heading":
            head_h = leading(head_size) * len(wrap(b.text, fonts, head_size, True, width)) + round(23 * s)
            need = (0 if first else head_gap) + head_h + lead
            if y + need > height and not first:
                section = ""
                new_page("heading")
                first = True
            y += 0 if first else head_gap
            section = b.text
            place_heading(b.text)
            continue
        if b.kind == "space":  # vertical room in design pixels, dropped at the top of a page
            if not first:
                y = min(height, y + round(int(b.text) * s))
            continue
        if b.kind == "rule":
            rule_h = max(4, round(6 * s))
            top = y + (0 if first else round(20 * s))
            if top + rule_h > height:
                continue  # a decorative rule is the one thing we may drop at a page end
            rule_w = round(110 * s)
            x = (width - rule_w) // 2 if b.align == "center" else 0
            pages[-1].shapes.append(Shape("rect", x, top, rule_w, rule_h, colours.accent, radius=rule_h // 2))
            y = top + rule_h + round(24 * s)
            continue

        size, bold, colour, role = body, b.bold, colours.text, b.kind
        if b.kind == "title":
            size, bold = title_size, True
            colour = colours.heading
        elif b.kind == "note":
            colour = colours.muted
            size = round(base * 0.9 * s)
            if first_note:
                y += round(10 * s)
                first_note = False
        marker = round(size * 1.05) if b.kind in ("check", "note") else round(size * 1.35)
        indent = 0
        if b.kind in ("check", "step"):
            indent = marker + round(18 * s)
        elif b.kind == "note":
            indent = round(28 * s)
        elif b.kind == "info":
            indent = round(200 * s)
        inset = round(b.inset * s)
        line_h = leading(size)
        lines = wrap(b.text, fonts, size, bold, width - indent - 2 * inset)
        head = True
        while lines:
            first = not pages[-1].texts and not pages[-1].shapes
            top = y + (0 if first or not head else gap)
            if b.kind == "title" and not first and head:
                top = y + round(10 * s)
            fit = min(len(lines), max(0, (height - top) // line_h))
            if fit == 0:
                if first:
                    raise LayoutError(f"a {height}px region cannot hold one line of {size}px text")
                new_page(b.kind)
                continue
            chunk, lines = lines[:fit], lines[fit:]
            box = TextBox(
                indent + inset,
                top,
                width - indent - 2 * inset,
                fit * line_h,
                tuple(chunk),
                size,
                bold,
                colour,
                b.align,
                line_h,
                role,
            )
            page = pages[-1]
            page.texts.append(box)
            if head:
                n_texts, n_shapes = len(page.texts), len(page.shapes)
                _marker(page, b, s, size, marker, top, line_h, fonts, colours)
                page.texts[n_texts:] = [t.moved(inset) for t in page.texts[n_texts:]]
                page.shapes[n_shapes:] = [x.moved(inset) for x in page.shapes[n_shapes:]]
            head = False
            y = box.bottom
            if lines:
                new_page(b.kind)
    pages[-1].height = y
    return pages


def _marker(
    page: Page, b: Block, s: float, size: int, marker: int, top: int, line_h: int, fonts: FontSet, colours: Colours
) -> None:
    """The checkbox, step number, note dot or info label in front of a block's first line."""
    mid = top + line_h // 2
    if b.kind == "check":
        page.shapes.append(
            Shape(
                "check",
                0,
                mid - marker // 2,
                marker,
                marker,
                colours.marker,
                round(marker * 0.22),
                "",
                colours.on_marker,
            )
        )
    elif b.kind == "step":
        page.shapes.append(Shape("ellipse", 0, mid - marker // 2, marker, marker, colours.marker))
        num = round(marker * 0.62)
        num_lead = leading(num)
        page.texts.append(
            TextBox(
                0,
                mid - num_lead // 2,
                marker,
                num_lead,
                (b.label,),
                num,
                True,
                colours.on_marker,
                "center",
                num_lead,
                "number",
            )
        )
    elif b.kind == "note":
        dot = max(6, round(10 * s))
        page.shapes.append(Shape("ellipse", round(4 * s), mid - dot // 2, dot, dot, colours.accent))
    elif b.kind == "info":
        label_w = round(200 * s) - round(16 * s)
        label_size = round(size * 0.85)
        label_lines = wrap(b.label, fonts, label_size, True, label_w)
        lead = leading(label_size)
        page.texts.append(
            TextBox(
                0,
                top + (line_h - lead) // 2,
                label_w,
                lead * len(label_lines),
                tuple(label_lines),
                label_size,
                True,
                colours.muted,
                "left",
                lead,
                "label",
            )
        )


def fit_pages(make: Callable[[float], list[Page]], scales: Sequence[float] = SCALES) -> tuple[float, list[Page]]:
    """Shrink until everything fits one page; if even the smallest size needs N pages, use the
    largest size that still needs only N (fewer slides, but never smaller text than needed)."""
    tried: dict[float, list[Page]] = {}
    for scale in scales:
        tried[scale] = make(scale)
        if len(tried[scale]) == 1:
            return scale, tried[scale]
    least = len(tried[scales[-1]])
    for scale in scales:
        if len(tried[scale]) <= least:
            return scale, tried[scale]
    return scales[-1], tried[scales[-1]]
