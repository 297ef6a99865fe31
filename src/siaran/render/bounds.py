"""How big a template's value is, and how long a text would be *before* it is built.

The sandbox (sandbox.py) asks these before running an operator, filter or method that makes text,
so ``{% set a = a ~ a %}`` or ``text|indent(9999)`` is refused while the text is still small, not
after a gigabyte has been allocated:

- ``weight(value)``: characters of every text in a value plus a few per item, nested lists and
  dicts counted once per reference (``[a, a, a]`` weighs three ``a``), roughly what ``str()`` of it
  would take; stops counting once past the budget;
- ``predicted(name, value, args, kwargs)``: an upper bound on the length of the text a filter or
  ``str`` method named ``name`` would return, for those whose result can be much longer than what
  they are given (``indent``, ``wordwrap``, ``replace``, ``join``, ``format``, ``expandtabs``...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MAX_TEXT = 65_536  # characters of one text a template builds (and of one rendered message)
MAX_WEIGHT = 1_000_000  # weight of one list or dict a template builds or hands to a filter
MAX_PLACEHOLDER = 1_000  # a format placeholder's own width (widths of thousands are refused)
_ITEM = 4  # what one item adds to str() of a list: quotes, comma, space
_SCALAR = 24  # a number, None, an object's short text

CONTAINERS = (list, tuple, dict, set, frozenset)


def weight(value: Any, budget: int = MAX_WEIGHT) -> int:
    """The weight of ``value`` (see the module docstring); any figure above ``budget`` once past it."""
    if isinstance(value, str):
        return len(value)
    if not isinstance(value, CONTAINERS):
        return _SCALAR
    total, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, dict):
            total += _ITEM * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, CONTAINERS):
            total += _ITEM * len(item)
            stack.extend(item)
        else:
            total += _SCALAR
        if total > budget:
            break
    return total


def _heaviest(values: Any) -> int:
    return max((weight(v) for v in values), default=0)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value) if not isinstance(value, CONTAINERS) else ""


def _indent(s: Any, width: Any = 4, *_rest: Any, **kw: Any) -> int:
    s = _text(s)
    step = kw.get("width", width)
    step = step if isinstance(step, int) and not isinstance(step, bool) else len(str(step))
    return len(s) + (s.count("\n") + 1) * max(step, 0)


def _wordwrap(s: Any, width: Any = 79, _long: Any = True, wrapstring: Any = None, *_rest: Any, **kw: Any) -> int:
    s = _text(s)
    width = kw.get("width", width)
    wrap = kw.get("wrapstring", wrapstring)
    lines = min(len(s), len(s) // max(width if isinstance(width, int) else 1, 1) + s.count(" ") + s.count("\n")) + 1
    return len(s) + lines * len(str(wrap if wrap is not None else "\n"))


def _replace(s: Any, old: Any = "", new: Any = "", count: Any = None, *_rest: Any, **kw: Any) -> int:
    s, old, new = _text(s), str(kw.get("old", old)), str(kw.get("new", new))
    times = s.count(old) if old else len(s) + 1
    count = kw.get("count", count)
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    return len(s) + times * max(len(new) - len(old), 0)


def _expandtabs(s: Any, tabsize: Any = 8, *_rest: Any, **kw: Any) -> int:
    s = _text(s)
    size = kw.get("tabsize", tabsize)
    return len(s) + s.count("\t") * max(size if isinstance(size, int) else 8, 0)


def _join_filter(items: Any, d: Any = "", *_rest: Any, **kw: Any) -> int:
    """``items|join(d)``: ``items`` is already a list here (the sandbox makes one of any iterable)."""
    sep = str(kw.get("d", d))
    return sum(weight(x) for x in items) + max(len(items) - 1, 0) * len(sep)


def _join_method(sep: Any, items: Any = (), *_rest: Any, **_kw: Any) -> int:
    return _join_filter(items, sep)


def _percent(fmt: Any, *args: Any, **kwargs: Any) -> int:
    """``fmt % args`` and ``fmt|format(args)``: each ``%`` can show the heaviest argument."""
    fmt = _text(fmt)
    values = args[0] if len(args) == 1 and isinstance(args[0], tuple | dict) else args
    values = values.values() if isinstance(values, dict) else values
    return len(fmt) + fmt.count("%") * (_heaviest([*values, *kwargs.values()]) + MAX_PLACEHOLDER)


def _braces(fmt: Any, *args: Any, **kwargs: Any) -> int:
    """``fmt.format(...)``: each ``{`` can show the heaviest argument."""
    fmt = _text(fmt)
    return len(fmt) + fmt.count("{") * (_heaviest([*args, *kwargs.values()]) + MAX_PLACEHOLDER)


def _format_map(fmt: Any, mapping: Any = None, *_rest: Any, **_kw: Any) -> int:
    return _braces(fmt, *(mapping.values() if isinstance(mapping, dict) else ()))


# name -> bound on the result's length, called as (value, *args, **kwargs); the value is the filter's
# input or the str the method belongs to. Filters and methods not here make texts no longer than what
# they are given times a small factor (upper, escape, tojson, center to a width <= 10,000...).
FILTERS: dict[str, Callable[..., int]] = {
    "indent": _indent,
    "wordwrap": _wordwrap,
    "replace": _replace,
    "join": _join_filter,
    "format": _percent,
}
METHODS: dict[str, Callable[..., int]] = {
    "expandtabs": _expandtabs,
    "replace": _replace,
    "join": _join_method,
    "format": _braces,
    "format_map": _format_map,
}


def predicted(table: dict[str, Callable[..., int]], name: str, value: Any, args: Any, kwargs: dict) -> int:
    """The bound on the length of ``name``'s result (0 when its results are never much longer)."""
    bound = table.get(name)
    if bound is None:
        return 0
    try:
        return bound(value, *args, **kwargs)
    except TypeError:  # arguments the filter itself will refuse, with its own message
        return 0


def binop_size(operator: str, left: Any, right: Any) -> int:
    """The size ``left <operator> right`` would have, for the operators that build texts and lists."""
    if operator == "+" and isinstance(left, str | list | tuple) and type(left) is type(right):
        return weight(left) + weight(right)
    if operator == "*":
        if isinstance(left, int) and not isinstance(left, bool):
            left, right = right, left
        if isinstance(right, int) and not isinstance(right, bool) and isinstance(left, str | list | tuple):
            return weight(left) * max(right, 0)
    if operator == "%" and isinstance(left, str):
        return _percent(left, right)
    return 0


def concat_size(items: tuple) -> int:
    """``a ~ b ~ c``: every item becomes text."""
    return sum(weight(x) for x in items)
