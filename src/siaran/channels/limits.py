"""Provider text limits, enforced rather than discovered from failed sends: a WhatsApp text longer
than the driver's ``max_text`` goes as numbered parts split at paragraph boundaries (then lines,
then words), each within the limit; ``max_caption`` decides whether the text can ride on the
first image or follows the images. Each driver declares both (channels.base.Driver; 0 = none)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ..content.project import Project
from ..errors import ContentError
from ..i18n import _

WARN_PARTS = 3  # `siaran check` warns about a text that needs more parts than this
_NUMBER = "({n}/{total})\n"


def split_text(text: str, limit: int) -> list[str]:
    """``text`` as parts of at most ``limit`` characters, numbered "(1/3)" when more than one.
    Cut at blank lines where possible, else at line ends, else between words."""
    if not limit or len(text) <= limit:
        return [text]
    room = limit - len(_NUMBER.format(n=99, total=99))
    chunks: list[str] = []
    for block in _pieces(text, room):
        if chunks and len(chunks[-1]) + 2 + len(block) <= room:
            chunks[-1] += "\n\n" + block
        else:
            chunks.append(block)
    total = len(chunks)
    return [_NUMBER.format(n=i, total=total) + c for i, c in enumerate(chunks, 1)]


def _pieces(text: str, room: int) -> list[str]:
    """Paragraphs no longer than ``room``: a longer one is cut at lines, a longer line at words."""
    out = []
    for para in re.split(r"\n\s*\n", text.strip()):
        if len(para) <= room:
            out.append(para)
            continue
        out.extend(_pack(para.split("\n"), "\n", room))
    return out


def _pack(units: list[str], glue: str, room: int) -> list[str]:
    out: list[str] = []
    for unit in units:
        if len(unit) > room:
            words = unit.split(" ") if glue == "\n" else [unit[i : i + room] for i in range(0, len(unit), room)]
            out.extend(_pack(words, " ", room) if glue == "\n" else words)
            continue
        if out and len(out[-1]) + len(glue) + len(unit) <= room:
            out[-1] += glue + unit
        else:
            out.append(unit)
    return out


def plan_parts(text: str, images: Sequence[Path], max_text: int, max_caption: int) -> list[tuple[Path | None, str]]:
    """The requests of one message as (image or None, text): the text as the first image's caption
    when it fits, else every image first and then the text in numbered parts."""
    if images and (not max_caption or len(text) <= max_caption):
        return [(images[0], text)] + [(image, "") for image in images[1:]]
    return [(image, "") for image in images] + [(None, part) for part in split_text(text, max_text)]


def check_whatsapp_parts(project: Project) -> list[ContentError]:
    """A WhatsApp text that the configured provider takes only in more than WARN_PARTS parts (a warning)."""
    max_text = project.whatsapp_limits[0]
    found = []
    for post in sorted(project.posts.values(), key=lambda p: p.name):
        if "whatsapp" not in post.channels or not max_text:
            continue
        try:
            text = project.sample_text(post, "whatsapp")
        except ContentError:
            continue  # the template problem itself is reported by its own rule
        parts = len(split_text(text, max_text))
        if parts > WARN_PARTS:
            found.append(
                ContentError(
                    post.path.relative_to(project.root).as_posix(),
                    _(
                        "WhatsApp text is {count} characters: the provider takes at most {limit} per "
                        "message, so it goes as {parts} numbered parts; consider shortening it"
                    ).format(count=f"{len(text):,}", limit=f"{max_text:,}", parts=parts),
                    field="body",
                    warning=True,
                )
            )
    return found
