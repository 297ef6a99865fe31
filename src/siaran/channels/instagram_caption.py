"""Instagram captions: the rules ``siaran check`` applies before anything is queued, and telling
whether a caption on the profile is the one siaran queued.

Instagram refuses a caption over 2,200 characters, more than 30 hashtags or more than 20
@mentions (Graph API content publishing guide). A caption too long or with too many hashtags is
shortened (``fit``: hashtags past the 30th dropped, then cut at a line boundary with a pointer to
the slides) and ``siaran check`` warns; too many @mentions stays an error of that post.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..content.project import Project
from ..errors import ContentError
from ..i18n import _
from .instagram_media import ratio_ok

MAX_CHARS = 2200
MAX_HASHTAGS = 30
MAX_MENTIONS = 20
MAX_IMAGES = 10  # carousel children

# A tag starts after a space or line start (not inside a word or an e-mail address).
HASHTAG = re.compile(r"(?<![\w#])#\w+")
MENTION = re.compile(r"(?<![\w@.])@[A-Za-z0-9._]*[A-Za-z0-9_]")


@dataclass(frozen=True)
class CaptionStats:
    """What Instagram counts in a caption."""

    chars: int
    hashtags: int
    mentions: int


def stats(caption: str) -> CaptionStats:
    return CaptionStats(len(caption), len(HASHTAG.findall(caption)), len(MENTION.findall(caption)))


def problems(caption: str) -> list[str]:
    """What Instagram would refuse in this caption, in plain words (empty: fine)."""
    s = stats(caption)
    out = []
    if s.chars > MAX_CHARS:
        out.append(
            _("Instagram caption is {count} characters; the limit is {limit}").format(count=s.chars, limit=MAX_CHARS)
        )
    if s.hashtags > MAX_HASHTAGS:
        out.append(
            _("Instagram caption has {count} hashtags; the limit is {limit}").format(
                count=s.hashtags, limit=MAX_HASHTAGS
            )
        )
    if s.mentions > MAX_MENTIONS:
        out.append(
            _("Instagram caption has {count} @mentions; the limit is {limit}").format(
                count=s.mentions, limit=MAX_MENTIONS
            )
        )
    return out


POINTER = "… (selengkapnya di gambar/slide)"


def fit(caption: str) -> str:
    """A caption Instagram takes: hashtags past the 30th dropped, then cut at the last line that
    fits, with a pointer to the slides (the whole text is on them or in the WhatsApp message)."""
    seen = 0

    def keep(m: re.Match) -> str:
        nonlocal seen
        seen += 1
        return m.group(0) if seen <= MAX_HASHTAGS else ""

    if stats(caption).hashtags > MAX_HASHTAGS:
        caption = re.sub(r"[ \t]+\n", "\n", re.sub(r"[ \t]{2,}", " ", HASHTAG.sub(keep, caption))).strip()
    if len(caption) <= MAX_CHARS:
        return caption
    room = MAX_CHARS - len(POINTER) - 2
    lines, size = [], 0
    for line in caption.splitlines():
        if size + len(line) + 1 > room:
            break
        lines.append(line)
        size += len(line) + 1
    head = "\n".join(lines).rstrip() if lines else caption[:room].rsplit(" ", 1)[0]
    return f"{head}\n\n{POINTER}"


def check_captions(project: Project) -> list[ContentError]:
    found = []
    for post in sorted(project.posts.values(), key=lambda p: p.name):
        if "instagram" not in post.channels:
            continue
        try:
            caption = project.sample_text(post, "instagram")
        except ContentError:
            continue  # the template problem itself is already reported by load_project
        rel = post.path.relative_to(project.root).as_posix()
        for message in problems(caption):
            # fit() handles length and hashtags, not mentions (the only message naming an "@", in any language)
            shortened = "@" not in message
            if shortened:
                message += _("; it is shortened to {count} characters with a pointer to the slides").format(
                    count=f"{len(fit(caption)):,}"
                )
            found.append(ContentError(rel, message, field="caption", warning=shortened))
        found.extend(_image_problems(post, rel))
    return found


def _image_problems(post, rel: str) -> list[ContentError]:
    """The post's own images: a carousel holds at most 10; feed images are 4:5 to 1.91:1."""
    out = []
    if len(post.images) > MAX_IMAGES:
        out.append(
            ContentError(
                rel,
                _("an Instagram post takes at most {limit} images, not {count}").format(
                    limit=MAX_IMAGES, count=len(post.images)
                ),
                field="image",
            )
        )
    for path in post.images:
        from PIL import Image, UnidentifiedImageError  # Pillow only when there is an image to look at

        try:
            with Image.open(path) as im:
                w, h = im.size
        except (OSError, UnidentifiedImageError):
            out.append(ContentError(rel, _("{name} is not a readable image").format(name=path.name), field="image"))
            continue
        if not ratio_ok(w, h):
            out.append(
                ContentError(
                    rel,
                    _("{name} is {width}×{height}: Instagram (Graph API) refuses images outside 4:5 to 1.91:1").format(
                        name=path.name, width=w, height=h
                    ),
                    field="image",
                    warning=True,
                )
            )
    return out


# Operators fix a typo or drop an emoji before sharing, and Instagram may trim whitespace, so
# captions are compared as normalised text.
SAME_CAPTION = 0.85


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = "".join(ch if ch.isalnum() or ch in "#@" else " " for ch in text)
    return re.sub(r"\s+", " ", text).strip()


def similarity(a: str, b: str) -> float:
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    from difflib import SequenceMatcher  # only when the profile is compared, not for `check`

    return SequenceMatcher(None, na, nb, autojunk=False).ratio()


def same_caption(a: str, b: str, threshold: float = SAME_CAPTION) -> bool:
    return similarity(a, b) >= threshold
