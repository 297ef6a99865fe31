"""Render's cache folder: what rendering derives and can always compute again (compiled templates,
the code points a font has, the size of a link's QR code, a card's slide count), kept between
commands because finding it takes a slow import or a long computation. The folder is named by
``siaran.content.cache.version`` of rendering's code (every render module and each package it uses: Pillow,
segno, fontTools, Jinja2), so other code starts a fresh one; ``SIARAN_CACHE_DIR`` moves it."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ..content import cache as versions
from ..content.files import DiskMemo, user_cache_dir

RENDERING = ("siaran.render.images", "siaran.render.text", "siaran.render.compiled")


@cache
def folder() -> Path | None:
    """The folder, made private to the office account; None when it cannot be made."""
    path = user_cache_dir() / f"render-{versions.version(*RENDERING)}"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return path


@cache
def memo(name: str, limit: int | None = None) -> DiskMemo:
    """The answers of one kind (``limit``: see DiskMemo)."""
    where = folder()
    return DiskMemo(where / f"{name}.json" if where else None, limit)
