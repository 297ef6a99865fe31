"""The Jinja2 environment templates run in: sandboxed, immutable, and bounded.

The operator (or whoever can edit content/) writes templates, so a template must not be able to
read files, hang a broadcast or eat the PC's memory. On top of Jinja2's own sandbox:

- templates get plain data only (see ``siaran.render.text``): no path, file or object with methods;
- every way of making text is bounded *before* the text is built (bounds.py predicts its length):
  ``~``, ``+``, ``*``, ``%``, block ``set``, macros and ``caller()``, ``{{ value }}``, and the filters
  and methods that can grow a text (``indent``, ``wordwrap``, ``replace``, ``join``, ``format``,
  ``expandtabs``...), at ``MAX_TEXT`` characters; lists and dicts a template builds or hands to a
  filter at ``MAX_WEIGHT`` (``[a] * 60000`` of a long ``a``); ``**`` refuses huge numbers;
- every call, filter and loop step checks the render's deadline (``MAX_SECONDS``) and refuses
  numbers and texts too large to be meant (``'x'|center(10**9)``);
- the rendered text stops at ``MAX_TEXT`` characters; recursion is bounded by Python's own limit,
  reported as a template error.
"""

from __future__ import annotations

import functools
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.loaders import split_template_path
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace

from ..content.files import CONTROL, control_character, read_text
from ..i18n import _
from .bounds import CONTAINERS, FILTERS, MAX_TEXT, MAX_WEIGHT, METHODS, binop_size, concat_size, predicted, weight

MAX_SECONDS = 2.0  # rendering time of one message
MAX_ITEMS = 10_000  # range() and list lengths a template may build
MAX_ARG = 1_000  # a number or text given to a filter or method (widths, counts, separators)
MAX_INT_BITS = 4_096  # numbers beyond ~10**1200 mean a template is misbehaving
# A format width or precision of thousands: %99999d, %.*f, {:>99999}
_BIG_WIDTH = re.compile(r"%[-+ #0]*(\d{4,}|\*)|%[-+ #0]*\d*\.(\d{4,}|\*)|\{[^{}]*:[^{}]*\d{4,}")


class RenderLimit(jinja2.TemplateRuntimeError):
    """A template went over one of the limits above."""


_state = threading.local()


def _check_time() -> None:
    deadline = getattr(_state, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        raise RenderLimit(
            _("rendering took longer than {seconds} s (a loop or macro that never ends?)").format(
                seconds=f"{MAX_SECONDS:g}"
            )
        )


def _size(value: Any) -> int:
    if isinstance(value, (str, list, tuple, dict, set, frozenset)):
        return len(value)
    return 0


def _check_value(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise RenderLimit(_("a number in the template is too large"))
    if _size(value) > MAX_TEXT or (isinstance(value, CONTAINERS) and weight(value) > MAX_WEIGHT):
        raise RenderLimit(
            _("a text or list in the template is longer than {limit} characters").format(limit=f"{MAX_TEXT:,}")
        )
    return value


def _too_long(operation: str) -> RenderLimit:
    return RenderLimit(
        _("'{operation}' would make a text longer than {limit} characters").format(
            operation=operation, limit=f"{MAX_TEXT:,}"
        )
    )


def _bounded_concat(parts: Iterable[str]) -> str:
    """What block ``set``, macros, ``caller()`` and ``{% filter %}`` join their output with."""
    parts = list(parts)
    if sum(len(p) for p in parts) > MAX_TEXT:
        raise RenderLimit(
            _("a block (set, macro, call or filter) would make a text longer than {limit} characters").format(
                limit=f"{MAX_TEXT:,}"
            )
        )
    return "".join(parts)


def _bounded_join(items: tuple, markup: bool) -> str:
    """``a ~ b``: refused before the text is built when it would be too long."""
    if concat_size(items) > MAX_TEXT:
        raise _too_long("~")
    return markup_join(items) if markup else str_join(items)


def _finalize(value: Any) -> Any:
    """Every ``{{ value }}``: a list or dict is refused before ``str()`` could make a huge text of it."""
    if type(value) is not str and isinstance(value, CONTAINERS) and weight(value, MAX_TEXT) > MAX_TEXT:
        raise RenderLimit(_("the message is longer than {limit} characters").format(limit=f"{MAX_TEXT:,}"))
    return value


class _BoundedGenerator(CodeGenerator):
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.join_bounded((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("), context.eval_ctx.autoescape)")


def _check_args(args: Iterable[Any]) -> None:
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_ARG * 10:
            raise RenderLimit(_("the number {number} is too large for a template").format(number=arg))
        if isinstance(arg, str) and len(arg) > MAX_ARG:
            raise RenderLimit(_("a text argument longer than {limit} characters").format(limit=MAX_ARG))


def _check_format(text: Any) -> None:
    if isinstance(text, str) and _BIG_WIDTH.search(text.replace("%%", "")):
        raise RenderLimit(_("a format with a width of thousands of characters"))


def _guard_filter(func: Callable, name: str = "") -> Callable:
    """Every filter: deadline, argument sizes (the value itself may be long), the length of the
    text it would make (before it is made), result size."""

    @functools.wraps(func)  # keeps jinja_pass_arg (pass_context / pass_eval_context)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_time()
        passed = 1 if getattr(func, "jinja_pass_arg", None) else 0
        rest = args[passed + 1 :]  # (context,) value, args...
        _check_args(rest)
        _check_args(kwargs.values())
        if len(args) > passed:
            value = args[passed]
            if name == "join" and not isinstance(value, (*CONTAINERS, str)):  # a generator: keep its items
                value = list(_loop_guard(value))
                args = (*args[:passed], value, *rest)
            if isinstance(value, CONTAINERS) and weight(value) > MAX_WEIGHT:  # a text may be long: it is data
                raise _too_long(name)
            if name == "format":
                _check_format(value)
            if predicted(FILTERS, name, value, rest, kwargs) > MAX_TEXT:
                raise _too_long(name)
        return _check_value(func(*args, **kwargs))

    return guarded


def _loop_guard(iterable: Any) -> Iterator[Any]:
    """Wraps the iterable of every ``{% for %}``: the deadline is checked on each step."""
    for i, item in enumerate(iterable):
        if i & 63 == 0:
            _check_time()
        yield item


def _range(*args: int) -> range:
    _check_time()
    found = range(*args)
    if len(found) > MAX_ITEMS:
        raise RenderLimit(_("range() of more than {limit} numbers").format(limit=f"{MAX_ITEMS:,}"))
    return found


class _Namespace(Namespace):
    """``namespace()`` whose attributes cannot grow past the limits (a loop doubling a text)."""

    def __setitem__(self, name: str, value: Any) -> None:
        _check_time()
        super().__setitem__(name, _check_value(value))


def _bits(number: float) -> int:
    return number.bit_length() if isinstance(number, int) else 0


def _product_size(left: Any, right: Any) -> int:
    if isinstance(left, int) and not isinstance(left, bool):
        left, right = right, left
    if isinstance(right, int) and not isinstance(right, bool):
        return _size(left) * max(right, 0)
    return 0


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset(["*", "**", "%", "+"])
    code_generator_class = _BoundedGenerator
    concat = staticmethod(_bounded_concat)
    join_bounded = staticmethod(_bounded_join)

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("optimized", False)  # no constant folding: every filter runs guarded, at render time
        kwargs.setdefault("finalize", _finalize)
        super().__init__(**kwargs)
        self.filters = {name: _guard_filter(f, name) for name, f in self.filters.items()}
        self.filters["_siaran_loop"] = _loop_guard
        self.globals["range"] = _range
        self.globals["namespace"] = _Namespace
        self.globals.pop("lipsum", None)  # lipsum(n=10**9): nothing a message needs

    def add_filter(self, name: str, func: Callable) -> None:
        self.filters[name] = _guard_filter(func, name)

    def getattr(self, obj: Any, attribute: str) -> Any:
        # Templates get plain dicts: ``post.title`` is a key, looked up first (Jinja would try the
        # attribute first and fail slowly, for every variable of every message of a broadcast).
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        _check_time()
        size = binop_size(operator, left, right)
        lists = isinstance(left, list | tuple) or isinstance(right, list | tuple)
        limit = MAX_WEIGHT if lists and operator != "%" else MAX_TEXT
        if operator == "*" and (_product_size(left, right) > MAX_TEXT or size > limit):
            raise RenderLimit(
                _("'*' would make a text or list longer than {limit} characters").format(limit=f"{MAX_TEXT:,}")
            )
        if operator in "+%" and size > limit:
            raise _too_long(operator)
        numbers = isinstance(left, (int, float)) and isinstance(right, (int, float))
        if operator == "*" and numbers and _bits(left) + _bits(right) > MAX_INT_BITS:
            raise RenderLimit(_("'*' would make a number too large"))
        if operator == "**" and numbers and ((abs(right) > 64 and abs(left) > 1) or abs(right) > 10_000):
            raise RenderLimit(_("'**' with an exponent this large"))
        if operator == "%":
            _check_format(left)
        return _check_value(super().call_binop(context, operator, left, right))

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_time()
        given = (*args, *kwargs.values())
        for arg in given:
            _check_value(arg)
        if __obj is not _range:
            _check_args(a for a in given if not isinstance(a, str))
        method = getattr(__obj, "__wrapped__", __obj)
        owner = getattr(method, "__self__", None)
        if isinstance(owner, str):  # 'x'.center(...), sep.join(...), '{:>9999}'.format(...)
            _check_format(owner)
            _check_args(a for a in given if isinstance(a, str))
            name = getattr(method, "__name__", "")
            if name == "join" and args and not isinstance(args[0], (*CONTAINERS, str)):  # a generator
                args = (list(_loop_guard(args[0])), *args[1:])
            if predicted(METHODS, name, owner, args, kwargs) > MAX_TEXT:
                raise _too_long(name)
        return _check_value(super().call(__context, __obj, *args, **kwargs))

    def _generate(self, source: nodes.Template, name: str | None, filename: str | None, defer_init: bool = False):
        for loop in list(source.find_all(nodes.For)):
            loop.iter = nodes.Filter(loop.iter, "_siaran_loop", [], [], None, None, lineno=loop.lineno)
        return super()._generate(source, name, filename, defer_init)


class ContentLoader(jinja2.BaseLoader):
    """Templates (and what they include or extend) from content/templates/, read through
    ``content.files.read_text``: inside content/ after symlinks, regular files, UTF-8, bounded size."""

    def __init__(self, root: Path):
        self.root = root

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses '..'
        rel = "/".join(("content", "templates", *pieces))
        path = self.root.joinpath(*rel.split("/"))
        if not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        return read_text(path, rel), str(path), lambda: True


def _line_writing(chunks: Iterator[str], template: jinja2.Template) -> int | None:
    """The template line a paused render is writing (the innermost frame of the template itself)."""
    line, gen = None, chunks
    while gen is not None:
        frame = getattr(gen, "gi_frame", None)
        if frame is not None and frame.f_code.co_filename == template.filename:
            line = template.get_corresponding_lineno(frame.f_lineno)
        gen = getattr(gen, "gi_yieldfrom", None)
    return line


def render_bounded(template: jinja2.Template, context: dict[str, Any]) -> str:
    """Render within MAX_SECONDS and MAX_TEXT characters; a RenderLimit says which limit was hit."""
    outer = getattr(_state, "deadline", None)
    _state.deadline = time.monotonic() + MAX_SECONDS if outer is None else outer
    try:
        parts: list[str] = []
        size = 0
        chunks = template.generate(context)
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_TEXT:
                error = RenderLimit(_("the message is longer than {limit} characters").format(limit=f"{MAX_TEXT:,}"))
                error.lineno = _line_writing(chunks, template)
                raise error
            parts.append(chunk)
        text = "".join(parts)
        if CONTROL.search(text):  # "\x00" in a string literal, from a value the loaders did not see
            raise _control_error(template, context)
        return text
    finally:
        _state.deadline = outer


def _control_error(template: jinja2.Template, context: dict[str, Any]) -> RenderLimit:
    """The error for a rendered text holding a control character, at the line that wrote it."""
    chunks = template.generate(context)
    for chunk in chunks:
        problem = control_character(chunk)
        if problem:
            error = RenderLimit(_("the message {problem}").format(problem=problem))
            error.lineno = _line_writing(chunks, template)
            return error
    return RenderLimit(_("the message {problem}").format(problem=control_character("\x00")))
