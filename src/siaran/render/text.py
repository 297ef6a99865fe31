"""Message texts from Jinja2 templates: sandboxed (the operator edits templates) and strict
(a misspelt variable is an error, not an empty gap in a message sent to thousands).

Every channel and kind has a default template inside the package (siaran/templates/<channel>/
<kind>.j2); a file of the same name under content/templates/ overrides it. Templates get
``office``, ``post`` (with ``post.body`` already rendered) and ``recipient`` (None for Instagram);
``siaran templates`` lists every variable with an example. A post's body is itself a template, so
``{{ recipient.name }}`` works there too.

Whitespace: a line holding only a block tag (``{% if %}``, ``{% endfor %}``) disappears with its
line break; a tag that ends a line of text keeps that line break, so paragraphs stay as written.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
import jinja2.meta
from babel.dates import format_date
from jinja2.ext import Extension
from jinja2.sandbox import SandboxedEnvironment

from ..content.calendar import Calendar
from ..content.model import Office, Post, Recipient
from ..errors import TemplateError
from ..i18n import _


@lru_cache(maxsize=1024)  # a broadcast formats the same date for every recipient
def tanggal(value: date | datetime | str, fmt: str = "EEEE, d MMMM y") -> str:
    """Dates the Indonesian way: Sabtu, 28 November 2026."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return format_date(value, fmt, locale="id")


BUILTIN = Path(__file__).resolve().parent.parent / "templates"
_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_LAST_TAG_END = re.compile(r"(?<![-+])%\}(\s*)$")


class KeepLineBreaks(Extension):
    """trim_blocks drops the newline after any block tag; keep it when the tag ends a line of text
    (``{% if recipient %}Halo {{ recipient.nama }}{% endif %}``) by marking that tag ``+%}``."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        lines = source.split("\n")
        for i, line in enumerate(lines[:-1]):
            if line.rstrip().endswith("%}") and _TAG.sub("", line).strip():
                lines[i] = _LAST_TAG_END.sub(r"+%}\1", line)
        return "\n".join(lines)


def polos(text: str) -> str:
    """WhatsApp markup (*bold*, _italic_, ~strike~) dropped cleanly: Instagram shows it literally."""
    from .cards import strip_markup  # cards imports this module

    return strip_markup(str(text))


@dataclasses.dataclass(frozen=True)
class HolidayView:
    """What a greeting knows of its day: ``{{ holiday.weekday }}, {{ holiday.date | tanggal }}``,
    "HUT ke-{{ holiday.anniversary }} RI"."""

    name: str
    date: date
    weekday: str  # Senin … Minggu
    year: int
    anniversary: int | None  # years since the first one (Kemerdekaan 1945, a local day's since:)


def holiday_view(calendar: Calendar | None, post: Post, today: date | None) -> HolidayView | None:
    if not post.holiday or calendar is None or today is None:
        return None
    when = calendar.next_on(post.holiday, today)
    if when is None:
        return None
    first = calendar.first_year(post.holiday)
    return HolidayView(post.holiday, when, tanggal(when, "EEEE"), when.year, when.year - first if first else None)


def _template_line(tb: TracebackType | None, filename: str) -> int | None:
    """Jinja rewrites tracebacks so template frames carry the template's own file and line."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


class TextRenderer:
    def __init__(self, root: Path, office: Office, calendar: Calendar | None = None, today: date | None = None):
        self.root = root
        self.calendar = calendar
        self.today = today
        self.templates = root / "content" / "templates"
        self.office = office
        self.env = SandboxedEnvironment(
            loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(self.templates), jinja2.FileSystemLoader(BUILTIN)]),
            extensions=[KeepLineBreaks],
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,
            auto_reload=False,  # a project is loaded afresh by every command and daemon pass
        )
        self.env.filters["tanggal"] = tanggal
        self.env.filters["polos"] = polos
        self._bodies: dict[str, jinja2.Template] = {}
        self._templates: dict[str, tuple[jinja2.Template, str]] = {}
        self._personal_bodies: dict[str, bool] = {}
        self._views: dict[str, Post] = {}

    def template_name(self, post: Post, channel: str) -> str:
        return f"{channel}/{post.template or post.kind}.j2"

    def _rel(self, name: str) -> str:
        if (self.templates / name).is_file() or not (BUILTIN / name).is_file():
            return f"content/templates/{name}"
        return f"siaran/templates/{name}"  # the built-in default (copy it to content/templates/ to change it)

    def _body_template(self, post: Post) -> jinja2.Template:
        tpl = self._bodies.get(post.name)
        if tpl is None:
            rel = post.path.relative_to(self.root).as_posix()
            try:
                code = self.env.compile(post.body, name=rel, filename=rel)
            except jinja2.TemplateSyntaxError as e:
                raise TemplateError(rel, _syntax(e), line=post.body_line + (e.lineno or 1) - 1) from e
            tpl = self.env.template_class.from_code(self.env, code, self.env.make_globals(None), None)
            self._bodies[post.name] = tpl
        return tpl

    def _run(self, tpl: jinja2.Template, context: dict[str, Any], rel: str, line_offset: int) -> str:
        filename = tpl.filename or rel
        try:
            return tpl.render(context)
        except jinja2.UndefinedError as e:
            line = _template_line(e.__traceback__, filename)
            hint = ""
            if context.get("recipient") is None and "'None' has no attribute" in (e.message or ""):
                hint = _(" (Instagram has no recipient: wrap it in {% if recipient %}...{% endif %})")
            raise TemplateError(
                rel,
                _("undefined template variable: {error}").format(error=e.message) + hint,
                line=None if line is None else line + line_offset,
            ) from e
        except jinja2.TemplateError as e:
            line = _template_line(e.__traceback__, filename)
            raise TemplateError(
                rel, _("template error: {error}").format(error=e), line=None if line is None else line + line_offset
            ) from e

    def render(self, post: Post, channel: str, recipient: Recipient | None = None) -> str:
        rec = recipient.for_template() if recipient else None
        tpl, rel = self._channel_template(post, channel)
        context = {
            "office": self.office,
            "post": self._view(post, rec),
            "recipient": rec,
            "holiday": self._holiday(post),
        }
        text = self._run(tpl, context, rel, 0)
        return _tidy(text)

    def render_body(self, post: Post, recipient: Recipient | None = None) -> str:
        """The post's body alone, without the channel template (what a rendered card shows)."""
        return _tidy(self._body(post, recipient.for_template() if recipient else None))

    # A broadcast renders the same post for thousands of people: what does not depend on the
    # recipient (the channel template lookup, a body that never names the recipient, the post as
    # templates see it) is worked out once per post.
    def _channel_template(self, post: Post, channel: str) -> tuple[jinja2.Template, str]:
        name = self.template_name(post, channel)
        found = self._templates.get(name)
        if found is None:
            rel = self._rel(name)
            try:
                found = self._templates[name] = (self.env.get_template(name), rel)
            except jinja2.TemplateNotFound:
                raise TemplateError(
                    post.path.relative_to(self.root).as_posix(),
                    _("no template {path} for channel {channel}").format(path=rel, channel=channel),
                    field="template" if post.template else "channels",
                ) from None
            except jinja2.TemplateSyntaxError as e:
                raise TemplateError(self._rel(e.name or name), _syntax(e), line=e.lineno) from e
        return found

    def _personal(self, post: Post) -> bool:
        """Does the post's body name the recipient (so it differs from one person to the next)?"""
        if post.name not in self._personal_bodies:
            used = jinja2.meta.find_undeclared_variables(self.env.parse(post.body)) if post.body else set()
            self._personal_bodies[post.name] = "recipient" in used
        return self._personal_bodies[post.name]

    def _body(self, post: Post, rec: dict[str, Any] | None) -> str:
        if not post.body:
            return ""
        rel = post.path.relative_to(self.root).as_posix()
        context = {"office": self.office, "post": post, "recipient": rec, "holiday": self._holiday(post)}
        return self._run(self._body_template(post), context, rel, post.body_line - 1)

    def _holiday(self, post: Post) -> HolidayView | None:
        return holiday_view(self.calendar, post, self.today)

    def _view(self, post: Post, rec: dict[str, Any] | None) -> Post:
        """The post as channel templates see it: ``post.body`` rendered."""
        view = self._views.get(post.name)
        if view is None:
            view = dataclasses.replace(post, body=self._body(post, rec))
            if not self._personal(post):
                self._views[post.name] = view
        return view

    def check_templates(self) -> list[TemplateError]:
        """Syntax errors in every template file, including ones no post uses yet."""
        problems = []
        for path in sorted(self.templates.rglob("*.j2")):
            name = path.relative_to(self.templates).as_posix()
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as e:
                problems.append(TemplateError(self._rel(name), _syntax(e), line=e.lineno))
        return problems


def _syntax(e: jinja2.TemplateSyntaxError) -> str:
    return _("template syntax error: {error}").format(error=e.message)


_BLANKS = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    """At most one blank line in a row, no trailing spaces: WhatsApp shows every newline."""
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return _BLANKS.sub("\n\n", text)
