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
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from babel.dates import format_date
from jinja2.sandbox import SandboxedEnvironment

from ..content.model import Office, Post, Recipient
from ..errors import TemplateError

CAPTION_LIMIT = 2200  # Instagram


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
        )
        self.env.filters["tanggal"] = tanggal
        self._bodies: dict[str, jinja2.Template] = {}

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
        body_rel = post.path.relative_to(self.root).as_posix()
        body = ""
        if post.body:
            body = self._run(
                self._body_template(post),
                {"office": self.office, "post": post, "recipient": rec},
                body_rel,
                post.body_line - 1,
            )
        name = self.template_name(post, channel)
        rel = self._rel(name)
        try:
            tpl = self.env.get_template(name)
        except jinja2.TemplateNotFound:
            raise TemplateError(
                body_rel, f"no template {rel} for channel {channel}", field="template" if post.template else "channels"
            ) from None
        except jinja2.TemplateSyntaxError as e:
            raise TemplateError(self._rel(e.name or name), f"template syntax error: {e.message}", line=e.lineno) from e
        view = dataclasses.replace(post, body=body)
        text = self._run(tpl, {"office": self.office, "post": view, "recipient": rec}, rel, 0)
        return _tidy(text)

    def render_body(self, post: Post, recipient: Recipient | None = None) -> str:
        """The post's body alone, without the channel template (what a rendered card shows)."""
        if not post.body:
            return ""
        rec = recipient.for_template() if recipient else None
        rel = post.path.relative_to(self.root).as_posix()
        context = {"office": self.office, "post": post, "recipient": rec}
        return _tidy(self._run(self._body_template(post), context, rel, post.body_line - 1))

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
