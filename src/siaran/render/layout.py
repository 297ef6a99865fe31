"""Pure text layout for rendered images: the canvas, text boxes and shapes, wrapping by measured
pixel width and shrinking to a readable minimum (flowing blocks onto slides is in ``flow.py``).

Nothing here draws. Layout returns every text box and shape with its position, so tests can
assert that nothing leaves the safe margins, and ``paint.py`` only paints what it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .fonts import FontSet

WIDTH, HEIGHT = 1080, 1350  # Instagram portrait 4:5; WhatsApp sends the same file
MARGIN = 56  # safe margin: no text or code closer to the edge (the profile grid crops ~34 px a side)
MIN_SCALE = 0.8  # body text never shrinks below 80 % of its design size (30 px -> 24 px)
SCALES = (1.0, 0.95, 0.9, 0.85, MIN_SCALE)
GROW_SCALES = (1.35, 1.25, 1.15, 1.05, *SCALES)  # short content grows to fill the space, up to 1.35x
CARD_SCALES = GROW_SCALES


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


def wrap_balanced(text: str, fonts: FontSet, size: int, bold: bool, width: float) -> list[str]:
    """Like ``wrap``, but a last line of one word is avoided when a narrower wrap with as many
    lines fits: the widest such wrap, found by pushing the longest line's last word down."""
    lines = wrap(text, fonts, size, bold, width)
    if len(lines) < 2 or len(lines[-1].split()) > 1:
        return lines
    narrower = width
    while True:
        narrower = max(fonts.width(line, size, bold) for line in lines[:-1]) - 0.5
        tried = wrap(text, fonts, size, bold, narrower)
        if len(tried) != len(lines):
            return lines
        if len(tried[-1].split()) > 1:
            return tried
        lines = tried
