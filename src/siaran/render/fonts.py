"""Fonts for rendered images: Source Sans Pro (SIL OFL 1.1, shipped by the ``font-source-sans-pro``
package) unless office.yaml names its own ``font`` / ``font_bold`` files, and Noto Emoji
(monochrome, SIL OFL 1.1, in ``siaran/assets/fonts`` with its licence) for the emoji the text
font lacks. A character neither has is reported by ``siaran check`` (``missing``), never drawn
as an empty box.

Text is measured with a per-character advance cache: Pillow's BASIC layout adds plain advances
(no shaping), so the sum of the characters' widths is exactly what ``getlength`` answers, at a
fraction of the cost. Wrapping calls ``width`` thousands of times per poster.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..content.model import Office
from .memo import memo

if TYPE_CHECKING:
    from PIL import ImageFont

BUNDLED_PACKAGE = "font_source_sans_pro"
BUNDLED = {"regular": "SourceSansPro-Regular.ttf", "bold": "SourceSansPro-Bold.ttf"}
EMOJI = "NotoEmoji-VariableFont_wght.ttf"
# Characters that draw nothing on their own: joiners, variation selectors, tags, keycap.
INVISIBLE = frozenset(
    [0x200B, 0x200C, 0x200D, 0x2060, 0xFE0E, 0xFE0F, 0x20E3, *range(0xE0020, 0xE0080)]
)  # fmt: skip

Font = "ImageFont.FreeTypeFont | ImageFont.ImageFont"  # Pillow loads when a card is drawn


# Found by the packages' folders, as siaran's templates are (importlib.resources would load zipfile
# for every command that checks a card).
def bundled_font(style: str) -> Path | None:
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "files" / BUNDLED[style]
    return path if path.is_file() else None


def bundled_emoji() -> Path | None:
    path = Path(__file__).resolve().parent.parent / "assets" / "fonts" / EMOJI
    return path if path.is_file() else None


@lru_cache(maxsize=512)
def _load(path: str, size: int) -> Font:
    from PIL import ImageFont

    if not path:
        # Last resort when the font package is missing: Pillow's own scalable font.
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=128)
def _load_emoji(path: str, size: int, bold: bool) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    # Raqm shapes the sequences (flags, ZWJ families, skin tones) into single glyphs.
    font = ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.RAQM)
    font.set_variation_by_axes([700 if bold else 400])
    return font


@lru_cache(maxsize=16)
def _cmap(path: str) -> frozenset[int]:
    """The code points a font file has glyphs for, remembered per file version (fontTools takes
    longer to import than to read a cmap)."""
    if not path:
        return frozenset(range(0x20, 0x7F))
    try:
        st = Path(path).stat()
    except OSError:
        return frozenset()
    key = f"{path}\0{st.st_size}\0{st.st_mtime_ns}"
    ranges = memo("cmaps").get(key, lambda: _ranges(_read_cmap(path)))
    return frozenset(cp for first, last in ranges for cp in range(first, last + 1))


def _read_cmap(path: str) -> list[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True, fontNumber=0) as font:
        # numbered glyph names: only code points matter here, and reading the real names from
        # the 'post' table costs more than the cmap itself
        font.setGlyphOrder([f"g{i}" for i in range(font["maxp"].numGlyphs)])
        return sorted(font.getBestCmap() or ())


def _ranges(points: list[int]) -> list[list[int]]:
    """Sorted code points as [first, last] runs: a font's cmap is a few hundred of them."""
    runs: list[list[int]] = []
    for cp in points:
        if runs and runs[-1][1] == cp - 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    return runs


def _split(text: str, has_text_glyph) -> list[tuple[str, bool]]:
    """Runs of ``text`` as (run, is_emoji): what the text font has, and what it lacks."""
    runs: list[tuple[str, bool]] = []
    for ch in text:
        cp = ord(ch)
        emoji = not has_text_glyph(cp) and not ch.isspace()
        if cp in INVISIBLE or 0x1F3FB <= cp <= 0x1F3FF:  # joins the emoji before it
            emoji = bool(runs) and runs[-1][1]
        if runs and runs[-1][1] == emoji:
            runs[-1] = (runs[-1][0] + ch, emoji)
        else:
            runs.append((ch, emoji))
    return runs


@dataclass(frozen=True)
class FontSet:
    """The regular and bold faces and the emoji face; ``get(size, bold)`` loads (and caches) a
    face at a size."""

    regular: Path | None
    bold: Path | None
    emoji: Path | None = field(default_factory=bundled_emoji)
    _widths: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def get(self, size: int, bold: bool = False) -> Font:
        path = self.bold if bold else self.regular
        return _load(str(path) if path else "", max(1, int(size)))

    def get_emoji(self, size: int, bold: bool = False) -> ImageFont.FreeTypeFont | None:
        return _load_emoji(str(self.emoji), max(1, int(size)), bold) if self.emoji else None

    def _text_cmap(self, bold: bool) -> frozenset[int]:
        path = self.bold if bold else self.regular
        return _cmap(str(path) if path else "")

    def runs(self, text: str, bold: bool = False) -> list[tuple[str, bool]]:
        """``text`` cut into (run, is_emoji) pieces; one plain run when the text font has it all."""
        cmap = self._text_cmap(bold)
        return _split(text, cmap.__contains__)

    def width(self, text: str, size: int, bold: bool = False) -> float:
        """Advance width of ``text`` in pixels, from cached per-character advances (emoji
        sequences are shaped, so they are measured whole)."""
        cache = self._widths.setdefault((int(size), bold), {})
        total = 0.0
        for ch in text:
            w = cache.get(ch)
            if w is None:
                if ord(ch) not in self._text_cmap(bold) and not ch.isspace():
                    return self._mixed_width(text, size, bold)
                w = cache[ch] = self.get(size, bold).getlength(ch)
            total += w
        return total

    def _mixed_width(self, text: str, size: int, bold: bool) -> float:
        cache = self._widths.setdefault((int(size), bold, "runs"), {})
        w = cache.get(text)
        if w is None:
            w = 0.0
            emoji_font = self.get_emoji(size, bold)
            for run, emoji in self.runs(text, bold):
                if emoji and emoji_font is not None:
                    w += emoji_font.getlength(run)
                else:
                    w += sum(self.width(ch, size, bold) for ch in run if ord(ch) in self._text_cmap(bold))
            cache[text] = w
        return w

    def missing(self, text: str, bold: bool = False) -> str:
        """The characters of ``text`` that neither the text font nor the emoji font can draw."""
        text_cmap = self._text_cmap(bold)
        emoji_cmap = _cmap(str(self.emoji)) if self.emoji else frozenset()
        out = []
        for ch in dict.fromkeys(text):  # each character once, in the order it first appears
            cp = ord(ch)
            if ch.isspace() or cp in INVISIBLE or cp in text_cmap or cp in emoji_cmap:
                continue
            out.append(ch)
        return "".join(out)

    def identity(self) -> str:
        """What the rendered pixels depend on: file names and contents' digests."""
        parts = []
        for path in (self.regular, self.bold, self.emoji):
            if path is None:
                parts.append("pillow-default")
            else:
                parts.append(f"{path.name}:{_digest(str(path))}")
        return "|".join(parts)


@lru_cache(maxsize=32)
def _digest(path: str) -> str:
    """An office's own font by its content; the fonts siaran installs (megabytes, read by every
    command that renders or checks a card) by their size and time, which only an install changes."""
    if Path(path) in _bundled():
        st = Path(path).stat()
        return f"{st.st_size}-{st.st_mtime_ns}"
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


@lru_cache(maxsize=1)
def _bundled() -> frozenset[Path]:
    return frozenset(p for p in (bundled_font("regular"), bundled_font("bold"), bundled_emoji()) if p)


def office_fonts(office: Office) -> FontSet:
    """The office's own fonts when it names them (font alone serves for bold too), else the bundled ones."""
    if office.font or office.font_bold:
        regular = office.font or office.font_bold
        return FontSet(regular, office.font_bold or regular)
    return FontSet(bundled_font("regular"), bundled_font("bold"))
