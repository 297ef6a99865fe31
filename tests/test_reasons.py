"""Reasons are data (siaran.reasons): a code plus parameters in history, worded in the reader's language
when shown; old English sentences become codes once (migration m014); no sentence is parsed back."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

import siaran
from siaran.history import open_db
from siaran.history.old_reasons import convert
from siaran.history.schema import m014_issue22_reasons_as_data
from siaran.reasons import CODES, Reason, dump, load, reason, say, span, text

SRC = Path(siaran.__file__).resolve().parent


def test_a_reason_is_worded_in_the_readers_language_at_display_time(monkeypatch):
    counts = reason("occurrence.counts", sent=7, failed=0, uncertain=0, skipped=1, already=0)
    stopped = reason(
        "delivery.provider_stopped_code", provider="Fonnte", code="401", error=reason("waha.slow_down")
    )
    stored = dump(reason("joined", parts=[stopped, reason("occurrence.not_all_sent", counts=counts)]))
    monkeypatch.setenv("SIARAN_LANG", "id")
    assert say(stored) == (
        "Fonnte menolak melanjutkan (kode 401): WAHA meminta memperlambat. Sisanya tetap dalam antrean; jalankan "
        "lagi perintah yang sama.; tidak semua terkirim: terkirim 7, gagal 0, belum pasti 0, dilewati 1, "
        "sudah selesai 0"
    )
    # a name the operator wrote ({session!r}) and a provider's own words are never translated
    no_session = reason("waha.no_session", session="failed")
    assert say(no_session) == "WAHA tidak punya sesi 'failed': jalankan sesi itu di dasbor WAHA"
    said = reason("said", error=reason("meta.131026"), said="Meta: 131026")
    assert say(said).startswith("pesan tidak bisa dikirim:") and say(said).endswith("(Meta: 131026)")
    late = reason("schedule.missed_grace", late=span(45), grace=span(3 * 1440 + 65))
    assert say(late) == "terlambat 45 menit, melewati batas tenggangnya 3 hari 1 jam"
    monkeypatch.setenv("SIARAN_LANG", "en")
    assert say(late) == "missed by 45 min, more than its grace of 3 d 1 h" == str(late)
    assert say(said) == str(said)


def test_stored_json_round_trips_and_other_text_is_shown_as_it_is():
    r = reason("delivery.gave_up", error=reason("http.unreachable", provider="WAHA", error="ConnectError"), attempts=3)
    assert load(dump(r)) == r and hash(load(dump(r))) == hash(r)
    assert dump(r) == dump(reason("delivery.gave_up", attempts=3, error=r.params["error"]))  # canonical: one text
    assert load("written by hand") == text("written by hand")
    assert say(None) == say("") == ""
    assert load('{"code": "no.such.code", "params": {}}') == text('{"code": "no.such.code", "params": {}}')


def test_a_code_must_exist_and_take_exactly_its_fields():
    with pytest.raises(ValueError, match="unknown reason code"):
        Reason("no.such.code")
    with pytest.raises(ValueError, match="takes"):
        reason("delivery.gave_up", error=text("x"))
    masked = reason("said", error=reason("meta.190"), said="token EAAG-secret-123 expired").scrub("EAAG-secret-123")
    assert "EAAG" not in dump(masked)


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "reason" \
                and node.args and isinstance(node.args[0], ast.Constant):  # fmt: skip
            yield node


def test_every_reason_written_in_the_code_names_a_known_code_with_its_fields():
    """A misspelt code or field would only fail when that rare error happens: find it now."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for call in _calls(ast.parse(path.read_text(encoding="utf-8"))):
            code = call.args[0].value
            given = {k.arg for k in call.keywords}
            if code not in CODES:
                found.append(f"{path.name}:{call.lineno}: unknown {code}")
            elif code != "span" and None not in given:
                wanted = {n for _l, n, _s, _c in string.Formatter().parse(CODES[code]) if n}
                if given != wanted:
                    found.append(f"{path.name}:{call.lineno}: {code} takes {sorted(wanted)}, got {sorted(given)}")
    assert found == []


def test_no_module_parses_an_english_sentence_back():
    """Only the one-off migration reads old sentences; nothing classifies a reason by its words."""
    for path in sorted(SRC.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if path.name == "old_reasons.py":
            continue
        assert ".reason.startswith(" not in source and "missed between\" in" not in source, path


OLD = {
    "opted out": reason("delivery.opted_out"),
    "throughput limit of the phone number reached (x) (gave up after 3 attempts)": reason(
        "delivery.gave_up", error=reason("said", error=reason("meta.130429"), said="x"), attempts="3"
    ),
    "missed by 3 d 1 h, more than its grace of 30 min": reason(
        "schedule.missed_grace", late=span(4380), grace=span(30)
    ),
    "WAHA has no session 'x y': start it in the WAHA dashboard": reason("waha.no_session", session="x y"),
    "WhatsApp Cloud API error 999/3: odd": reason("said", error=reason("cloud.error", code="999/3"), said="odd"),
    "1 done, 2 skipped": reason(
        "joined",
        parts=[
            reason("daemon.count", n=1, status=reason("status.done")),
            reason("daemon.count", n=2, status=reason("status.skipped")),
        ],
    ),
    "something nobody wrote down": Reason("legacy", {"text": "something nobody wrote down"}),
}


def test_m014_turns_the_old_sentences_into_codes_and_keeps_the_rest_whole(tmp_path):
    assert {old: convert(old) for old in OLD} == OLD
    stopped = (
        "WhatsApp Cloud API refused to continue (code 190): the access token expired or is invalid: create a new one "
        "in Meta Business Settings (System User token) and set SIARAN_WHATSAPP_TOKEN. The rest stays queued; run "
        "the same command again.; sent 1, failed 0, uncertain 0, skipped 0, already done 0"
    )
    assert [p.code for p in convert(stopped).params["parts"]] == ["delivery.provider_stopped_code", "occurrence.counts"]
    assert str(convert(stopped)) == stopped  # worded again, it reads as it was stored
    db = open_db(tmp_path / "siaran.db")
    for i, old in enumerate(OLD):
        db["deliveries"].insert(
            {"key": f"k{i}", "post": "p", "channel": "whatsapp", "recipient": "+62", "status": "failed", "error": old}
        )
        db["occurrences"].insert({"id": f"o{i}", "status": "skipped", "reason": old})
    m014_issue22_reasons_as_data(db)
    assert [load(r["error"]) for r in db["deliveries"].rows] == list(OLD.values())
    assert [load(r["reason"]) for r in db["occurrences"].rows] == list(OLD.values())
