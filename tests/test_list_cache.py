"""Broadcast lists are parsed once per change of the file (cached in the history by content hash)
and only read by the commands that need them."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from siaran.app import App
from siaran.clock import Clock
from siaran.content.list_store import pack, unpack
from siaran.content.lists import load_list

NOW: dict[str, str] = {}  # the real history (a SIARAN_NOW rehearsal keeps its own)
LIST = "content/lists/warga-rt01.csv"
NOTE = "lansia dan perlu dikunjungi kader posyandu setiap bulan"


def big_list(root: Path, people: int = 1000) -> None:
    """Over the size from which lists are cached."""
    with (root / LIST).open("w", encoding="utf-8") as f:
        f.write("nama,nomor,rt,rw,catatan\n")
        for i in range(people):
            note = NOTE if i % 7 else ""
            f.write(f"Warga {i},0812{i + 10_000_000:08d},0{i % 9 + 1},03,{note}\n")
        f.write("Salah,12345,01,03,\n")


def test_pack_and_unpack_give_the_same_list(project: Path):
    big_list(project)
    parsed = load_list(project / LIST, LIST)
    assert unpack(project / LIST, pack(parsed)[1]) == parsed
    assert parsed.invalid and parsed.recipients[1].for_template() | {"sapaan": ""} == {
        "name": "Warga 1",
        "phone": "+6281210000001",
        "list": "warga-rt01",
        "sapaan": "",
        "nama": "Warga 1",
        "nomor": "+6281210000001",  # the number column as siaran reads it: normalised
        "rt": "02",
        "rw": "03",
        "catatan": "lansia dan perlu dikunjungi kader posyandu setiap bulan",
    }


def test_list_is_parsed_once_per_change(run, project: Path):
    big_list(project)
    assert run("history", env=NOW).exit_code == 0  # makes the history, where the cache lives
    assert run("list", env=NOW).exit_code == 0
    db = sqlite_utils.Database(project / "siaran.db")
    (first,) = db.execute("select digest from list_cache where path = ?", [LIST]).fetchall()

    app = App.open(project, Clock())
    blist = app.project.lists["warga-rt01"]
    assert len(blist.recipients) == 1000 and blist.recipients[0].phone == "+6281210000000"
    assert blist == load_list(project / LIST, LIST)  # from the cache, exactly as parsed

    # An edited file is parsed again: the new number is used, never the cached one.
    text = (project / LIST).read_text(encoding="utf-8").replace("081210000000", "081299999999")
    (project / LIST).write_text(text, encoding="utf-8")
    app = App.open(project, Clock())
    assert app.project.lists["warga-rt01"].recipients[0].phone == "+6281299999999"
    (second,) = db.execute("select digest from list_cache where path = ?", [LIST]).fetchall()
    assert second != first


def test_commands_that_need_no_list_do_not_parse_it(run, project: Path, monkeypatch):
    big_list(project)
    assert run("history", env=NOW).exit_code == 0
    send = ("send", "announcements/kerja-bakti", "--now", "--channel", "whatsapp", "--dry-run")
    assert run(*send, env=NOW).exit_code == 0  # caches it

    def refuse(path, rel, region, **kw):
        assert rel != LIST, "the list was parsed again"
        return load_list(path, rel, region, **kw)

    monkeypatch.setattr("siaran.content.lists.load_list", refuse)
    assert run("list", env=NOW).exit_code == 0
    assert run("history", env=NOW).exit_code == 0
    res = run(*send, env=NOW)
    assert res.exit_code == 0, res.all
    assert "1000" in res.output


def test_a_broken_list_still_stops_every_send(run, project: Path):
    big_list(project)
    assert run("list", env=NOW).exit_code == 0
    (project / LIST).write_text("nama,alamat\nBudi,Jl. Mawar\n", encoding="utf-8")
    res = run("send", "announcements/posyandu", "--now", "--list", "kader-posyandu", env=NOW)
    assert res.exit_code == 1 and "content/lists/warga-rt01.csv" in res.stderr
