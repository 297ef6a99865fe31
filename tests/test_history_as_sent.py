"""History keeps who a message went to: the name and the list columns the message used are stored
with the delivery when it is reserved; history, report and the page never read the lists."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import jinja2
import sqlite_utils

from siaran.render.recipient_columns import used_columns

NOW = {"SIARAN_NOW": "2026-11-23T10:00:00+08:00"}
POST = "announcements/rapat-rt"


def rapat(project: Path) -> None:
    (project / "content/announcements/rapat-rt.md").write_text(
        "---\ntitle: Rapat RT\nlists: [warga-rt01]\nchannels: [whatsapp]\n---\n"
        "Rapat warga RT {{ recipient.rt }} malam ini.\n",
        encoding="utf-8",
    )


def test_history_shows_the_name_and_columns_as_sent_after_the_list_changes(run, project):
    rapat(project)
    assert run("send", POST, "--now", env=NOW).exit_code == 0
    db = sqlite_utils.Database(project / "siaran-rehearsal.db")
    budi = next(db.query("select * from deliveries where recipient = '+6281234567801'"))
    assert budi["recipient_name"] == "Budi Santoso"
    assert json.loads(budi["recipient_columns"]) == {"rt": "01"}  # rw is not in the message: not kept

    lists = project / "content/lists/warga-rt01.csv"
    lists.write_text(lists.read_text().replace("Budi Santoso,0812-3456-7801,01", "Orang Lain,0812-3456-7801,05"))
    res = run("history", "--post", POST, env=NOW)
    assert res.exit_code == 0, res.all
    line = next(x for x in res.output.splitlines() if "+6281234567801" in x)
    assert "Budi Santoso" in line and "Orang Lain" not in res.output
    rows = json.loads(run("history", "--json", env=NOW).output)
    budi = next(r for r in rows if r["recipient"] == "+6281234567801")
    assert budi["recipient_name"] == "Budi Santoso" and budi["recipient_columns"] == {"rt": "01"}


def _env(**templates: str) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.DictLoader(templates))


def test_the_columns_a_message_uses_are_found_in_its_templates():
    env = _env(
        main="{% if recipient %}Yth. {{ recipient.sapaan }}{% endif %}{% include 'footer' %}",
        footer="RT {{ recipient['rt'] }} / {{ recipient.get('alamat', '-') }}",
    )
    assert used_columns(env, "Halo {{ recipient.nama }}", "main") == {"sapaan", "rt", "alamat", "nama"}
    assert used_columns(env, "", "footer") == {"rt", "alamat"}
    # Read in a way not known ahead: every column is kept.
    for body in ("{{ recipient[post.title] }}", "{% for k, v in recipient.items() %}{{ v }}{% endfor %}",
                 "{% set r = recipient %}{{ r.rt }}", "{{ recipient }}"):  # fmt: skip
        assert used_columns(env, body, "footer") is None, body


def test_history_report_and_the_page_never_read_the_lists(run, project, monkeypatch):
    from pagehelp import PageServer

    rapat(project)
    assert run("send", POST, "--now", env=NOW).exit_code == 0
    for path in (project / "content/lists").iterdir():  # unreadable, and reading them is refused
        path.write_bytes(b"\x00\xff" * 50)

    def refuse(path, rel=None):
        raise AssertionError(f"{rel or path} was read")

    monkeypatch.setattr("siaran.content.lists.read_rows", refuse)
    monkeypatch.setattr("siaran.content.rows.read_rows", refuse)
    res = run("history", "--post", POST, env=NOW)
    assert res.exit_code == 0, res.all
    assert "Budi Santoso" in res.output and "+6281234567801" in res.output
    for args in (("history",), ("history", "--limit", "50"), ("report", "--weeks", "52")):
        res = run(*args, env=NOW)
        assert res.exit_code == 0 and "was read" not in res.all, res.all
    with PageServer(project, now=NOW["SIARAN_NOW"]) as server:
        for path in ("/", "/riwayat", "/masalah", "/instagram"):
            assert httpx.get(server.url + path, timeout=30).status_code == 200, path
        detail = httpx.get(server.url + "/riwayat/rincian", params={"post": POST, "status": "sent"}, timeout=30)
    assert "Budi Santoso" in detail.text and "+6281234567801" in detail.text
    monkeypatch.undo()  # only a preview for a chosen person opens a list: a broken one shows the stand-in
    with PageServer(project, now=NOW["SIARAN_NOW"]) as server:
        assert "Yth. Bapak/Ibu Warga" in httpx.get(server.url + "/pratinjau/" + POST, timeout=30).text
    # Deleted: history and report go on (the posts naming them are warned about).
    for path in (project / "content/lists").iterdir():
        path.unlink()
    res = run("history", "--post", POST, env=NOW)
    assert res.exit_code == 0 and "Budi Santoso" in res.output, res.all
    assert run("report", env=NOW).exit_code == 0


def test_the_daemon_and_history_keep_their_own_content_checks(run, project, monkeypatch):
    from siaran.app import App
    from siaran.clock import FixedClock, parse_instant

    assert run("send", "announcements/posyandu", "--now", "--channel", "whatsapp", env=NOW).exit_code == 0
    clock = FixedClock(at=parse_instant(NOW["SIARAN_NOW"]))
    found = {}
    for read_lists in (True, False, True, False):  # a daemon pass, `history`, a pass, `history`
        app = App.open(project, clock)
        app.tolerant, app.read_lists = True, read_lists
        found[read_lists] = app.content_warnings()

    def again(*args, **kw):
        raise AssertionError("the content was checked again")

    monkeypatch.setattr("siaran.checks.load_project", again)
    for read_lists in (True, False):
        app = App.open(project, clock)
        app.tolerant, app.read_lists = True, read_lists
        assert app.content_warnings() == found[read_lists]
