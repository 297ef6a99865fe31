"""Colours of a rendered image, derived from the office's brand (or a greeting's theme)."""

from __future__ import annotations

from dataclasses import dataclass

from ..content.model import Brand

WHITE = "#FFFFFF"
INK = "#1F2933"


def rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def hexa(value: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(v))):02X}" for v in value)


def mix(a: str, b: str, t: float) -> str:
    """``t`` of the way from colour a to colour b."""
    ra, rb = rgb(a), rgb(b)
    return hexa(tuple(x + (y - x) * t for x, y in zip(ra, rb, strict=True)))


def luminance(colour: str) -> float:
    """WCAG relative luminance."""

    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_on(background: str, text: str = INK) -> str:
    """White or the dark text colour, whichever reads better on ``background``."""
    return WHITE if contrast(background, WHITE) >= contrast(background, text) else text


@dataclass(frozen=True)
class Palette:
    primary: str  # header band, markers
    primary_dark: str  # footer band
    on_primary: str  # text on the primary colour
    accent: str  # chips, highlights
    on_accent: str
    background: str
    text: str
    muted: str  # secondary text on the background
    tint: str  # soft panels on the background

    @classmethod
    def from_brand(cls, brand: Brand, theme: str = "") -> Palette:
        primary = theme or brand.primary
        text = brand.text
        on_primary = readable_on(primary, text)
        return cls(
            primary=primary,
            primary_dark=mix(primary, "#000000", 0.35),
            on_primary=on_primary,
            accent=brand.accent,
            on_accent=readable_on(brand.accent, text),
            background=brand.background,
            text=text,
            muted=mix(text, brand.background, 0.35),
            tint=mix(primary, brand.background, 0.9),
        )
