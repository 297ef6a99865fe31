"""Render's cache folder: what rendering derives and can always compute again (compiled templates,
the code points a font has, the size of a link's QR code), kept between commands because finding
it takes a slow import or a long computation. The folder is named after render's modules as
installed, so a new siaran starts a fresh one; ``SIARAN_CACHE_DIR`` moves it."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ..content.files import DiskMemo, installed_stamp, tree_fingerprint, user_cache_dir


@cache
def folder() -> Path | None:
    """The folder, made private to the office account; None when it cannot be made."""
    key = tree_fingerprint(Path(__file__).parent, suffixes=(".py",))[:16]
    path = user_cache_dir() / f"render-{key}"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return path


@cache
def memo(name: str, package: str) -> DiskMemo:
    """The answers of one kind, computed by ``package`` (its installed version is part of the name)."""
    where = folder()
    return DiskMemo(where / f"{name}-{installed_stamp(package)}.json" if where else None)
