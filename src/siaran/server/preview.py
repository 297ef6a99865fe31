"""One post as the phone and Instagram show it: the context the preview template needs, and the
same preview written as a static page (`siaran preview NAME --html DIR`, images copied beside it)."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from ..app import App
from ..content.list_store import Lists
from ..content.model import Post, Recipient
from ..content.project import Project
from ..errors import ContentError
from ..i18n import _, format_day, language, ngettext
from ..reasons import say
from ..render.images import instagram_images, post_images
from ..render.markup import to_html

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
MAX_CHOICES = 1000  # people offered in the recipient picker; a bigger list is cut (the page stays light)
CAPTION_FOLD = 125  # Instagram folds a caption after about this many characters ("... selengkapnya")


@dataclass
class Preview:
    post: Post
    recipient: Recipient
    choices: list[Recipient]
    whatsapp: Markup | None  # the text as the phone shows it
    whatsapp_chars: int
    caption: str | None
    caption_head: Markup | None  # what Instagram shows before "selengkapnya"
    caption_html: Markup | None
    images: list[Path]
    handle: str


def environment() -> jinja2.Environment:
    """The page's templates (HTML-escaped by default); shared by the server and the static export.
    Their texts are English msgids (``{{ _("History") }}``) translated at each render, in the language
    of that moment; dates too (``| day``); ``| say`` shows a reason history keeps in English."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, extensions=["jinja2.ext.i18n"]
    )
    env.install_gettext_callables(gettext=_, ngettext=ngettext, newstyle=True)
    env.filters["wa"] = to_html
    env.filters["day"] = format_day
    env.filters["say"] = say
    env.globals["language"] = language
    return env


def build(app: App, name: str, phone: str | None = None) -> Preview:
    project = app.project
    post = project.post(name)
    choices = _choices(project, post)
    chosen = next((r for r in choices if r.phone == phone), None) or (choices[0] if choices else None)
    recipient = chosen or project.sample_recipient(post)
    text = project.renderer.render(post, "whatsapp", recipient) if "whatsapp" in post.channels else None
    caption = project.renderer.render(post, "instagram") if "instagram" in post.channels else None
    return Preview(
        post=post,
        recipient=recipient,
        choices=choices,
        whatsapp=to_html(text) if text is not None else None,
        whatsapp_chars=len(text or ""),
        caption=caption,
        caption_head=_caption_html(caption[:CAPTION_FOLD].rstrip()) if caption else None,
        caption_html=_caption_html(caption) if caption else None,
        images=list(post_images(project, post, app.media_dir) or instagram_images(project, post, app.media_dir)),
        handle=project.office.instagram or project.office.name,
    )


def _choices(project: Project, post: Post) -> list[Recipient]:
    seen: dict[str, Recipient] = {}
    lists = project.lists
    for name in post.lists:
        # The page knows lists by name only; a preview for a chosen person is what opens one.
        try:
            found = (lists.read_now(name) if isinstance(lists, Lists) else lists[name]) if name in lists else None
        except ContentError:  # a broken list: the stand-in reads the preview (`siaran check` names the row)
            found = None
        for r in found.recipients if found else ():
            seen.setdefault(r.phone, r)
            if len(seen) >= MAX_CHOICES:
                return list(seen.values())
    return list(seen.values())


def _caption_html(caption: str) -> Markup:
    """Instagram shows the caption as typed: line breaks kept, #hashtags and @mentions as links."""
    html = str(escape(caption))
    html = re.sub(r"(?<![\w&])([#@][\w.]+)", r"<span class='tag'>\1</span>", html)
    return Markup(html.replace("\n", "<br>"))


def write_html(app: App, name: str, out: Path) -> Path:
    """The preview as one static page in ``out`` (images copied beside it); returns the page's path."""
    preview = build(app, name)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for image in preview.images:
        shutil.copyfile(image, out / image.name)
        files.append(image.name)
    html = (
        environment()
        .get_template("pratinjau.html")
        .render(
            p=preview,
            image_urls=files,
            css=Markup((STATIC / "page.css").read_text(encoding="utf-8")),
            static=True,
            path="",
            office=app.project.office,
        )
    )
    page = out / (post_slug(preview.post.name) + ".html")
    page.write_text(html, encoding="utf-8")
    return page


def post_slug(name: str) -> str:
    return name.replace("/", "-")
