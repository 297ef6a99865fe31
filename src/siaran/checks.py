"""`siaran check`: the project read as a whole, then every rule below, in this one explicit list.

A rule is ``f(project) -> list[ContentError]``; a problem marked ``warning`` is shown but does not
stop anything. Rules live beside what they know (poster QR targets in render, caption limits in the
Instagram channel); this module only lists them, so what `check` applies never depends on which
modules happen to be imported.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .channels.instagram_caption import check_captions
from .channels.limits import check_whatsapp_parts
from .content.autoreply import check_autoreply
from .content.calendar import missing_greetings
from .content.pictures import give_pictures
from .content.posts import post_files
from .content.project import Project, load_content, unique
from .errors import ContentError, ContentErrors
from .i18n import _
from .render.images import check_card_texts, check_glyphs, check_slide_counts
from .render.qr_links import check_qr_targets
from .render.remembered import LazyRenderer, TextMemo, TextStore
from .schedule import greetings_by_holiday
from .schedule.lifetime import check_event_dates


def check_templates(project: Project) -> list[ContentError]:
    """Every channel and kind a post needs has a template, and each template compiles."""
    if project.texts is None:
        return list(project.renderer.check_templates())
    return project.texts.templates_compile(lambda: list(project.renderer.check_templates()))


def check_texts_render(project: Project) -> list[ContentError]:
    """Every post renders on each of its channels (for the first person on its lists)."""
    problems = []
    for post in project.posts.values():
        for channel in post.channels:
            try:
                project.sample_text(post, channel)
            except ContentError as e:
                problems.append(e)
    return problems


def check_greetings(project: Project) -> list[ContentError]:
    """A holiday in the next 30 days that has no greeting (a warning)."""
    if project.today is None:
        return []
    greeted = set(greetings_by_holiday(project.posts))
    return [
        ContentError(
            "content/greetings/",
            _(
                "{name} on {date} ({days} days from now) has no greeting; add one with `holiday: {name}` in its"
                " front matter"
            ).format(name=d.name, date=d.date.isoformat(), days=(d.date - project.today).days),
            field="holiday",
            warning=True,
        )
        for d in missing_greetings(project.calendar, greeted, project.today)
    ]


Rule = Callable[[Project], list[ContentError]]
RULES: tuple[Rule, ...] = (
    check_templates,
    check_texts_render,
    check_qr_targets,
    check_card_texts,
    check_glyphs,
    check_slide_counts,
    check_captions,
    check_whatsapp_parts,
    check_greetings,
    check_autoreply,
    check_event_dates,
)


def load_project(
    root: Path,
    today: date | datetime,
    *,
    strict_lists: bool = False,
    tolerant: bool = False,
    whatsapp_limits: tuple[int, int] = (0, 0),
    auto_card: bool = True,
    texts: TextStore | None = None,
    **readers: Any,
) -> Project:
    """The project, checked by every rule. Raises ContentErrors listing every problem — unless
    ``tolerant``: then only an unreadable office raises, broken posts are left out (their problems
    kept in ``project.broken``) and every problem is kept in ``project.problems``, so the daemon
    and the read-only commands go on with what is sound. ``readers``: how lists are read
    (``read_list``, ``first_recipient``; see content.project.load_content). ``texts``: where texts
    rendered before are remembered (siaran.render.remembered)."""
    problems: list[ContentError] = []
    project = load_content(root, today, problems, strict_lists=strict_lists, **readers)
    problems.extend(give_pictures(project, auto_card))  # before the rules: they check the cards too
    project.renderer = LazyRenderer(lambda: _renderer(project))
    if texts is not None:
        project.texts = TextMemo(project.root, project.office, project.calendar, project.today, texts)
    project.whatsapp_limits = whatsapp_limits
    for rule in RULES:
        problems.extend(rule(project))
    errors = unique([p for p in problems if not p.warning])
    project.warnings = unique(project.warnings + [p for p in problems if p.warning])
    if errors and not tolerant:
        raise ContentErrors(errors)
    if errors:
        _set_aside_broken(project, errors)
    return project


def _renderer(project: Project) -> Any:
    from .render.text import TextRenderer  # Jinja2, for a text not rendered before

    return TextRenderer(project.root, project.office, project.calendar, project.today)


def _set_aside_broken(project: Project, errors: list[ContentError]) -> None:
    """Which posts the problems hold back: a post file that did not load, a problem naming the
    post's file, or a post that does not render (a broken template it uses)."""
    project.problems = errors
    by_file: dict[str, list[ContentError]] = {}
    for e in errors:
        by_file.setdefault(Path(e.path).as_posix(), []).append(e)
    for path in post_files(project.root):
        rel = path.relative_to(project.root).as_posix()
        name = rel.removeprefix("content/").rsplit(".", 1)[0]
        own = by_file.get(rel, [])
        post = project.posts.get(name)
        if post is not None and not own:
            own = _render_problems(project, post)
        if own:
            project.broken[name] = own
            if name in project.posts:
                project.set_aside[name] = project.posts.pop(name)


def _render_problems(project: Project, post) -> list[ContentError]:
    for channel in post.channels:
        try:
            project.sample_text(post, channel)
        except ContentError as e:
            return [e]
    return []
