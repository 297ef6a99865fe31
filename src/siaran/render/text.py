"""Message texts from Jinja2 templates: sandboxed (the operator edits templates) and strict
(a misspelt variable is an error, not an empty gap in a message sent to thousands).

Every channel and kind has a default template inside the package (siaran/templates/<channel>/
<kind>.j2); a file of the same name under content/templates/ overrides it. Templates get
``office``, ``post`` (with ``post.body`` already rendered), ``recipient`` (None for Instagram) and
``holiday`` (greetings); ``siaran templates`` lists every variable with an example. A post's body is
itself a template, so ``{{ recipient.name }}`` works there too. All of it is plain data (dicts,
lists, texts, numbers, dates): no path, file or object with methods reaches a template, and
``siaran.render.sandbox`` bounds what a template may compute.

Whitespace: a line holding only a block tag (``{% if %}``, ``{% endfor %}``) disappears with its
line break; a tag that ends a line of text keeps that line break, so paragraphs stay as written.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
import jinja2.meta
from jinja2.ext import Extension

from ..content.calendar import Calendar
from ..content.model import Office, Post, Recipient
from ..errors import ContentError, TemplateError
from ..i18n import N_, _
from .compiled import bytecode_cache, compile_source
from .context import BUILTIN, holiday_data, office_data, polos, post_data, tanggal
from .recipient_columns import used_columns
from .sandbox import BoundedEnvironment, ContentLoader, render_bounded

# Python's own limits met while compiling a template: nesting beyond its parser or compiler.
COMPILE_FAULTS = (RecursionError, MemoryError, SyntaxError)
TOO_DEEP = N_("template syntax error: nested too deeply")


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


# What a template can raise while rendering: Jinja's errors, the sandbox's limits, recursion, and
# what Python itself raises inside an expression ({{ 1/0 }}, int('x'), str(10**5000)).
RENDER_FAULTS = (
    jinja2.TemplateError,
    RecursionError,
    ArithmeticError,
    ValueError,
    TypeError,
    LookupError,
    AttributeError,
    MemoryError,
)


def _describe(e: BaseException, context: dict[str, Any]) -> str:
    if isinstance(e, jinja2.UndefinedError):
        hint = ""
        if context.get("recipient") is None and "'None' has no attribute" in (e.message or ""):
            hint = _(" (Instagram has no recipient: wrap it in {% if recipient %}...{% endif %})")
        return _("undefined template variable: {error}").format(error=e.message) + hint
    if isinstance(e, jinja2.TemplateError):
        return _("template error: {error}").format(error=e)
    if isinstance(e, RecursionError):
        return _("template error: nested too deeply (a template or macro that calls itself?)")
    return _("template error: {error}").format(error=f"{type(e).__name__}: {e}")


class TextRenderer:
    def __init__(self, root: Path, office: Office, calendar: Calendar | None = None, today: date | None = None):
        self.root = root
        self.calendar = calendar
        self.today = today
        self.templates = root / "content" / "templates"
        self.office = office
        self.office_data = office_data(office)
        self.env = BoundedEnvironment(
            loader=jinja2.ChoiceLoader([ContentLoader(root), jinja2.FileSystemLoader(BUILTIN)]),
            extensions=[KeepLineBreaks],
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,
            auto_reload=False,  # a project is loaded afresh by every command and daemon pass
            bytecode_cache=bytecode_cache(),
        )
        self.env.add_filter("tanggal", tanggal)
        self.env.add_filter("polos", polos)
        self._bodies: dict[str, jinja2.Template] = {}
        self._templates: dict[str, tuple[jinja2.Template, str]] = {}
        self._personal_bodies: dict[str, bool] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._plain_posts: dict[str, dict[str, Any]] = {}
        self._used: dict[tuple[str, str], frozenset[str] | None] = {}

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
                tpl = compile_source(self.env, post.body, rel)
            except jinja2.TemplateSyntaxError as e:
                raise TemplateError(
                    rel,
                    _("template syntax error: {error}").format(error=e.message),
                    line=post.body_line + (e.lineno or 1) - 1,
                ) from e
            except COMPILE_FAULTS:
                raise TemplateError(rel, _(TOO_DEEP), line=post.body_line) from None
            self._bodies[post.name] = tpl
        return tpl

    def _run(self, tpl: jinja2.Template, context: dict[str, Any], rel: str, line_offset: int) -> str:
        try:
            return render_bounded(tpl, context)
        except RENDER_FAULTS as e:
            where, line = self._where(e.__traceback__, tpl.filename or rel, rel, line_offset)
            if line is None and getattr(e, "lineno", None):  # output too long: the line being written
                line = e.lineno + (line_offset if where == rel else 0)
            raise TemplateError(where, _describe(e, context), line=line) from e

    def _where(self, tb: TracebackType | None, filename: str, rel: str, offset: int) -> tuple[str, int | None]:
        """The innermost template frame: Jinja gives template frames the template's file and line."""
        where, line = rel, None
        prefix = str(self.templates) + os.sep
        while tb is not None:
            code_file = tb.tb_frame.f_code.co_filename
            if code_file == filename:
                where, line = rel, tb.tb_lineno + offset
            elif code_file.startswith(prefix) and code_file.endswith(".j2"):
                where, line = self._rel(Path(code_file).relative_to(self.templates).as_posix()), tb.tb_lineno
            tb = tb.tb_next
        return where, line

    def render(self, post: Post, channel: str, recipient: Recipient | None = None) -> str:
        rec = recipient.for_template() if recipient else None
        tpl, rel = self._channel_template(post, channel)
        context = {
            "office": self.office_data,
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
                raise TemplateError(
                    self._rel(e.name or name),
                    _("template syntax error: {error}").format(error=e.message),
                    line=e.lineno,
                ) from e
            except COMPILE_FAULTS:
                raise TemplateError(rel, _(TOO_DEEP)) from None
        return found

    def used_columns(self, post: Post, channel: str) -> frozenset[str] | None:
        """The recipient's keys the message reads (None: any of them), found once per post and channel."""
        key = (post.name, channel)
        if key not in self._used:
            self._used[key] = used_columns(self.env, post.body, self.template_name(post, channel))
        return self._used[key]

    def _personal(self, post: Post) -> bool:
        """Does the post's body name the recipient (so it differs from one person to the next)?"""
        if post.name not in self._personal_bodies:
            try:
                # a body that never spells the name cannot read it: no need to parse it
                named = "recipient" in post.body
                used = jinja2.meta.find_undeclared_variables(self.env.parse(post.body)) if named else set()
            except (jinja2.TemplateSyntaxError, *COMPILE_FAULTS):
                used = {"recipient"}  # rendering it reports the problem with its line
            self._personal_bodies[post.name] = "recipient" in used
        return self._personal_bodies[post.name]

    def _body(self, post: Post, rec: dict[str, Any] | None) -> str:
        if not post.body:
            return ""
        rel = post.path.relative_to(self.root).as_posix()
        context = {
            "office": self.office_data,
            "post": self._plain(post),
            "recipient": rec,
            "holiday": self._holiday(post),
        }
        return self._run(self._body_template(post), context, rel, post.body_line - 1)

    def _holiday(self, post: Post) -> dict[str, Any] | None:
        return holiday_data(self.calendar, post, self.today)

    def _plain(self, post: Post) -> dict[str, Any]:
        found = self._plain_posts.get(post.name)
        if found is None:
            found = self._plain_posts[post.name] = post_data(post, post.body)
        return found

    def _view(self, post: Post, rec: dict[str, Any] | None) -> dict[str, Any]:
        """The post as channel templates see it: ``post.body`` rendered."""
        view = self._views.get(post.name)
        if view is None:
            view = {**self._plain(post), "body": self._body(post, rec)}
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
                problems.append(
                    TemplateError(
                        self._rel(name), _("template syntax error: {error}").format(error=e.message), line=e.lineno
                    )
                )
            except ContentError as e:  # the loader refused the file
                problems.append(e)
            except COMPILE_FAULTS:
                problems.append(TemplateError(self._rel(name), _(TOO_DEEP)))
        return problems


_BLANKS = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    """At most one blank line in a row, no trailing spaces: WhatsApp shows every newline."""
    text = "\n".join([line.rstrip() for line in text.strip().splitlines()])  # join takes a list without building one
    return _BLANKS.sub("\n\n", text)
