"""One setting's value from siaran.toml, .env or the environment, converted and checked.

Everything a setting may not be is refused here, when the settings are loaded, before anything is
sent: a number that is not finite, out of its range or given as true/false; a port past 65535; a
Fonnte pacing that would not pace; an operator number WhatsApp cannot reach; a file setting that
points into content/ or schedules/ (a log line must never be appended to a content file), or
out of the project. A new setting only declares its type, range and ``check`` in the registry.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, did_you_mean
from ..i18n import N_, _

if TYPE_CHECKING:
    from . import Setting

TYPE_NAMES = {str: N_("text"), int: N_("whole number"), float: N_("number"), bool: N_("true or false")}
CONTENT_FOLDERS = ("content", "schedules")
MAX_DELAY = 3600.0  # seconds of a Fonnte gap: more is a typo (an hour between two messages)
_DELAY = N_("whatsapp.delay = {value!r}: use seconds like 5 or a range like 3-10")


def token_problem(token: str) -> str:
    """What a pasted token should not contain (it would fail every request), or ""."""
    for ch in token:
        if ch in "\r\n":
            return _("a line break")
        if ch in "\u201c\u201d\u2018\u2019\u00ab\u00bb":
            return _("a typographic quote (\u201c \u201d \u2018 \u2019)")
        if ch.isspace():
            return _("a space")
        if not ch.isprintable():
            return _("a control character")
        if not ch.isascii():
            return _("the non-ASCII character {char!r}").format(char=ch)
    if token[0] in "\"'" or token[-1] in "\"'":
        return _("a quote mark at its start or end")
    return ""


def parse_delay(value: str) -> tuple[float, float]:
    """Fonnte's pacing: '5' → 5 to 6.5 s (30 % jitter); '3-10' → anywhere between 3 and 10 s; '0' →
    none. Refused unless finite, 0 to an hour, low <= high ('nan' would switch pacing off)."""
    text = str(value).strip()
    try:
        if "-" in text:
            low, high = (float(x) for x in text.split("-", 1))
        else:
            low = float(text)
            high = low * 1.3
    except ValueError:
        raise ConfigError(_(_DELAY).format(value=value)) from None
    if not (math.isfinite(low) and math.isfinite(high)) or low < 0 or high < low or high > MAX_DELAY:
        raise ConfigError(_(_DELAY).format(value=value))
    return low, high


def _delay(value: Any) -> str:
    try:
        parse_delay(value)
    except ConfigError:
        return _("use seconds like 5 or a range like 3-10, at most {most}").format(most=f"{MAX_DELAY:g}")
    return ""


def _phone(value: Any) -> str:
    from ..content.phones import normalise_phone

    if not value:
        return ""
    phone, reason = normalise_phone(str(value))
    return "" if phone else _("not a valid WhatsApp number: {reason}").format(reason=reason)


CHECKS: dict[str, Callable[[Any], str]] = {"delay": _delay, "phone": _phone}  # setting.check → problem or ""


def convert(setting: Setting, value: Any, origin: str) -> Any:
    name = f"{setting.section}.{setting.key}"
    if setting.type is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "ya", "on"}:
            return True
        if text in {"0", "false", "no", "tidak", "off", ""}:
            return False
        raise ConfigError(
            _("{origin}: {name} must be true or false, not {value!r}").format(origin=origin, name=name, value=value)
        )
    numeric = setting.type in (int, float)
    try:
        if numeric and isinstance(value, bool):  # TOML's true is not 1 concurrent request
            raise ValueError
        if setting.type is int and isinstance(value, float) and not value.is_integer():
            raise ValueError
        converted = setting.type(value)
    except (TypeError, ValueError, OverflowError) as e:
        raise ConfigError(
            _("{origin}: {name} must be a {kind}, not {value!r}").format(
                origin=origin, name=name, kind=_(TYPE_NAMES[setting.type]), value=value
            )
        ) from e
    if numeric and not (math.isfinite(converted) and (converted > 0 or (converted == 0 and setting.zero_ok))):
        least = _("0 or more") if setting.zero_ok else _("above 0")
        raise ConfigError(
            _("{origin}: {name} must be a number {least}, not {value!r}").format(
                origin=origin, name=name, least=least, value=value
            )
        )
    if numeric and setting.maximum is not None and converted > setting.maximum:
        raise ConfigError(
            _("{origin}: {name} must be at most {most}, not {value!r}").format(
                origin=origin, name=name, most=f"{setting.maximum:g}", value=value
            )
        )
    if setting.secret and converted:
        problem = token_problem(converted)
        if problem:  # never echo the secret itself
            raise ConfigError(
                _("{origin}: {name} contains {problem}; copy it again (the value is not shown)").format(
                    origin=origin, name=name, problem=problem
                )
            )
    if setting.choices and converted not in setting.choices:
        raise ConfigError(
            _("{origin}: {name} = {value!r} is not one of {choices}").format(
                origin=origin, name=name, value=value, choices=", ".join(setting.choices)
            )
            + did_you_mean(str(value), setting.choices)
        )
    if setting.check:
        problem = CHECKS[setting.check](converted)
        if problem:
            raise ConfigError(
                _("{origin}: {name} = {value!r}: {problem}").format(
                    origin=origin, name=name, value=value, problem=problem
                )
            )
    return converted


def path_problem(project: Path, setting: Setting, value: str) -> str:
    """Why the file or folder setting ``value`` may not be used, or "" (``setting.place``: "project"
    = inside the project folder; every path setting stays out of content/ and schedules/)."""
    target = (project / value).resolve()
    root = project.resolve()
    if setting.place == "project" and not target.is_relative_to(root):
        return _("must be inside the project folder")
    for folder in CONTENT_FOLDERS:
        if target.is_relative_to(root / folder):
            return _("must not be inside {folder}/ (siaran would write into the office's content)").format(
                folder=folder
            )
    return ""
