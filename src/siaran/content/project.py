"""A project folder read as a whole: office, posts, lists, calendar, schedules, and the references
between them. Every problem is collected (file, line, field) so the operator fixes them in one pass.
The rules that need rendering or channel limits run after this, in siaran.checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import ContentError, ContentErrors, did_you_mean
from ..i18n import _
from . import yaml_memo
from .calendar import Calendar, load_calendar
from .files import slug
from .list_store import FirstReader, Lists, Reader
from .lists import invalid_row_errors, lists_by_name, load_list
from .model import BroadcastList, Office, Post, Recipient
from .office import load_office
from .phones import Numbers, parse_all
from .posts import load_post, post_files
from .schedules import Schedule, load_schedule, schedule_files
from .yamlfile import twin_files

# Who a personal message is previewed and checked for when a post's lists are empty.
SAMPLE_RECIPIENT = Recipient(phone="+6281200000000", name="Warga", list="contoh")


class _AnyColumns(dict):
    def __missing__(self, key: str) -> str:
        return "…"


@dataclass(frozen=True, slots=True)
class StandInRecipient(Recipient):
    """Whom messages are checked for when the lists are not read (history, report, the page):
    every column a template names is there, so no check depends on a list's columns."""

    def for_template(self) -> dict[str, Any]:
        return _AnyColumns(Recipient.for_template(self))


ANY_RECIPIENT = StandInRecipient(phone="+6281200000000", name="Warga", list="contoh")


@dataclass
class Project:
    """A project folder read as a whole (see the module's docstring)."""

    root: Path
    office: Office
    posts: dict[str, Post]
    lists: Lists | dict[str, BroadcastList]  # read on first use (Lists), so commands that never look stay fast
    calendar: Calendar
    schedules: dict[str, Schedule]
    warnings: list[ContentError] = field(default_factory=list)
    today: date | None = None  # the office's date when loaded (for checks that look ahead)
    renderer: Any = None  # siaran.render.text.TextRenderer, set by siaran.checks.load_project
    texts: Any = None  # siaran.render.remembered.TextMemo: texts rendered before, when there is a history
    # Loaded tolerantly (daemon, read-only commands): every error found, and the posts they hold back.
    problems: list[ContentError] = field(default_factory=list)
    broken: dict[str, list[ContentError]] = field(default_factory=dict)
    set_aside: dict[str, Post] = field(default_factory=dict)  # broken posts that did load (a greeting's holiday)
    whatsapp_limits: tuple[int, int] = (0, 0)  # (max_text, max_caption) of the configured provider
    _texts: dict[tuple[str, str], str | ContentError] = field(default_factory=dict, repr=False)

    def sample_recipient(self, post: Post) -> Recipient:
        """The first person on the post's lists, or a stand-in: whom previews and checks render for."""
        if getattr(self.lists, "unread", False):
            return ANY_RECIPIENT
        for name in post.lists:
            if name in self.lists:
                first = (
                    self.lists.first(name)
                    if isinstance(self.lists, Lists)
                    else next(iter(self.lists[name].recipients), None)
                )
                if first is not None:
                    return first
        return SAMPLE_RECIPIENT

    def sample_text(self, post: Post, channel: str) -> str:
        """What ``channel`` gets of ``post``: for its sample recipient on WhatsApp, for nobody on
        Instagram (see ``once``)."""
        recipient = self.sample_recipient(post) if channel == "whatsapp" else None
        return self.once((channel, post.name), lambda: self.remembered(post, channel, recipient))

    def remembered(self, post: Post, channel: str, recipient: Recipient | None = None) -> str:
        """``post`` rendered for ``channel`` (``card``: its body alone, for everyone), as remembered
        when nothing that decides it changed."""

        def render() -> str:
            if channel == "card":
                return self.renderer.render_body(post)
            return self.renderer.render(post, channel, recipient)

        return render() if self.texts is None else self.texts.text(post, channel, recipient, render)

    def once(self, key: tuple[str, str], render: Callable[[], str]) -> str:
        """A text the rules of siaran.checks read (the same one for several rules), rendered once;
        its ContentError raised to each of them."""
        found = self._texts.get(key)
        if found is None:
            try:
                found = render()
            except ContentError as e:
                found = e
            self._texts[key] = found
        if isinstance(found, ContentError):
            raise found
        return found

    def post(self, name: str) -> Post:
        name = name.removeprefix("content/").rsplit(".", 1)[0] if name.endswith((".md", ".yaml", ".yml")) else name
        if name in self.broken:
            raise ContentErrors(self.broken[name])
        try:
            return self.posts[name]
        except KeyError:
            raise ContentError(
                "content/",
                _("no post named {name!r}").format(name=name)
                + (did_you_mean(name, self.posts) or _("; `siaran list` shows them")),
            ) from None

    def greeting_posts(self) -> dict[str, Post]:
        """Posts a holiday schedule looks at: broken greetings too, so their day is recorded as held."""
        return {**self.posts, **self.set_aside}

    def held_by(self, schedule: Schedule, post: str) -> str:
        """Why an occurrence of ``schedule`` sending ``post`` cannot go out now ('' = it can):
        a problem in the post, or in the schedule's own lists or holiday names."""
        if post in self.broken:
            return "; ".join(str(e) for e in self.broken[post])
        if post and post not in self.posts:
            return f"{schedule.path.relative_to(self.root).as_posix()}: " + _("no post named {name!r}").format(
                name=post
            )
        rel = schedule.path.relative_to(self.root).as_posix()
        own = [e for e in self.problems if Path(e.path).as_posix() == rel and e.field not in ("post", "series")]
        return "; ".join(str(e) for e in own)

    def list_rel(self, name: str) -> str:
        found = self.lists.get(name)
        return found.path.relative_to(self.root).as_posix() if found else f"content/lists/{name}.csv"


def load_content(
    root: Path,
    today: date | datetime,
    problems: list[ContentError],
    *,
    strict_lists: bool = False,
    read_list: Reader = load_list,
    first_recipient: FirstReader | None = None,
    unread_lists: bool = False,
    numbers: Numbers = parse_all,
) -> Project:
    """Reads every file, appending what is wrong to ``problems``; raises ContentErrors only when the
    office itself cannot be read. With ``strict_lists`` (``siaran check``) every list is read now and
    an invalid phone row is an error; otherwise lists are read when first used (``read_list``, which
    the application wraps with its cache) and an invalid row is skipped and reported by the send.
    With ``unread_lists``, lists are known by name only and no list file is opened. ``numbers``
    parses the office's and the SOPs' own numbers (the application's phone book)."""
    root = Path(root)
    if not (root / "content").is_dir():
        raise ContentErrors(
            [
                ContentError(
                    str(root),
                    _("not a siaran project: there is no content/ folder here (use --project DIR, or `siaran init`)"),
                )
            ]
        )
    for folder in (root / "content", root / "schedules"):
        for yaml_file, yml_file in twin_files(folder):
            problems.append(
                ContentError(
                    yml_file.relative_to(root).as_posix(),
                    _("{name} exists too: keep one of the two files").format(name=yaml_file.name),
                    line=1,
                )
            )
    office = load_office(root, problems, numbers)
    if isinstance(today, datetime):  # the office's own date, not UTC's (06:00 WITA is still yesterday in UTC)
        today = today.astimezone(office.timezone).date() if office else today.date()
    calendar = load_calendar(root, problems)

    files, extra = lists_by_name(root / "content" / "lists")
    for path in extra:
        rel = path.relative_to(root).as_posix()
        problems.append(ContentError(rel, _("a second file for list {name!r}: keep one").format(name=path.stem)))
    region = office.region if office else "ID"
    lists = Lists(root, list(files.values()), region, read_list, first_recipient, unread=unread_lists)
    warnings: list[ContentError] = []
    for name in list(lists):  # a broken list stops every send, as any broken file does
        try:
            if strict_lists:
                problems.extend(invalid_row_errors(lists[name], lists.rel(name)))
            else:
                lists.verify(name)
        except ContentError as e:
            problems.append(e)

    posts: dict[str, Post] = {}
    for path in post_files(root):
        post = load_post(root, path, problems, numbers)
        if post:
            posts[post.name] = post

    folders: dict[str, str] = {}  # outbox and media files are named by the post's slug
    for post in posts.values():
        first = folders.setdefault(slug(post.name), post.name)
        if first != post.name:
            problems.append(
                ContentError(
                    post.path.relative_to(root).as_posix(),
                    _("its files would overwrite those of {first!r} (both become {slug!r}): rename one").format(
                        first=first, slug=slug(post.name)
                    ),
                )
            )

    known_days = calendar.names((today.year, today.year + 1))
    for name, post in list(posts.items()):
        rel = post.path.relative_to(root).as_posix()
        if post.sop and post.sop.contact and not post.sop.contact.startswith("+"):  # a label
            labels = {c.label.lower(): c.phone for c in office.contacts} if office else {}
            phone = labels.get(post.sop.contact.lower())
            if phone:
                posts[name] = replace(post, sop=replace(post.sop, contact=phone))
            else:
                problems.append(
                    ContentError(
                        rel,
                        _("no WhatsApp number labelled {name!r} in content/office.yaml").format(name=post.sop.contact)
                        + did_you_mean(post.sop.contact, [c.label for c in office.contacts] if office else []),
                        line=post.lines.get("contact"),
                        field="contact",
                    )
                )
        problems.extend(_unknown_lists(rel, post.lists, lists, post.lines.get("lists")))
        if post.holiday:
            problems.extend(_unknown_days(rel, (post.holiday,), known_days, post.lines.get("holiday"), "holiday"))

    schedules: dict[str, Schedule] = {}
    for path in schedule_files(root):
        sched = load_schedule(root, path, problems, today)
        if sched is None:
            continue
        schedules[sched.name] = sched
        rel = path.relative_to(root).as_posix()
        for name in sched.posts:
            if name not in posts:
                problems.append(
                    ContentError(
                        rel,
                        _("no post named {name!r}").format(name=name) + did_you_mean(name, posts),
                        line=sched.lines.get("series" if sched.series else "post"),
                        field="series" if sched.series else "post",
                    )
                )
        problems.extend(_unknown_lists(rel, sched.lists, lists, sched.lines.get("lists")))
        problems.extend(_unknown_days(rel, sched.holidays, known_days, sched.lines.get("holiday"), "holiday.names"))

    yaml_memo.flush()  # once per load: the values of every text parsed above
    if office is None:
        raise ContentErrors(problems)
    return Project(root, office, posts, lists, calendar, schedules, warnings, today=today)


def _unknown_lists(rel: str, names, lists, line: int | None) -> list[ContentError]:
    """A post or schedule naming a list that content/lists/ does not have."""
    return [
        ContentError(
            rel,
            _("no list {name!r} in content/lists/").format(name=name) + did_you_mean(name, lists),
            line=line,
            field="lists",
        )
        for name in names
        if name not in lists
    ]


def _unknown_days(rel: str, names, known_days, line: int | None, field: str) -> list[ContentError]:
    """A greeting or holiday schedule naming a day the calendar does not know."""
    return [
        ContentError(
            rel,
            _("{name!r} is not a day the calendar knows").format(name=name)
            + (did_you_mean(name, known_days) or _("; `siaran holidays` lists the names")),
            line=line,
            field=field,
        )
        for name in names
        if name not in known_days
    ]


def unique(problems: list[ContentError]) -> list[ContentError]:
    seen, out = set(), []
    for p in problems:
        key = str(p)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
