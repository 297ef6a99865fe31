"""Reasons are data: a stable code plus parameters, worded in the reader's language when shown.

A delivery's error, why an occurrence was skipped or held, why an alert could not go out: each is a
``Reason(code, params)``. History keeps it as JSON (``dump``), never as a sentence; every screen
turns it into words at display time (``say``) through the code's ``N_`` template in
``siaran.reasons.codes`` and the gettext catalogs. Rewording a template changes what old rows say
too; renaming a code is a migration. Nothing ever parses a sentence back.

A parameter is a str, an int or float, None, another Reason (worded in turn), or a list of those
(joined with "; "). Text a provider or the operator wrote (Meta's own message, a content problem
already in the operator's language) is a plain str parameter and is shown as it is.

How to add a code: docs/development/reasons.md.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..errors import scrub as _scrub
from ..i18n import _, language
from .codes import CODES


@dataclass(frozen=True)
class Reason:
    """One reason: ``code`` names an entry of ``CODES``; ``params`` fill its template's fields."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown reason code {self.code!r}: add it to siaran.reasons.codes")
        wanted = _fields(self.code)
        if set(self.params) != wanted:
            raise ValueError(f"reason {self.code!r} takes {sorted(wanted)}, got {sorted(self.params)}")

    def __hash__(self) -> int:  # params is a dict: hash the canonical form (Counter keys, sets)
        return hash(dump(self))

    def __str__(self) -> str:
        """English, for logs and support (the msgid itself, filled in)."""
        return _word(self, english=True)

    def scrub(self, *secrets: str) -> Reason:
        """The same reason with every secret masked in its text parameters."""
        return Reason(self.code, {k: _scrub_value(v, secrets) for k, v in self.params.items()})


def reason(code: str, /, **params: Any) -> Reason:
    """``reason("delivery.gave_up", error=..., attempts=3)``: the short way to write a Reason."""
    return Reason(code, params)


def text(words: str) -> Reason:
    """Words that are already final (a content problem in the operator's language, a provider's own
    message): kept and shown as they are."""
    return Reason("text", {"text": str(words)})


def say(value: Reason | str | None) -> str:
    """A reason (or its stored JSON) in the operator's language; "" for none."""
    if value is None or value == "":
        return ""
    found = value if isinstance(value, Reason) else load(value)
    return _word(found, english=False) if found is not None else ""


# ── storing ──────────────────────────────────────────────────────────────────


def dump(value: Reason | str | None) -> str | None:
    """The JSON history keeps: ``{"code": ..., "params": {...}}``, keys sorted (equal reasons, equal text).
    A plain str is kept as ``text`` (final words, shown as they are)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = text(value)
    return json.dumps(_plain(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def load(stored: str | None) -> Reason | None:
    """A reason from history's JSON. Text that is not a reason (a row written by hand) comes back
    as ``text``: shown as it is, never guessed at."""
    if not stored:
        return None
    try:
        data = json.loads(stored)
        return _reason(data)
    except (ValueError, TypeError, KeyError):
        return text(stored)


def _plain(value: Any) -> Any:
    if isinstance(value, Reason):
        return {"code": value.code, "params": {k: _plain(v) for k, v in value.params.items()}}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _reason(data: Any) -> Reason:
    if not isinstance(data, dict) or not isinstance(data.get("params", {}), dict):
        raise TypeError("not a reason")
    params = data.get("params", {})
    return Reason(str(data["code"]), {k: _value(v) for k, v in params.items()})


def _value(value: Any) -> Any:
    if isinstance(value, dict):  # the only dicts a reason holds are reasons
        return _reason(value)
    if isinstance(value, list):
        return [_value(v) for v in value]
    return value


def _scrub_value(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return _scrub(value, *secrets)
    if isinstance(value, Reason):
        return value.scrub(*secrets)
    if isinstance(value, list | tuple):
        return [_scrub_value(v, secrets) for v in value]
    return value


# ── wording ──────────────────────────────────────────────────────────────────


@cache
def _fields(code: str) -> frozenset[str]:
    return frozenset(name for _lit, name, _spec, _conv in string.Formatter().parse(CODES[code]) if name)


def _word(r: Reason, *, english: bool) -> str:
    if r.code == "span":
        return _span(int(r.params["minutes"]), english=english)
    template = CODES[r.code] if english else _(CODES[r.code])
    return template.format(**{k: _word_value(v, english) for k, v in r.params.items()})


def _word_value(value: Any, english: bool) -> Any:
    if isinstance(value, Reason):
        return _word(value, english=english)
    if isinstance(value, list | tuple):
        return "; ".join(str(_word_value(v, english)) for v in value)
    return "" if value is None else value


def span(minutes: float) -> Reason:
    """A duration, worded by Babel in the reader's language ("3 hari 1 jam"; "3 d 1 h" in English)."""
    return Reason("span", {"minutes": int(minutes)})


def _span(minutes: int, *, english: bool) -> str:
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(n, unit) for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")) if n][:2]
    lang = "en" if english else language()
    if lang == "en":
        short = {"day": "d", "hour": "h", "minute": "min"}
        return " ".join(f"{n} {short[unit]}" for n, unit in parts) or "0 min"
    from babel.units import format_unit  # imported when needed: few screens show a duration

    return " ".join(format_unit(n, f"duration-{unit}", "long", locale=lang) for n, unit in parts) or (
        format_unit(0, "duration-minute", "long", locale=lang)
    )


__all__ = ["CODES", "Reason", "dump", "load", "reason", "say", "span", "text"]
