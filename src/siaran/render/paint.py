"""Paint laid-out slides with Pillow, and encode them as JPEG.

Pillow draws shapes without anti-aliasing, so round shapes (step circles, pills, rounded cards)
are drawn as masks at 4x and scaled down once per size and cached: smooth edges without
painting the whole 1080x1350 canvas at a higher resolution.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw

from . import qr
from .fonts import FontSet
from .layout import Shape, Slide, TextBox
from .palette import rgb

SUPERSAMPLE = 4
JPEG_QUALITY = 88


@lru_cache(maxsize=256)
def _round_mask(w: int, h: int, radius: int, ellipse: bool) -> Image.Image:
    big = Image.new("L", (w * SUPERSAMPLE, h * SUPERSAMPLE), 0)
    draw = ImageDraw.Draw(big)
    box = (0, 0, w * SUPERSAMPLE - 1, h * SUPERSAMPLE - 1)
    if ellipse:
        draw.ellipse(box, fill=255)
    else:
        draw.rounded_rectangle(box, radius=radius * SUPERSAMPLE, fill=255)
    return big.resize((w, h), Image.Resampling.LANCZOS)


@lru_cache(maxsize=64)
def _check_mask(size: int) -> Image.Image:
    """A tick mark, drawn big and scaled down."""
    s = size * SUPERSAMPLE
    big = Image.new("L", (s, s), 0)
    pts = [(0.24 * s, 0.52 * s), (0.43 * s, 0.70 * s), (0.77 * s, 0.32 * s)]
    ImageDraw.Draw(big).line(pts, fill=255, width=max(1, round(0.13 * s)), joint="curve")
    return big.resize((size, size), Image.Resampling.LANCZOS)


@lru_cache(maxsize=32)
def qr_image(link: str, size: int, dark: str) -> Image.Image:
    """The QR code for ``link`` with its quiet zone, scaled by whole modules (crisp edges) and
    centred in a ``size`` square."""
    fit = qr.fit(link)
    scale = max(1, min(fit.module_px, size // (fit.modules + 2 * qr.QUIET)))
    buf = io.BytesIO()
    qr.make(link).save(buf, kind="png", scale=scale, border=qr.QUIET, dark=dark, light="#FFFFFF")
    buf.seek(0)
    img = Image.open(buf).convert("RGB")
    canvas = Image.new("RGB", (size, size), "#FFFFFF")
    canvas.paste(img, ((size - img.width) // 2, (size - img.height) // 2))
    return canvas


@lru_cache(maxsize=8)
def _logo(path: str, w: int, h: int) -> Image.Image:
    with Image.open(path) as src:
        img = src.convert("RGBA")
    img.thumbnail((w, h), Image.Resampling.LANCZOS)
    return img


def _shape(canvas: Image.Image, draw: ImageDraw.ImageDraw, shape: Shape) -> None:
    if shape.w <= 0 or shape.h <= 0:
        return
    box = (shape.x, shape.y, shape.x + shape.w - 1, shape.y + shape.h - 1)
    if shape.kind == "rect" and not shape.radius:
        draw.rectangle(box, fill=shape.fill)
    elif shape.kind in ("rect", "ellipse", "check"):
        mask = _round_mask(shape.w, shape.h, shape.radius, shape.kind == "ellipse")
        canvas.paste(rgb(shape.fill), (shape.x, shape.y), mask)
        if shape.kind == "check":
            canvas.paste(rgb(shape.colour), (shape.x, shape.y), _check_mask(shape.w))
    elif shape.kind == "frame":  # an outline; ``radius`` is the corner radius, ``colour`` the line
        draw.rounded_rectangle(box, radius=shape.radius, outline=shape.colour, width=3)
    elif shape.kind == "qr":
        canvas.paste(qr_image(shape.data, shape.w, shape.colour), (shape.x, shape.y))
    elif shape.kind == "logo":
        logo = _logo(shape.data, shape.w, shape.h)
        at = (shape.x + (shape.w - logo.width) // 2, shape.y + (shape.h - logo.height) // 2)
        canvas.paste(logo, at, logo)
    else:
        raise ValueError(f"unknown shape {shape.kind!r}")


def paint(slide: Slide, fonts: FontSet) -> Image.Image:
    canvas = Image.new("RGB", (slide.width, slide.height), slide.background)
    draw = ImageDraw.Draw(canvas)
    for shape in (*slide.shapes, *slide.contained):
        _shape(canvas, draw, shape)
    for box in slide.texts:
        font = fonts.get(box.size, box.bold)
        for i, line in enumerate(box.lines):
            y = box.y + i * box.leading
            runs = fonts.runs(line, box.bold)
            if len(runs) > 1 or runs[0][1]:
                _mixed_line(draw, fonts, box, line, runs, y)
            elif box.align == "center":
                draw.text((box.x + box.w / 2, y), line, font=font, fill=box.colour, anchor="ma")
            elif box.align == "right":
                draw.text((box.x + box.w, y), line, font=font, fill=box.colour, anchor="ra")
            else:
                draw.text((box.x, y), line, font=font, fill=box.colour, anchor="la")
    return canvas


def _mixed_line(
    draw: ImageDraw.ImageDraw, fonts: FontSet, box: TextBox, line: str, runs: list[tuple[str, bool]], y: int
) -> None:
    """A line with emoji: text runs in the text font, emoji in the emoji font on the same baseline."""
    font = fonts.get(box.size, box.bold)
    emoji_font = fonts.get_emoji(box.size, box.bold)
    width = fonts.width(line, box.size, box.bold)
    x = box.x + {"center": (box.w - width) / 2, "right": box.w - width}.get(box.align, 0)
    baseline = y + font.getmetrics()[0]
    for run, emoji in runs:
        if emoji and emoji_font is not None:
            draw.text((x, baseline), run, font=emoji_font, fill=box.colour, anchor="ls")
        else:
            draw.text((x, y), run, font=font, fill=box.colour, anchor="la")
        x += fonts.width(run, box.size, box.bold)


def jpeg_bytes(image: Image.Image) -> bytes:
    """Deterministic JPEG: no EXIF, no timestamps; same pixels, same bytes."""
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=False, subsampling="4:2:0")
    return buf.getvalue()
