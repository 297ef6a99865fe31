"""Bahasa Indonesia by default, English on request: the catalogs cover every message of the code."""

from __future__ import annotations

import gettext
import io
import string

import pytest

from siaran import i18n
from siaran.cli.catalogs import extract, msgids, read, untranslated


@pytest.fixture(scope="module")
def template():
    return extract()


def test_the_catalogs_hold_every_message_of_the_code(template):
    """Fails when code gained a message: run `python -m siaran.cli.catalogs`, then translate it."""
    for lang in i18n.LANGUAGES:
        assert msgids(read(lang)) == msgids(template), f"{lang}: .po is out of date with the code"


def test_every_message_has_an_indonesian_translation():
    assert untranslated(read("id")) == []


def _fields(text: str) -> set[str]:
    return set() if "{%" in text else {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_translations_keep_the_placeholders():
    """A translation naming a placeholder the code does not pass would crash the message."""
    for m in read("id"):
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set().union(*map(_fields, ids))
        for text in strings:
            assert _fields(text) <= wanted, m.id


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SIARAN_LANG": "en"}, "en"),
        ({"SIARAN_LANG": "id"}, "id"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "id_ID.UTF-8"}, "id"),
        ({"LANG": "C.UTF-8"}, "id"),
        ({"SIARAN_LANG": "id", "LANG": "en_US.UTF-8"}, "id"),
    ],
)
def test_language_choice(monkeypatch, env, expected):
    for var in ("SIARAN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert i18n.language() == expected


def test_the_po_compiles_in_memory_when_no_mo_was_built():
    catalog = gettext.GNUTranslations(io.BytesIO(i18n.compile_po(i18n.catalog_path("id", ".po"))))
    assert catalog.gettext("file is empty") == "file kosong"


def test_errors_and_help_follow_the_language(run, project, monkeypatch):
    (project / "content" / "office.yaml").write_text("name: Kelurahan\n\tkind: kelurahan\n", encoding="utf-8")
    monkeypatch.setenv("SIARAN_LANG", "id")
    res = run("check")
    assert res.exit_code == 1
    assert "masalah ditemukan; tidak ada yang dikirim" in res.stderr
    assert "content/office.yaml:2:1: ada karakter tab: buat jarak masuk dengan spasi" in res.stderr
    assert "Kirim postingan NAME sekarang" in run("send", "--help").output
    assert "Cara pakai:" in run("send", "--help").output
    monkeypatch.setenv("SIARAN_LANG", "en")
    res = run("check")
    assert "content/office.yaml:2:1: a tab character: indent with spaces" in res.stderr
    assert "Send post NAME now" in run("send", "--help").output


def test_reasons_kept_in_english_are_shown_translated(monkeypatch):
    monkeypatch.setenv("SIARAN_LANG", "id")
    stored = "message undeliverable: the number is not on WhatsApp or cannot receive this message (Meta: 131026)"
    assert i18n.say(stored).startswith("pesan tidak bisa dikirim:") and i18n.say(stored).endswith("(Meta: 131026)")
    assert i18n.say("opted out") == "berhenti berlangganan"
    assert i18n.say("something nobody translated") == "something nobody translated"
    monkeypatch.setenv("SIARAN_LANG", "en")
    assert i18n.say(stored) == stored
