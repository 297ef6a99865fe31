"""One word per idea: docs/reference/glosarium.md decides the Indonesian word for each idea, and lists
the synonyms that must not appear in what the operator reads (the Indonesian catalog, the operator
page's templates, the operator's guide)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from siaran.cli.catalogs import read

REPO = Path(__file__).parent.parent
GLOSSARY = REPO / "docs" / "reference" / "glosarium.md"
TEMPLATES = REPO / "src" / "siaran" / "server" / "templates"


def forbidden() -> dict[str, str]:
    """Each forbidden word -> the glossary's word for its idea."""
    found = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[3] and not set(cells[3]) <= {"-", " "} and cells[0] != "English (code, msgids)":
            for word in cells[3].split(","):
                found[word.strip()] = cells[1]
    return found


def find(words: dict[str, str], text: str) -> list[str]:
    """The forbidden words in ``text``, with their suffixed forms ("berkasnya", "kiriman-nya")."""
    return [
        f"{w!r} (say {say!r})"
        for w, say in words.items()
        if re.search(rf"(?<![\w-]){re.escape(w)}(?:-?nya)?(?![\w-])", text, re.IGNORECASE)
    ]


def test_the_glossary_decides_the_core_words():
    words = forbidden()
    assert {"kiriman", "kanal", "pos", "berkas"} <= set(words)
    assert words["kanal"] == "saluran" and words["kiriman"] in ("postingan", "pengiriman")


def test_the_guard_sees_suffixed_forms_and_not_longer_words():
    words = {"pos": "postingan", "berkas": "file"}
    assert find(words, "Berkasnya rusak") and find(words, "satu pos saja")
    assert not find(words, "postingan dan posyandu") and not find(words, "kode pos-el")


def _catalog_texts() -> list[tuple[str, str]]:
    out = []
    for m in read("id"):
        if m.id:
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            out += [(m.id if isinstance(m.id, str) else m.id[0], s) for s in strings if s]
    return out


def test_the_indonesian_catalog_uses_only_the_glossarys_words():
    words = forbidden()
    bad = {msgid: find(words, text) for msgid, text in _catalog_texts() if find(words, text)}
    assert bad == {}, "use the glossary's word (docs/reference/glosarium.md) in the id .po"


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.html")) + sorted((REPO / "docs" / "panduan").glob("*.md")),
                         ids=lambda p: p.name)  # fmt: skip
def test_the_page_templates_and_the_guide_use_only_the_glossarys_words(path: Path):
    assert find(forbidden(), path.read_text(encoding="utf-8")) == []
