"""Images a post carries: rendered SOP posters and cards, then the operator's own files.

Rendered images are 1080x1350 JPEGs (Instagram 4:5; WhatsApp sends the same files) written to the
media folder as ``<post-name>-<hash>.jpg`` (or ``-1of3.jpg``, ``-2of3.jpg``... for a carousel).
The hash covers everything the pixels depend on, so unchanged content reuses the files already
there and a change of text, brand colour, logo or font renders new ones.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import re
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ..content import cache as versions
from ..content.files import slug, write_atomic
from ..content.model import Office, Post
from ..content.posts import MAX_IMAGES
from ..errors import ContentError, TemplateError
from ..i18n import _
from .fonts import FontSet, office_fonts
from .memo import RENDERING, memo

if TYPE_CHECKING:
    from .layout import Slide


def check_card_texts(project) -> list[ContentError]:
    """For ``siaran check``: every card must have one text for everyone (see ``card_text``)."""
    problems = []
    for post in project.posts.values():
        if renders_card(post) or post.instagram_card:
            try:
                card_text(project, post)
            except ContentError as e:
                problems.append(e)
    return problems


def renders_card(post: Post) -> bool:
    """SOPs always get a poster; greetings a card unless the operator brings an image; others on ``card: true``."""
    return post.kind == "sop" or post.card or (post.kind == "greeting" and not post.images)


def post_images(project, post: Post, media_dir: Path) -> tuple[Path, ...]:
    """The images every channel sends for this post (the same files for WhatsApp and Instagram)."""
    rendered = render_post(project, post, Path(media_dir)) if renders_card(post) else ()
    return (*rendered, *post.images)


def instagram_images(project, post: Post, media_dir: Path) -> tuple[Path, ...]:
    """What Instagram gets: the post's images, or the card made for it when it has none
    (``instagram_card``, content.pictures); WhatsApp gets ``post_images`` only."""
    if post.instagram_card and not renders_card(post) and not post.images:
        return render_post(project, dataclasses.replace(post, card=True), Path(media_dir))
    return post_images(project, post, media_dir)


def card_text(project, post: Post) -> str:
    """The short text a card shows: the post's summary, else its body (same for every recipient)."""
    if post.kind == "sop" or post.summary:
        return post.summary
    return project.once(("card", post.name), lambda: _card_body(project, post))


def _card_body(project, post: Post) -> str:
    try:
        return project.remembered(post, "card")
    except TemplateError as e:
        raise ContentError(
            post.path.relative_to(project.root).as_posix(),
            _(
                "the card shows one text to everyone, so it cannot use recipient fields; add a summary: line for"
                " the card ({error})"
            ).format(error=e.message),
            field="summary",
        ) from e


def check_glyphs(project) -> list[ContentError]:
    """For ``siaran check``: every character a rendered image shows has a glyph in the poster's
    fonts (text or emoji), so no image goes out with an empty box where a character should be."""
    fonts = office_fonts(project.office)
    office = project.office
    problems: list[ContentError] = []
    office_texts = (office.name, office.address, office.hours, office.whatsapp_display, office.instagram)
    sources: list[tuple[Path, tuple[str, ...]]] = [(project.root / "content" / "office.yaml", office_texts)]
    for post in project.posts.values():
        if not (renders_card(post) or post.instagram_card):
            continue
        texts = [post.title, post.event.time, post.event.place]
        if post.sop:
            sop = post.sop
            texts += [sop.service, sop.duration, sop.cost, *sop.requirements, *map(str, sop.steps), *sop.notes]
        with contextlib.suppress(ContentError):  # reported by check_card_texts
            texts.append(card_text(project, post))
        sources.append((post.path, tuple(texts)))
    for path, texts in sources:
        missing = "".join(dict.fromkeys(ch for t in texts for b in (False, True) for ch in fonts.missing(t, b)))
        if not missing:
            continue
        rel = path.relative_to(project.root).as_posix()
        lines = path.read_text(encoding="utf-8").splitlines()
        for ch in missing:
            line = next((n for n, text in enumerate(lines, 1) if ch in text), None)
            problems.append(
                ContentError(
                    rel,
                    _(
                        "the character {char!r} ({code}) has no glyph in the poster fonts and would show as an"
                        " empty box: remove it or set font: in content/office.yaml to a font that has it"
                    ).format(char=ch, code=f"U+{ord(ch):04X}"),
                    line=line,
                )
            )
    return problems


def slides_for(project, post: Post, fonts: FontSet, text: str) -> list[Slide]:
    # The layout code only when slides are laid out: `check` finds most slide counts remembered.
    from .cards import announcement_slides
    from .greeting import greeting_slides
    from .poster import sop_slides

    office = project.office
    if post.kind == "sop":
        return sop_slides(office, post, fonts)
    if post.kind == "greeting":
        return greeting_slides(office, post, text, fonts, greeting_day(project, post))
    return announcement_slides(office, post, text, fonts)


def greeting_day(project, post: Post):
    """The day a greeting card names: the holiday's next date in the office's calendar."""
    if post.kind != "greeting" or not post.holiday or project.today is None:
        return None
    return holiday_date(project.calendar, post.holiday, project.today)


def holiday_date(calendar, holiday: str, today: date) -> date | None:
    """The holiday's next date (or one that passed at most a week ago)."""
    for year in (today.year - 1, today.year, today.year + 1):
        for when in sorted(calendar.on(holiday, year)):
            if when >= today - timedelta(days=7):
                return when
    return None


_described: dict[int, tuple[Office, dict]] = {}  # the office last described: every post's inputs hold it


def _office_inputs(office: Office) -> dict:
    found = _described.get(id(office))
    if found is None or found[0] is not office:
        data = dataclasses.asdict(office)
        for key in ("logo", "font", "font_bold"):
            path = getattr(office, key)
            data[key] = hashlib.sha256(path.read_bytes()).hexdigest() if path else ""
        if office.signature and office.signature.photo:
            data["signature"]["photo"] = hashlib.sha256(office.signature.photo.read_bytes()).hexdigest()
        _described.clear()
        _described[id(office)] = found = (office, data)
    return found[1]


def _inputs(office: Office, post: Post, fonts: FontSet, text: str, day=None) -> dict:
    """Every input of the slides' layout and pixels but the code drawing them (siaran.content.cache)."""
    return {
        "fonts": fonts.identity(),
        "office": _office_inputs(office),
        "post": {
            "kind": post.kind,
            "title": post.title,
            "theme": post.theme,
            "event": dataclasses.asdict(post.event),
            "sop": dataclasses.asdict(post.sop) if post.sop else None,
            "text": text,
            "holiday": post.holiday,
            "day": day,
        },
    }


def render_key(office: Office, post: Post, fonts: FontSet, text: str, day=None) -> str:
    """A digest of every input of the rendered pixels: the data, and rendering's code and libraries."""
    return versions.key(versions.version(*RENDERING), _inputs(office, post, fonts, text, day))[:12]


def slide_count(project, post: Post, fonts: FontSet, text: str) -> int:
    """How many slides the post's card makes, remembered by a digest of its inputs (render's cache
    folder, per Pillow version: the fonts' metrics come from it): laying out every card is most of
    what `siaran check` spends on images."""
    inputs = _inputs(project.office, post, fonts, text, greeting_day(project, post))
    found = versions.key(versions.version(*RENDERING), inputs)
    return memo("slide-counts").get(found, lambda: len(slides_for(project, post, fonts, text)))


def cached(media_dir: Path, stem: str) -> tuple[Path, ...] | None:
    """The complete set of files rendered earlier under ``stem``, if there is one."""
    single = media_dir / f"{stem}.jpg"
    if single.is_file():
        return (single,)
    parts: dict[int, set[int]] = {}
    pattern = re.compile(re.escape(stem) + r"-(\d+)of(\d+)\.jpg")
    for path in media_dir.glob(f"{stem}-*of*.jpg"):
        m = pattern.fullmatch(path.name)
        if m:
            parts.setdefault(int(m[2]), set()).add(int(m[1]))
    for count, seen in sorted(parts.items()):
        if seen == set(range(1, count + 1)):
            return tuple(media_dir / f"{stem}-{i}of{count}.jpg" for i in range(1, count + 1))
    return None


def render_post(project, post: Post, media_dir: Path) -> tuple[Path, ...]:
    """Render (or reuse) the post's poster or card slides as JPEG files in ``media_dir``."""
    fonts = office_fonts(project.office)
    text = card_text(project, post)
    stem = f"{slug(post.name)}-{render_key(project.office, post, fonts, text, greeting_day(project, post))}"
    if media_dir.is_dir():
        found = cached(media_dir, stem)
        if found:
            return found
    from .paint import jpeg_bytes, paint

    slides = slides_for(project, post, fonts, text)
    media_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for slide in slides:
        name = f"{stem}.jpg" if slide.count == 1 else f"{stem}-{slide.index}of{slide.count}.jpg"
        paths.append(write_atomic(media_dir / name, jpeg_bytes(paint(slide, fonts))))
    return tuple(paths)


def check_slide_counts(project) -> list[ContentError]:
    """For ``siaran check``: rendered slides plus the operator's images fit one Instagram carousel
    (an SOP of 400 steps would otherwise become 30 slides)."""
    problems = []
    fonts = None
    for post in project.posts.values():
        if not (renders_card(post) or post.instagram_card):
            continue
        fonts = fonts or office_fonts(project.office)
        try:
            count = slide_count(project, post, fonts, card_text(project, post)) + len(post.images)
        except ContentError:
            continue  # check_card_texts reports it
        if count > MAX_IMAGES:
            problems.append(
                ContentError(
                    post.path.relative_to(project.root).as_posix(),
                    _(
                        "makes {count} images; at most {limit} fit one post (Instagram's limit): shorten or split it"
                    ).format(count=count, limit=MAX_IMAGES),
                    field="steps" if post.kind == "sop" else "image",
                    line=post.lines.get("steps" if post.kind == "sop" else "image"),
                )
            )
    return problems
