"""A number on several rows, within one list or across lists (issue 24). The rule (plan.merge_lists,
content.lists.load_list, docs/reference/lists.md): one number, one message; the first row keeps it
(its list and columns) and it is greeted by every name its rows give. `check` shows each such row."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..errors import ContentError
from ..i18n import _
from .model import BroadcastList


def overlaps(lists: Mapping[str, BroadcastList], rel) -> list[ContentError]:
    """A warning for each row whose number an earlier row (same list, or an earlier list by name)
    already has, naming both files and rows. ``rel(name)``: the list's file, relative to the project."""
    problems = []
    first_seen: dict[str, tuple[str, int]] = {}
    for name in sorted(lists):
        blist = lists[name]
        for line, first in blist.twins:
            problems.append(_warning(rel(name), line, rel(name), first))
        for r in blist.recipients:
            if (earlier := first_seen.get(r.phone)) is None:
                first_seen[r.phone] = (name, r.line)
            else:
                problems.append(_warning(rel(name), r.line, rel(earlier[0]), earlier[1]))
    return problems


def _warning(path: str, line: int, other: str, other_line: int) -> ContentError:
    if other == path:
        said = _("this number is also on line {line}: one message, greeted by both names (docs/reference/lists.md)")
    else:
        said = _(
            "this number is also on {other}:{line}; a send to both lists gets one message, greeted by both names"
            " (docs/reference/lists.md)"
        )
    return ContentError(
        path,
        said.format(other=other, line=other_line),
        line=line,
        field="nomor",
        warning=True,
    )


def merged_count(lists: Iterable[BroadcastList]) -> int:
    """How many rows of these lists are one message with an earlier row (same number)."""
    rows = numbers = 0
    seen: set[str] = set()
    for blist in lists:
        rows += len(blist.recipients) + len(blist.twins)
        for r in blist.recipients:
            if r.phone not in seen:
                seen.add(r.phone)
                numbers += 1
    return rows - numbers
