"""Image and font files the operator names (post images, the office logo and fonts): checked with Pillow before
anything renders or sends them, so a broken file or a decompression bomb is a file:line error."""

from __future__ import annotations

import warnings
from pathlib import Path

from ..i18n import _

FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "MPO": "JPEG"}  # MPO: phone cameras' JPEG with extra frames
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; far above the 1080-pixel-wide posts
MAX_SIDE = 12_000


def image_problem(path: Path) -> str:
    """Why this file cannot be used as a JPEG or PNG image, or "" if it can."""
    from PIL import Image, UnidentifiedImageError  # Pillow only when there is an image to look at

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                fmt, (width, height) = im.format, im.size
                if fmt in FORMATS and width * height <= MAX_PIXELS and max(width, height) <= MAX_SIDE:
                    im.verify()  # reads the whole file: a truncated or corrupt image fails here
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return _("the image is too large in pixels (a decompression bomb?)")
    except UnidentifiedImageError:
        return _("not an image file (JPEG or PNG)")
    except (OSError, SyntaxError, ValueError) as e:  # Pillow raises SyntaxError for broken PNG chunks
        return _("the image file is damaged: {error}").format(error=e)
    if fmt not in FORMATS:
        return _("the image is {format}, not JPEG or PNG").format(format=fmt)
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        return _("the image is {width}x{height} pixels; at most {limit} megapixels").format(
            width=width, height=height, limit=MAX_PIXELS // 1_000_000
        )
    return ""


def font_problem(path: Path) -> str:
    """Why Pillow cannot draw with this font file, or "" if it can."""
    from PIL import ImageFont

    try:
        ImageFont.truetype(str(path), 24)
    except (OSError, ValueError) as e:
        return _("not a font file Pillow can use (TrueType or OpenType): {error}").format(error=e)
    return ""
