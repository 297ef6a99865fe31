"""Keeping the catalogs in step with the code: extract every msgid from src/siaran (Python and the
operator page's templates) and merge it
into each language's .po (old translations kept, new msgids added untranslated, gone ones dropped).

    python -m siaran.cli.catalogs     # update every .po, then list the msgids still untranslated

Babel does the work (the same as ``pybabel extract`` + ``pybabel update``), so a translator's tool
(Poedit, Weblate) reads the same files.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from ..i18n import DOMAIN, LANGUAGES, catalog_path
from .translate import help_texts

SOURCE = Path(__file__).resolve().parent.parent  # src/siaran
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# Python code, and the operator page's templates ({{ _("History") }}) read as server/preview.py's
# environment does (Jinja2's own Babel extractor; silent off, so a broken template is an error here).
METHODS = [("**.py", "python"), ("server/templates/**.html", "jinja2")]
OPTIONS = {
    "server/templates/**.html": {
        "extensions": "jinja2.ext.i18n",
        "trim_blocks": "true",
        "newstyle_gettext": "true",
        "silent": "false",
    }
}


def extract(source: Path = SOURCE) -> Catalog:
    """Every msgid marked in the code, as a template catalog (.pot)."""
    template = Catalog(domain=DOMAIN, project="siaran", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        source, method_map=METHODS, options_map=OPTIONS, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    from . import cli  # help texts are docstrings and help=: taken from the command tree

    for text in help_texts(cli):
        if text not in template:
            template.add(text, None, [("cli", 0)])
    return template


def msgids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {m.id for m in catalog if m.id}


def read(lang: str) -> Catalog:
    with catalog_path(lang, ".po").open("rb") as handle:
        return read_po(handle, locale=lang)


def update(lang: str, template: Catalog) -> Catalog:
    path = catalog_path(lang, ".po")
    new = Catalog(locale=lang, domain=DOMAIN, project="siaran", charset="utf-8")
    catalog = read(lang) if path.is_file() else new
    created = catalog.creation_date
    catalog.update(template, no_fuzzy_matching=True)
    catalog.creation_date = created  # a re-run with nothing new leaves the file as it was
    catalog.fuzzy = False
    catalog.obsolete.clear()  # git keeps the history; a stale entry only confuses the translator
    out = io.BytesIO()
    write_po(out, catalog, width=120, omit_header=False, sort_output=True, include_lineno=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return catalog


def untranslated(catalog: Catalog) -> list[str]:
    """msgids without a translation (or marked fuzzy, which gettext would not use)."""
    out = []
    for m in catalog:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, (list, tuple)) else [m.string]
        if m.fuzzy or not all(strings):
            out.append(m.id if isinstance(m.id, str) else m.id[0])
    return out


def main() -> int:
    template = extract()
    missing = 0
    for lang in LANGUAGES:
        catalog = update(lang, template)
        if lang == "en":
            continue  # msgids are English: an empty msgstr shows the msgid
        todo = untranslated(catalog)
        missing += len(todo)
        for msgid in todo:
            print(f"{lang}: untranslated: {msgid!r}")
    print(f"{len(msgids(template))} messages; {missing} to translate in {catalog_path('id', '.po')}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
