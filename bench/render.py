"""Rendering speed: median milliseconds per SOP poster and per 3-slide carousel.

Every run renders from scratch into an empty media folder (no file cache). "cold" also empties
the in-process caches (loaded fonts and their character maps, glyph widths, QR codes,
rounded-corner masks); "warm" keeps
them, as a long-running daemon does. Target: <= 150 ms per image.

    PYTHONPATH=src python bench/render.py [--runs 15]
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from siaran.checks import load_project
from siaran.render import fonts as fonts_mod
from siaran.render import paint as paint_mod
from siaran.render import qr as qr_mod
from siaran.render.fonts import office_fonts
from siaran.render.images import post_images
from siaran.render.poster import sop_slides

ROOT = Path(__file__).resolve().parent.parent


def clear_caches() -> None:
    for fn in (
        fonts_mod._load,
        fonts_mod._load_emoji,
        fonts_mod._cmap,
        fonts_mod._digest,
        paint_mod._round_mask,
        paint_mod._check_mask,
        paint_mod.qr_image,
        qr_mod.make,
        qr_mod.fit,
    ):
        fn.cache_clear()


def carousel_post(project, post, slides: int):
    """The post with its lists repeated until it needs exactly ``slides`` slides."""
    sop = post.sop
    fonts = office_fonts(project.office)
    for times in range(1, 20):
        longer = dataclasses.replace(
            post,
            name=f"{post.name}-x{times}",
            sop=dataclasses.replace(sop, requirements=sop.requirements * times, steps=sop.steps * times),
        )
        if len(sop_slides(project.office, longer, fonts)) == slides:
            return longer
    raise SystemExit(f"no repetition of {post.name} gives {slides} slides")


def measure(project, post, runs: int, cold: bool) -> tuple[float, int]:
    times = []
    count = 0
    for _ in range(runs):
        media = Path(tempfile.mkdtemp(prefix="siaran-bench-"))
        if cold:
            clear_caches()  # glyph widths live on each FontSet, which post_images builds anew anyway
        start = time.perf_counter()
        paths = post_images(project, post, media)
        times.append((time.perf_counter() - start) * 1000)
        count = len(paths)
        shutil.rmtree(media)
    return statistics.median(times), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--project", type=Path, default=ROOT)
    args = parser.parse_args()
    project = load_project(args.project, date(2026, 11, 23))
    poster = project.posts["sop/kartu-keluarga"]
    carousel = carousel_post(project, poster, 3)
    print(f"{args.runs} runs each, median; render + JPEG encode + write, empty media folder every run")
    for label, post in (("SOP poster", poster), ("3-slide carousel", carousel)):
        for cold in (True, False):
            ms, n = measure(project, post, args.runs, cold)
            print(
                f"{label:18} {'cold' if cold else 'warm'}: {ms:7.1f} ms total, {ms / n:6.1f} ms per image ({n} images)"
            )


if __name__ == "__main__":
    main()
