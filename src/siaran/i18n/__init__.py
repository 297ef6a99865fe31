"""Operator-facing text in Bahasa Indonesia (the default) or English, through gettext catalogs.

Code holds English msgids: ``_("no post named {name!r}").format(name=...)``, ``ngettext`` where a
count decides the form, ``N_`` to mark a text translated later (click help, shown at display time).
The catalogs are ``locale/<lang>/LC_MESSAGES/siaran.po``; the build compiles them to ``.mo``
(``setup.py``), and a missing or older ``.mo`` (an editable install) is compiled here from the
``.po`` in memory. The language: ``SIARAN_LANG`` (id | en), else the project's ``siaran.toml``
(``[operator] language``, passed here by ``use_project_language`` when settings load), else
Indonesian; never the OS locale (an office PC with English regional settings still speaks Indonesian).
Log files stay English for support: logging calls never go through ``_``. Reasons kept in history
(a delivery's error, why an occurrence was skipped) are data, worded where shown: siaran.reasons.
Texts for citizens (posters, captions, auto-replies) are content, not catalog entries. Dates and
durations shown to the operator are Babel's, in the operator's language (``format_day``).
"""

from __future__ import annotations

import contextlib
import gettext as _gettext
import io
import os
from datetime import date
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "siaran"
LANGUAGES = ("id", "en")
DEFAULT = "id"


_project_language: str | None = None  # the project's siaran.toml choice, once settings are read


def use_project_language(lang: str | None) -> None:
    """The language the project's settings chose (None: none chosen); SIARAN_LANG still wins."""
    global _project_language
    _project_language = lang if lang in LANGUAGES else None


def language() -> str:
    """id or en: SIARAN_LANG, else the project's setting, else id. Never the OS locale."""
    chosen = os.environ.get("SIARAN_LANG", "").strip().lower()
    if chosen:
        return "en" if chosen.startswith("en") else DEFAULT
    return _project_language or DEFAULT


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


def format_week(monday: date) -> str:
    """A week as the dates it spans, in the operator's language: "7–13 Des 2026", "30 Nov–6 Des 2026"
    (Babel's interval format), never an ISO week label."""
    from datetime import timedelta

    from babel.dates import format_interval

    text = format_interval(monday, monday + timedelta(days=6), "yMMMd", locale=language())
    return text.replace("\u2009", " ")  # CLDR's thin spaces: a Windows console shows them as boxes


def N_(message: str) -> str:
    """Marks a text for the catalog without translating it now (it is translated where shown)."""
    return message


__all__ = ["LANGUAGES", "N_", "_", "format_day", "format_week", "language", "ngettext", "use_project_language"]
