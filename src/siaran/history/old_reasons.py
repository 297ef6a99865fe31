"""Migration m014's one job: reasons history kept as English sentences become codes with parameters.

This is the only place that reads a sentence back, once, when an old history file is opened. It
matches the codes' English templates (worded as they were when m014 was written), most specific
first; anything else is kept whole as the ``legacy`` code, its text a parameter, shown as it was. A
template reworded later only means a not-yet-migrated file keeps more rows as ``legacy``.
"""

from __future__ import annotations

import ast
import re
import string
from functools import cache
from typing import TYPE_CHECKING, Any

from ..reasons import Reason, dump, reason, span
from ..reasons.codes import CODES

if TYPE_CHECKING:
    import sqlite_utils

# Sentences stored before m014 that no code's template words alone (a code plus Meta's words).
_OLD_ONLY = {"cloud.error+said": "WhatsApp Cloud API error {code}: {said}"}
# Templates that are punctuation around fields: they would match almost anything.
_LOOSE = {"legacy", "text", "said", "span", "joined", "daemon.count", "http.failed"}
_SPAN = re.compile(r"(?:(\d+) d)?(?: ?(\d+) h)?(?: ?(\d+) min)?")
_COUNT = re.compile(r"(\d+) (done|failed|held|running|skipped|waiting)")


# Every column that keeps a reason, in the tables that have one.
REASON_COLUMNS = (
    ("deliveries", "error"),
    ("occurrences", "reason"),
    ("alerts", "error"),
    ("webhook_statuses", "error"),
    ("heartbeat", "summary"),
)


def migrate(db: sqlite_utils.Database) -> None:
    """Rewrite every stored reason as data. Distinct texts are read once and each table rewritten in
    one pass through a temporary mapping (history can hold millions of rows)."""
    for table, column in REASON_COLUMNS:
        if not db[table].exists():
            continue
        texts = [r[0] for r in db.execute(f"select distinct {column} from {table} where {column} is not null")]
        if not texts:
            continue
        db.execute("create temp table reason_map (old text primary key, new text)")
        db.conn.executemany("insert into reason_map values (?, ?)", [(t, dump(convert(t))) for t in texts])
        db.execute(
            f"update {table} set {column} = (select new from reason_map where old = {table}.{column}) "
            f"where {column} is not null"
        )
        db.execute("drop table reason_map")


def convert(old: str) -> Reason:
    """The reason an old stored sentence meant, or ``legacy`` with the sentence as it was."""
    return _convert(old, 0) or Reason("legacy", {"text": old})


def _convert(old: str, depth: int) -> Reason | None:
    if depth > 4 or not old:
        return None
    for code, pattern, repr_fields in _patterns():
        found = pattern.fullmatch(old)
        if found:
            params = {name: _param(value, name in repr_fields, depth) for name, value in found.groupdict().items()}
            if code == "cloud.error+said":
                return reason("said", error=reason("cloud.error", code=params["code"]), said=params["said"])
            return Reason(code, params)
    if (minutes := _minutes(old)) is not None:
        return span(minutes)
    if summary := _pass_summary(old):
        return summary
    if "; " in old:  # reasons joined: the longest runs of parts that read as a reason, from the left
        parts, read, i = old.split("; "), [], 0
        while i < len(parts):
            for j in range(len(parts) - (i == 0), i, -1):
                piece = "; ".join(parts[i:j])
                if (found := _convert(piece, depth + 1)) or j == i + 1:
                    read.append(found or Reason("legacy", {"text": piece}))
                    i = j
                    break
        if any(r.code != "legacy" for r in read):
            return reason("joined", parts=read)
    for i in (m.start() for m in re.finditer(r" \(", old)):  # "message undeliverable: … (Meta's words)"
        if old.endswith(")") and (head := _convert(old[:i], depth + 1)):
            return reason("said", error=head, said=old[i + 2 : -1])
    return None


def _param(value: str, quoted: bool, depth: int) -> Any:
    if quoted:
        try:
            return str(ast.literal_eval(value))
        except (ValueError, SyntaxError):
            return value
    return _convert(value, depth + 1) or value


def _minutes(old: str) -> int | None:
    found = _SPAN.fullmatch(old)
    if not found or not old.strip():
        return None
    days, hours, minutes = (int(n or 0) for n in found.groups())
    return days * 1440 + hours * 60 + minutes


def _pass_summary(old: str) -> Reason | None:
    """The daemon's heartbeat: "1 done, 2 skipped"."""
    parts = [_COUNT.fullmatch(p) for p in old.split(", ")]
    if not all(parts):
        return None
    counts = [reason("daemon.count", n=int(p[1]), status=reason(f"status.{p[2]}")) for p in parts if p]
    return reason("joined", parts=counts)


@cache
def _patterns() -> list[tuple[str, re.Pattern[str], frozenset[str]]]:
    found = []
    for code, template in [*CODES.items(), *_OLD_ONLY.items()]:
        if code in _LOOSE or code.startswith("status."):
            continue
        regex, fixed, repr_fields = "", "", set()
        for literal, name, _spec, conv in string.Formatter().parse(template):
            regex += re.escape(literal)
            fixed += literal
            if name is not None:
                regex += f"(?P<{name}>.*?)" if f"(?P<{name}>" not in regex else f"(?P={name})"
                if conv == "r":
                    repr_fields.add(name)
        found.append((len(fixed), code, re.compile(regex, re.DOTALL), frozenset(repr_fields)))
    found.sort(key=lambda item: -item[0])  # the most specific first
    return [(code, pattern, fields) for _n, code, pattern, fields in found]
