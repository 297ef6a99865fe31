"""Operator-facing text in Bahasa Indonesia (the default) or English, through gettext catalogs.

Code holds English msgids: ``_("no post named {name!r}").format(name=...)``, ``ngettext`` where a
count decides the form, ``N_`` to mark a text translated later (click help, shown at display time).
The catalogs are ``locale/<lang>/LC_MESSAGES/siaran.po``; the build compiles them to ``.mo``
(``setup.py``), and a missing or older ``.mo`` (an editable install) is compiled here from the
``.po`` in memory. The language: ``SIARAN_LANG`` (id | en), else the OS locale, else Indonesian.
Log files stay English for support: logging calls never go through ``_``. So do the reasons kept in
history (a delivery's error, why an occurrence was skipped): they are ``N_`` templates formatted when
stored, and ``say`` shows them in the operator's language. Texts for citizens (posters, captions,
auto-replies) are content, not catalog entries. Dates and durations shown to the operator are
Babel's, in the operator's language (``format_day``; ``say`` turns a stored "3 d 1 h" into "3 hari 1 jam").
"""

from __future__ import annotations

import contextlib
import gettext as _gettext
import io
import locale
import os
import re
import string
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "siaran"
LANGUAGES = ("id", "en")
DEFAULT = "id"


def language() -> str:
    """id or en: SIARAN_LANG, else the OS locale (LC_ALL, LC_MESSAGES, LANG), else id."""
    chosen = os.environ.get("SIARAN_LANG", "").strip().lower()
    if chosen:
        return "en" if chosen.startswith("en") else DEFAULT
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "en" if value.lower().startswith("en") else DEFAULT
    try:  # Windows has no LANG: ask the OS ("English_United States")
        current = locale.getlocale()[0] or ""
    except ValueError:
        current = ""
    return "en" if current.lower().startswith("en") else DEFAULT


def catalog_path(lang: str, suffix: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def compile_po(po: Path) -> bytes:
    """The .mo bytes of one .po catalog (Babel's compiler, also used by the build)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    po, mo = catalog_path(lang, ".po"), catalog_path(lang, ".mo")
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return _gettext.GNUTranslations(handle)
    if po.is_file():
        data = compile_po(po)
        with contextlib.suppress(OSError):  # an editable install: keep it for the next start
            tmp = mo.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            tmp.replace(mo)
        return _gettext.GNUTranslations(io.BytesIO(data))
    return _gettext.NullTranslations()


def _(message: str) -> str:
    return translations(language()).gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(language()).ngettext(singular, plural, n)


def format_day(value: date, pattern: str = "EEEE, d MMMM y") -> str:
    """A date in the operator's language: "Senin, 23 November 2026" / "Monday, 23 November 2026";
    ``"EEE"`` gives the short weekday ("Sen" / "Mon")."""
    from babel.dates import format_date  # imported when needed: most commands show no date

    return format_date(value, pattern, locale=language())


def say(stored: str | None) -> str | None:
    """A reason kept in English in history (support reads it) shown in the operator's language.

    ``stored`` may be a msgid as it is, a filled-in template (``N_("sent {sent}, failed {failed}")``
    formatted when stored: its values are put into the translated template, and translated in turn),
    several reasons joined by "; ", or a reason with a provider's own words in brackets, which stay
    as they were: "message undeliverable: … (Meta's text)"."""
    if not stored:
        return stored
    return _say(language(), stored, 0)


@lru_cache(maxsize=4096)  # a long-running server meets many distinct reasons
def _say(lang: str, stored: str, depth: int) -> str:
    found = translations(lang).gettext(stored)
    if found != stored or depth > 3:
        return found
    for pattern, first, template in _templates(lang):
        if match := pattern.fullmatch(stored):
            raw = {name: match.group(f"f{i}") for name, i in first.items()}
            said = {name: _say(lang, value, depth + 1) for name, value in raw.items()}
            return _fill(template, raw, said)
    if "; " in stored:  # reasons joined: the longest runs of parts that translate, from the left
        parts, out, i = stored.split("; "), [], 0
        while i < len(parts):
            for j in range(len(parts) - (i == 0), i, -1):
                joined = "; ".join(parts[i:j])
                if (said := _say(lang, joined, depth + 1)) != joined or j == i + 1:
                    out.append(said)
                    i = j
                    break
        return "; ".join(out)
    if span := _span(lang, stored):
        return span
    head, sep, tail = stored.partition(" (")
    if sep and (translated := translations(lang).gettext(head)) != head:
        return translated + sep + tail
    return stored


# A duration as history stores it (schedule._human: "3 d 1 h", "45 min"), English for support.
_SPAN = re.compile(r"(?:(?P<day>\d+) d)?(?: ?(?P<hour>\d+) h)?(?: ?(?P<minute>\d+) min)?")


def _span(lang: str, stored: str) -> str | None:
    """A stored duration in the language's own words (Babel's units: "3 hari 1 jam"); English
    readers see it as stored."""
    found = _SPAN.fullmatch(stored)
    if lang == "en" or not found or not stored.strip():
        return None
    from babel.units import format_unit

    parts = [(int(n), unit) for unit, n in found.groupdict().items() if n]
    return " ".join(format_unit(n, f"duration-{unit}", "long", locale=lang) for n, unit in parts)


def _fields(text: str) -> list[tuple[str, str | None, str | None]]:
    return [(lit, name, conv) for lit, name, _spec, conv in string.Formatter().parse(text)]


def _fill(template: str, raw: dict[str, str], said: dict[str, str]) -> str:
    """``template`` with each {field} replaced by its value as stored (no format spec applied again):
    translated, unless the field was a repr (``{name!r}``: a name the operator wrote)."""
    out = []
    for lit, name, conv in _fields(template):
        out.append(lit + ("" if name is None else raw[name] if conv else said[name]))
    return "".join(out)


@cache
def _templates(lang: str) -> list[tuple[re.Pattern[str], dict[str, int], str]]:
    """The catalog's translated templates with placeholders, as patterns matching a filled-in msgid;
    the most specific (most fixed text) first. A template of mere punctuation ("{a}: {b}") is left out."""
    found = []
    for msgid, msgstr in getattr(translations(lang), "_catalog", {}).items():
        if not isinstance(msgid, str) or not msgid or "{" not in msgid:
            continue
        try:
            parts = _fields(msgid)
        except ValueError:
            continue
        names = [name for _lit, name, _conv in parts if name is not None]
        fixed = "".join(lit for lit, _name, _conv in parts)
        if not names or sum(c.isalpha() for c in fixed) < 3 or any(not n.isidentifier() for n in names):
            continue
        regex, first = "", {}
        for i, (lit, name, _conv) in enumerate(parts):
            regex += re.escape(lit)
            if name in first:
                regex += f"(?P=f{first[name]})"
            elif name is not None:
                first[name] = i
                regex += f"(?P<f{i}>.*?)"
        found.append((len(fixed), re.compile(regex, re.DOTALL), first, msgstr or msgid))
    found.sort(key=lambda item: -item[0])
    return [(pattern, first, template) for _n, pattern, first, template in found]


def N_(message: str) -> str:
    """Marks a text for the catalog without translating it now (it is translated where shown)."""
    return message


__all__ = ["LANGUAGES", "N_", "_", "format_day", "language", "ngettext", "say"]
