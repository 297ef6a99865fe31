"""Numbers are parsed once per distinct raw text, remembered across edits in the history: an edit
to a big list parses only its new or changed rows; a new history caches lists on its first pass."""

from __future__ import annotations

from types import SimpleNamespace

import sqlite_utils

from siaran.content import phones
from siaran.content.phone_book import PhoneBook
from test_list_cache import LIST, big_list

TUESDAY = {"SIARAN_NOW": "2026-11-24T12:00:00+08:00"}  # nothing due


def counting(monkeypatch) -> list[str]:
    """The raw texts the phone book hands to phonenumbers."""
    parsed: list[str] = []

    def parse(raw, region="ID"):
        parsed.append(raw)
        return phones.parse_phone(raw, region)

    monkeypatch.setattr(
        "siaran.content.phone_book.phones", SimpleNamespace(parse_phone=parse, __file__=phones.__file__)
    )
    return parsed


def test_a_new_history_caches_on_its_first_pass_and_an_edit_parses_only_its_rows(run, project, monkeypatch):
    big_list(project, 1000)
    parsed = counting(monkeypatch)
    send = ("send", "announcements/kerja-bakti", "--now", "--channel", "whatsapp", "--dry-run")
    assert run(*send, env=TUESDAY).exit_code == 0  # makes the history: caches what it parsed
    assert len(parsed) > 1000
    db = sqlite_utils.Database(project / "siaran-rehearsal.db")
    assert db.execute("select count(*) from list_cache where path = ? and data is not null", [LIST]).fetchone()[0]
    assert db["phone_numbers"].count >= 1001

    parsed.clear()
    assert run(*send, env=TUESDAY).exit_code == 0
    assert parsed == []

    with (project / LIST).open("a", encoding="utf-8") as f:  # one row added, one changed
        f.write("Warga Baru,0812 9999 0001,01,03,\n")
    text = (project / LIST).read_text(encoding="utf-8").replace("081210000005", "0812-1000-0005 ")
    (project / LIST).write_text(text, encoding="utf-8")
    assert run("run", "--once", env=TUESDAY).exit_code == 0  # a daemon pass reads no more than the first person
    assert parsed == []
    res = run(*send, env=TUESDAY)
    assert res.exit_code == 0, res.all
    assert sorted(parsed) == ["0812 9999 0001", "0812-1000-0005"]
    assert "1001" in res.output  # the new row counted, the changed one still the same person


def test_the_book_gives_what_phonenumbers_gives():
    remembered = {"0812-3456-7801": ("+6281234567801", "")}
    asked = []

    def known(version, raws, today):
        asked.append(raws)
        return {r: remembered[r] for r in raws or remembered if r in remembered}, set()

    book = PhoneBook("ID", known)
    parse = book.parser(["0812-3456-7801", "12345", ""])
    for raw in ("0812-3456-7801", "12345", "", "+62 852 4700 1234"):
        assert parse(raw) == phones.parse_phone(raw, "ID")
    assert sorted(book.take_added()) == ["", "+62 852 4700 1234", "12345"] and book.take_added() == {}


def test_the_offices_own_numbers_are_remembered_too(run, project, monkeypatch):
    """office.yaml's numbers and an SOP's contact go through the phone book like a list's: once a
    project has a history, `check` parses no number it parsed before."""
    parsed: list[str] = []
    parse_phone = phones.parse_phone
    monkeypatch.setattr(phones, "parse_phone", lambda raw, region="ID": parsed.append(raw) or parse_phone(raw, region))
    sop = project / "content" / "sop" / "surat-keterangan-domisili.yaml"
    sop.write_text(sop.read_text(encoding="utf-8") + "contact: 0812-5555-0101\n", encoding="utf-8")
    assert run("check").exit_code == 0  # no history yet: parsed, nowhere to keep them
    assert "0812-5555-0101" in parsed and any(raw.startswith("0811") for raw in parsed)
    assert run("run", "--once", env=TUESDAY).exit_code == 0  # makes the rehearsal's history
    parsed.clear()
    assert run("check", env=TUESDAY).exit_code == 0
    assert parsed == []


def test_phonenumbers_loads_only_for_a_number_it_must_parse():
    """Its import costs every command; the phone book's key still covers it (an import inside a
    function counts, siaran.content.cache)."""
    import subprocess
    import sys

    from siaran.content import cache

    assert "phonenumbers" in cache._closure(("siaran.content.phones",))[1]
    code = (
        "import sys; from siaran.content import phones, office, lists; print('phonenumbers' in sys.modules, "
        "phones.parse_phone('0812-3456-7801'), 'phonenumbers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "('+6281234567801',", "'')", "True"]


def test_the_book_notes_a_remembered_number_read_again_on_a_later_day():
    remembered = {
        "0812-3456-7801": ("+6281234567801", "", "2026-01-05"),
        "0812-3456-7802": ("+6281234567802", "", "2026-12-07"),
    }

    def known(version, raws, today):
        found = {r: remembered[r] for r in raws or remembered if r in remembered}
        return {r: (phone, reason) for r, (phone, reason, _) in found.items()}, {
            r for r, v in found.items() if v[2] < today
        }

    book = PhoneBook("ID", known, "2026-12-07")
    parse = book.parser(["0812-3456-7801", "0812-3456-7802", "0812-3456-7803"])
    assert parse("0812-3456-7801") == ("+6281234567801", "")
    assert book.take_reread() == {"0812-3456-7801"}  # the other was noted today already; the third is new
    assert sorted(book.take_added()) == [] and book.take_reread() == set()
    book.parser(["0812-3456-7801"])
    assert book.take_reread() == set()  # noted once a day


def test_numbers_no_list_holds_any_more_are_forgotten_by_the_daemon(run, project):
    assert (
        run("send", "announcements/kerja-bakti", "--now", "--channel", "whatsapp", "--dry-run", env=TUESDAY).exit_code
        == 0
    )
    db = sqlite_utils.Database(project / "siaran-rehearsal.db")
    in_lists = {r["raw"] for r in db["phone_numbers"].rows}
    assert in_lists and {r["seen"] for r in db["phone_numbers"].rows} == {"2026-11-24"}
    db.execute("update phone_numbers set seen = '2025-01-01'")  # long ago: lists held them then
    db["phone_numbers"].insert({"raw": "0812 0000 0001", "phone": "+6281200000001", "reason": "", "seen": "2025-01-01"})
    db.conn.commit()

    assert run("run", "--once", env=TUESDAY).exit_code == 0  # reads the lists, then forgets the rest
    rows = {r["raw"]: r["seen"] for r in db["phone_numbers"].rows}
    assert "0812 0000 0001" not in rows  # no list holds it: forgotten
    assert set(rows) == in_lists and set(rows.values()) == {"2026-11-24"}  # read again today: kept
