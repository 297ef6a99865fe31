"""A project folder loaded and validated as a whole: office, posts, lists, templates, calendar,
schedules. Every problem is collected (file, line, field) so the operator fixes them in one pass;
any error stops every command before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from .calendar import Calendar, load_calendar
from .content.lists import invalid_row_errors, load_list
from .content.model import BroadcastList, Office, Post, Recipient
from .content.office import load_office
from .content.posts import load_post, post_files
from .errors import ContentError, ContentErrors
from .render.text import TextRenderer
from .schedule import Schedule, load_schedule, schedule_files

SAMPLE_RECIPIENT = Recipient(phone="+6281200000000", name="Warga", list="contoh")

# Extra checks other modules register (e.g. caption rules, SOP QR targets): f(project) -> problems.
EXTRA_CHECKS: list[Callable[[Project], list[ContentError]]] = []


@dataclass
class Project:
    root: Path
    office: Office
    posts: dict[str, Post]
    lists: dict[str, BroadcastList]
    calendar: Calendar
    schedules: dict[str, Schedule]
    renderer: TextRenderer
    warnings: list[ContentError] = field(default_factory=list)
    today: date | None = None  # the office's date when loaded (for checks that look ahead)

    def post(self, name: str) -> Post:
        name = name.removeprefix("content/").rsplit(".", 1)[0] if name.endswith((".md", ".yaml")) else name
        try:
            return self.posts[name]
        except KeyError:
            raise ContentError("content/", f"no post named {name!r}; `siaran list` shows them") from None

    def list_rel(self, name: str) -> str:
        return f"content/lists/{name}.csv"


def load_project(root: Path, today: date | datetime, *, strict_lists: bool = False) -> Project:
    """Raises ContentErrors listing every problem. With ``strict_lists`` an invalid phone row is
    an error (``siaran check``); otherwise it is a warning and the row is skipped."""
    root = Path(root)
    problems: list[ContentError] = []
    if not (root / "content").is_dir():
        raise ContentErrors(
            [ContentError(str(root), "not a siaran project: there is no content/ folder here (use --project DIR)")]
        )
    office = load_office(root, problems)
    if isinstance(today, datetime):  # the office's own date, not UTC's (06:00 WITA is still yesterday in UTC)
        today = today.astimezone(office.timezone).date() if office else today.date()
    calendar = load_calendar(root, problems)

    lists: dict[str, BroadcastList] = {}
    warnings: list[ContentError] = []
    for path in sorted((root / "content" / "lists").glob("*.csv")):
        rel = path.relative_to(root).as_posix()
        try:
            blist = load_list(path, rel, office.region if office else "ID")
        except ContentError as e:
            problems.append(e)
            continue
        lists[blist.name] = blist
        rows = invalid_row_errors(blist, rel, warning=not strict_lists)
        (problems if strict_lists else warnings).extend(rows)

    posts: dict[str, Post] = {}
    for path in post_files(root):
        post = load_post(root, path, problems)
        if post:
            posts[post.name] = post

    known_days = calendar.names((today.year, today.year + 1))
    for post in posts.values():
        rel = post.path.relative_to(root).as_posix()
        for name in post.lists:
            if name not in lists:
                problems.append(
                    ContentError(
                        rel, f"no list {name!r} in content/lists/", line=post.lines.get("lists"), field="lists"
                    )
                )
        if post.holiday and post.holiday not in known_days:
            problems.append(
                ContentError(
                    rel,
                    f"{post.holiday!r} is not a day the calendar knows; `siaran holidays` lists the names",
                    line=post.lines.get("holiday"),
                    field="holiday",
                )
            )

    schedules: dict[str, Schedule] = {}
    for path in schedule_files(root):
        sched = load_schedule(root, path, problems)
        if sched is None:
            continue
        schedules[sched.name] = sched
        rel = path.relative_to(root).as_posix()
        for name in sched.posts:
            if name not in posts:
                problems.append(
                    ContentError(
                        rel,
                        f"no post named {name!r}",
                        line=sched.lines.get("series" if sched.series else "post"),
                        field="series" if sched.series else "post",
                    )
                )
        for name in sched.lists:
            if name not in lists:
                problems.append(
                    ContentError(
                        rel, f"no list {name!r} in content/lists/", line=sched.lines.get("lists"), field="lists"
                    )
                )
        for name in sched.holidays:
            if name not in known_days:
                problems.append(
                    ContentError(
                        rel,
                        f"{name!r} is not a day the calendar knows",
                        line=sched.lines.get("holiday"),
                        field="holiday.names",
                    )
                )

    if office is None:
        raise ContentErrors(problems)
    renderer = TextRenderer(root, office)
    problems.extend(renderer.check_templates())
    project = Project(root, office, posts, lists, calendar, schedules, renderer, warnings, today=today)
    for post in posts.values():
        sample = next((r for n in post.lists if n in lists for r in lists[n].recipients[:1]), SAMPLE_RECIPIENT)
        for channel in post.channels:
            try:
                renderer.render(post, channel, sample if channel == "whatsapp" else None)
            except ContentError as e:
                problems.append(e)
    for check in EXTRA_CHECKS:
        for p in check(project):
            (warnings if p.warning else problems).append(p)
    errors = [p for p in problems if not p.warning]
    if errors:
        raise ContentErrors(_unique(errors))
    project.warnings = _unique(warnings + [p for p in problems if p.warning])
    return project


def _unique(problems: list[ContentError]) -> list[ContentError]:
    seen, out = set(), []
    for p in problems:
        key = str(p)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
