"""Message texts from Jinja2 templates: sandboxed (the operator edits templates) and strict
(a misspelt variable is an error, not an empty gap in a message sent to thousands).

Templates live in content/templates/<channel>/<kind>.j2 and get ``office``, ``post`` (with
``post.body`` already rendered) and ``recipient`` (None for Instagram). A post's body is itself
a template, so ``{{ recipient.name }}`` works there too.
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
from jinja2.sandbox import SandboxedEnvironment

from ..content.model import Office, Post, Recipient
from ..errors import TemplateError


@lru_cache(maxsize=1024)  # a broadcast formats the same date for every recipient
def tanggal(value: date | datetime | str, fmt: str = "EEEE, d MMMM y") -> str:
    """Dates the Indonesian way: Sabtu, 28 November 2026."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return format_date(value, fmt, locale="id")


def _template_line(tb: TracebackType | None, filename: str) -> int | None:
    """Jinja rewrites tracebacks so template frames carry the template's own file and line."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


class TextRenderer:
    def __init__(self, root: Path, office: Office):
        self.root = root
        self.templates = root / "content" / "templates"
        self.office = office
        self.env = SandboxedEnvironment(
            loader=jinja2.FileSystemLoader(self.templates),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,
            auto_reload=False,  # a project is loaded afresh by every command and daemon pass
        )
        self.env.filters["tanggal"] = tanggal
        self._bodies: dict[str, jinja2.Template] = {}
        self._templates: dict[str, tuple[jinja2.Template, str]] = {}
        self._personal_bodies: dict[str, bool] = {}
        self._views: dict[str, Post] = {}

    def template_name(self, post: Post, channel: str) -> str:
        return f"{channel}/{post.template or post.kind}.j2"

    def _rel(self, name: str) -> str:
        return f"content/templates/{name}"

    def _body_template(self, post: Post) -> jinja2.Template:
        tpl = self._bodies.get(post.name)
        if tpl is None:
            rel = post.path.relative_to(self.root).as_posix()
            try:
                code = self.env.compile(post.body, name=rel, filename=rel)
            except jinja2.TemplateSyntaxError as e:
                raise TemplateError(
                    rel, f"template syntax error: {e.message}", line=post.body_line + (e.lineno or 1) - 1
                ) from e
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
                hint = " (Instagram has no recipient: wrap it in {% if recipient %}...{% endif %})"
            raise TemplateError(
                rel,
                f"undefined template variable: {e.message}{hint}",
                line=None if line is None else line + line_offset,
            ) from e
        except jinja2.TemplateError as e:
            line = _template_line(e.__traceback__, filename)
            raise TemplateError(rel, f"template error: {e}", line=None if line is None else line + line_offset) from e

    def render(self, post: Post, channel: str, recipient: Recipient | None = None) -> str:
        rec = recipient.for_template() if recipient else None
        tpl, rel = self._channel_template(post, channel)
        text = self._run(tpl, {"office": self.office, "post": self._view(post, rec), "recipient": rec}, rel, 0)
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
                    f"no template {rel} for channel {channel}",
                    field="template" if post.template else "channels",
                ) from None
            except jinja2.TemplateSyntaxError as e:
                raise TemplateError(
                    self._rel(e.name or name), f"template syntax error: {e.message}", line=e.lineno
                ) from e
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
        context = {"office": self.office, "post": post, "recipient": rec}
        return self._run(self._body_template(post), context, rel, post.body_line - 1)

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
                problems.append(TemplateError(self._rel(name), f"template syntax error: {e.message}", line=e.lineno))
        return problems


_BLANKS = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    """At most one blank line in a row, no trailing spaces: WhatsApp shows every newline."""
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return _BLANKS.sub("\n\n", text)
