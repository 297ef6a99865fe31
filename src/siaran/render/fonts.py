"""Fonts for rendered images: Source Sans Pro (SIL OFL 1.1, shipped by the ``font-source-sans-pro``
package) unless office.yaml names its own ``font`` / ``font_bold`` files.

Text is measured with a per-character advance cache: Pillow's BASIC layout adds plain advances
(no shaping), so the sum of the characters' widths is exactly what ``getlength`` answers, at a
fraction of the cost. Wrapping calls ``width`` thousands of times per poster.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from PIL import ImageFont

from ..content.model import Office

BUNDLED_PACKAGE = "font_source_sans_pro"
BUNDLED = {"regular": "SourceSansPro-Regular.ttf", "bold": "SourceSansPro-Bold.ttf"}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def bundled_font(style: str) -> Path | None:
    try:
        path = resources.files(BUNDLED_PACKAGE) / "files" / BUNDLED[style]
    except ModuleNotFoundError:
        return None
    return Path(str(path)) if path.is_file() else None


@lru_cache(maxsize=512)
def _load(path: str, size: int) -> Font:
    if not path:
        # Last resort when the font package is missing: Pillow's own scalable font.
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)


@dataclass(frozen=True)
class FontSet:
    """The regular and bold faces; ``get(size, bold)`` loads (and caches) a face at a size."""

    regular: Path | None
    bold: Path | None
    _widths: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def get(self, size: int, bold: bool = False) -> Font:
        path = self.bold if bold else self.regular
        return _load(str(path) if path else "", max(1, int(size)))

    def width(self, text: str, size: int, bold: bool = False) -> float:
        """Advance width of ``text`` in pixels, from cached per-character advances."""
        cache = self._widths.setdefault((int(size), bold), {})
        total = 0.0
        for ch in text:
            w = cache.get(ch)
            if w is None:
                w = cache[ch] = self.get(size, bold).getlength(ch)
            total += w
        return total

    def identity(self) -> str:
        """What the rendered pixels depend on: file names and contents' digests."""
        parts = []
        for path in (self.regular, self.bold):
            if path is None:
                parts.append("pillow-default")
            else:
                parts.append(f"{path.name}:{_digest(str(path))}")
        return "|".join(parts)


@lru_cache(maxsize=32)
def _digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def office_fonts(office: Office) -> FontSet:
    """The office's own fonts when it names them (font alone serves for bold too), else the bundled ones."""
    if office.font or office.font_bold:
        regular = office.font or office.font_bold
        return FontSet(regular, office.font_bold or regular)
    return FontSet(bundled_font("regular"), bundled_font("bold"))
