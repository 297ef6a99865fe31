"""History faults say what happened and what to do; a failed backup never stops a send (issue 23)."""

from __future__ import annotations

import filelock
import pytest

from siaran.errors import HistoryError

NOW = {"SIARAN_NOW": "2026-11-23T10:00:00+08:00"}


def test_a_file_where_the_backups_go_does_not_stop_the_send(run, project):
    (project / "siaran-rehearsal.db.bak").write_text("bukan folder\n")
    res = run("send", "announcements/posyandu", "--now", "--channel", "whatsapp", env=NOW)
    assert res.exit_code == 0, res.all
    assert "sent 9, failed 0" in res.output


def test_a_marker_siaran_did_not_write_names_itself_and_the_fix(run, project):
    assert run("send", "announcements/posyandu", "--now", "--channel", "whatsapp", env=NOW).exit_code == 0
    (project / "siaran-rehearsal.db.marker").write_text("[1]\n")
    res = run("send", "announcements/kerja-bakti", "--now", env=NOW)
    assert res.exit_code == 1
    assert (
        "siaran-rehearsal.db.marker is damaged (siaran did not write what it holds); nothing was sent."
        " If siaran-rehearsal.db is this project's real history, delete siaran-rehearsal.db.marker:"
        " the next send writes it again."
    ) in res.all
    assert "Traceback" not in res.all


def test_a_history_kept_busy_by_another_process_says_so(tmp_path, monkeypatch):
    from siaran.history import db

    monkeypatch.setattr(db, "LOCK_WAIT", 0.05)
    path = tmp_path / "siaran.db"
    with filelock.FileLock(f"{path}.lock"), pytest.raises(HistoryError) as busy:
        db.open_db(path)
    assert str(busy.value) == (
        f"Another siaran process has kept the history {path} busy for more than 0.05 s; nothing was changed."
        " Let it finish (a daemon pass or a send in another window) and run the command again."
    )
