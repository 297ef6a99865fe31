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

from .channels.instagram_caption import check_captions
from .content.autoreply import check_autoreply
from .content.calendar import missing_greetings
from .content.project import Project, load_content, unique
from .errors import ContentError, ContentErrors
from .i18n import _
from .render.images import check_card_texts, check_glyphs
from .render.poster import check_qr_targets
from .render.text import TextRenderer
from .schedule import greetings_by_holiday


def check_templates(project: Project) -> list[ContentError]:
    """Every channel and kind a post needs has a template, and each template compiles."""
    return list(project.renderer.check_templates())


def check_texts_render(project: Project) -> list[ContentError]:
    """Every post renders on each of its channels (for the first person on its lists)."""
    problems = []
    for post in project.posts.values():
        sample = project.sample_recipient(post)
        for channel in post.channels:
            try:
                project.renderer.render(post, channel, sample if channel == "whatsapp" else None)
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
    check_captions,
    check_greetings,
    check_autoreply,
)


def load_project(root: Path, today: date | datetime, *, strict_lists: bool = False) -> Project:
    """The project, checked by every rule. Raises ContentErrors listing every problem."""
    problems: list[ContentError] = []
    project = load_content(root, today, problems, strict_lists=strict_lists)
    project.renderer = TextRenderer(project.root, project.office, project.calendar, project.today)
    for rule in RULES:
        problems.extend(rule(project))
    errors = [p for p in problems if not p.warning]
    if errors:
        raise ContentErrors(unique(errors))
    project.warnings = unique(project.warnings + [p for p in problems if p.warning])
    return project
