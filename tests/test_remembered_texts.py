"""`siaran check` renders only the texts an edit changed: the others are remembered in the history
(siaran.render.remembered, siaran.history.rendered_texts)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from siaran.history.rendered_texts import KEEP_DAYS, TextsKept
from siaran.render import text

TUESDAY = {"SIARAN_NOW": "2026-11-24T12:00:00+08:00"}  # nothing due: the run only makes the history
POST = "content/announcements/kerja-bakti.md"


@pytest.fixture
def rendered(monkeypatch) -> list[tuple[str, str]]:
    """Every (post, channel) the real renderer renders; ``card`` for a card's body."""
    calls: list[tuple[str, str]] = []
    render, render_body = text.TextRenderer.render, text.TextRenderer.render_body

    def counted(self, post, channel, recipient=None):
        calls.append((post.name, channel))
        return render(self, post, channel, recipient)

    def counted_body(self, post, recipient=None):
        calls.append((post.name, "card"))
        return render_body(self, post, recipient)

    monkeypatch.setattr(text.TextRenderer, "render", counted)
    monkeypatch.setattr(text.TextRenderer, "render_body", counted_body)
    return calls


def texts(project: Path) -> list[str]:
    return [r["text"] for r in sqlite_utils.Database(project / "siaran-rehearsal.db")["rendered_texts"].rows]


def test_check_renders_only_what_an_edit_changed(run, project, rendered):
    assert run("run", "--once", env=TUESDAY).exit_code == 0
    rendered.clear()
    first = run("check", env=TUESDAY)
    assert first.exit_code == 0 and len(set(rendered)) > 20
    rendered.clear()
    again = run("check", env=TUESDAY)
    assert rendered == [] and again.all == first.all

    post = project / POST
    post.write_text(post.read_text(encoding="utf-8") + "\nBawa cangkul sendiri.\n", encoding="utf-8")
    assert run("check", env=TUESDAY).exit_code == 0
    assert {name for name, _ in rendered} == {"announcements/kerja-bakti"}
    assert any("Bawa cangkul sendiri." in t for t in texts(project))

    rendered.clear()
    people = project / "content/lists/warga-rt01.csv"
    rows = people.read_text(encoding="utf-8").splitlines()
    first_person = rows[1].split(",")[0]
    people.write_text("\n".join([rows[0], rows[1].replace(first_person, "Ibu Sumarni Baru"), *rows[2:]]) + "\n")
    assert run("check", env=TUESDAY).exit_code == 0
    assert rendered and {channel for _, channel in rendered} == {"whatsapp"}  # the greeting names the person
    assert any("Ibu Sumarni Baru" in t for t in texts(project))


def test_a_template_problem_is_found_again_every_time(run, project, rendered):
    assert run("run", "--once", env=TUESDAY).exit_code == 0
    assert run("check", env=TUESDAY).exit_code == 0
    broken = project / "content/templates/whatsapp/announcement.j2"
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_text("Halo {{ post.title }\n", encoding="utf-8")
    for _ in range(2):
        res = run("check", env=TUESDAY)
        assert res.exit_code != 0 and "content/templates/whatsapp/announcement.j2:1" in res.all
    broken.unlink()
    assert run("check", env=TUESDAY).exit_code == 0


def test_a_check_with_nothing_new_to_render_never_loads_jinja2(run, project):
    assert run("run", "--once", env=TUESDAY).exit_code == 0
    code = (
        "import sys, runpy; sys.argv = ['siaran', '--project', sys.argv[1], 'check']\n"
        "try: runpy.run_module('siaran', run_name='__main__')\n"
        "except SystemExit as e: code = e.code\n"
        "print('jinja2' in sys.modules, file=sys.stderr)"
    )
    env = {**os.environ, **TUESDAY, "SIARAN_CACHE_DIR": str(project.parent / "cache")}
    outs = [
        subprocess.run([sys.executable, "-c", code, str(project)], env=env, capture_output=True, text=True)
        for _ in range(2)
    ]
    assert outs[0].stdout == outs[1].stdout and "OK:" in outs[1].stdout
    assert outs[0].stderr.split()[-1] == "True" and outs[1].stderr.split()[-1] == "False"


def test_texts_are_noted_once_a_day_and_forgotten_when_long_unused(tmp_path):
    from siaran.history import open_db

    db = open_db(tmp_path / "h.db")
    day = date(2026, 12, 7)
    kept = TextsKept(db, day)
    kept.add("a", "Halo Ani")
    kept.add("b", "Halo Badu")
    assert db.execute("select count(*) from rendered_texts").fetchone()[0] == 0  # kept when the command ends well
    kept.keep()
    later = TextsKept(db, date.fromordinal(day.toordinal() + KEEP_DAYS))
    assert later.find("a") == "Halo Ani"
    later.add("c", "Halo Cici")
    later.keep()  # "a" used again: noted; "b" unused for KEEP_DAYS: still kept
    rows = {r["key"]: r["used"] for r in db.query("select key, used from rendered_texts")}
    assert rows == {"a": later.today, "b": "2026-12-07", "c": later.today}
    last = TextsKept(db, date.fromordinal(day.toordinal() + KEEP_DAYS + 1))
    last.add("d", "Halo Dedi")
    last.keep()
    assert sorted(r["key"] for r in db.query("select key from rendered_texts")) == ["a", "c", "d"]
    assert last.find("b") is None


def test_the_daemon_forgets_texts_nothing_used_for_a_month(run, project):
    assert run("run", "--once", env=TUESDAY).exit_code == 0
    assert run("check", env=TUESDAY).exit_code == 0
    db = sqlite_utils.Database(project / "siaran-rehearsal.db")
    fresh = db.execute("select count(*) from rendered_texts").fetchone()[0]
    db.execute("insert into rendered_texts (key, text, used) values ('lama', 'Halo Bu Lama', '2026-09-01')")
    db.conn.commit()
    assert run("run", "--once", env=TUESDAY).exit_code == 0  # 2026-11-24: more than 30 days later
    assert [r["key"] for r in db.query("select key from rendered_texts where key = 'lama'")] == []
    assert db.execute("select count(*) from rendered_texts").fetchone()[0] == fresh
