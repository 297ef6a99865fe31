"""Files naming citizens stay the owner's: outbox folders 0700 and messages 0600 whatever existed
before, siaran.log 0600 even when a failed start made it; `init` never writes through a link."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions and links")
NOW = {"SIARAN_NOW": "2026-11-23T10:00:00+08:00"}


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_outbox_folders_made_loose_before_become_owner_only(run, project):
    day = project / "outbox-rehearsal/whatsapp/2026-11-23-announcements-posyandu"
    day.mkdir(parents=True, mode=0o755)
    for folder in (day, day.parent, day.parent.parent):
        folder.chmod(0o755)
    assert run("send", "announcements/posyandu", "--now", "--channel", "whatsapp", env=NOW).exit_code == 0
    assert [mode(f) for f in (day.parent.parent, day.parent, day)] == [0o700, 0o700, 0o700]
    assert {mode(f) for f in day.rglob("*") if f.is_dir()} == {0o700}  # the send's own folder too
    assert {mode(p) for p in day.rglob("*.txt")} == {0o600}


def test_a_log_file_left_0644_becomes_0600(tmp_path):
    from siaran import logs

    log_file = tmp_path / "siaran.log"
    log_file.write_text("lama\n")
    log_file.chmod(0o644)
    logs.setup([], log_file=log_file)
    try:
        assert mode(log_file) == 0o600
    finally:
        logs.setup([])
    failed = tmp_path / "gagal.log"
    logs.startup_failure(failed, "siaran.toml rusak")
    assert mode(failed) == 0o600 and "siaran.toml rusak" in failed.read_text()


def test_init_writes_lists_owner_only(run, tmp_path):
    target = tmp_path / "kantor"
    assert run("init", str(target)).exit_code == 0
    assert mode(target / "content/lists") == 0o700
    assert {mode(p) for p in (target / "content/lists").iterdir()} == {0o600}


@pytest.mark.parametrize("link", ["content", "content/office.yaml", "content/lists"])
def test_init_never_writes_through_a_link(run, tmp_path, link):
    target, outside = tmp_path / "kantor", tmp_path / "luar"
    outside.mkdir()
    (target / link).parent.mkdir(parents=True, exist_ok=True)
    (target / link).symlink_to(outside / "tujuan")  # dangling: init would create it out there
    res = run("init", str(target))
    assert res.exit_code == 1
    assert f"{target / link} is a symbolic link; nothing was written" in res.all
    assert list(outside.iterdir()) == []
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == sorted(
        {link, *(Path(link).parents[i].as_posix() for i in range(len(Path(link).parents) - 1))}
    )
    assert os.path.islink(target / link)


def test_atomic_writes_work_where_python_has_no_fchmod(tmp_path, monkeypatch):
    """Python 3.11 on Windows has no os.fchmod (3.13 added it): a cache or outbox write must not need it."""
    import os

    from siaran.content.files import write_atomic

    monkeypatch.delattr(os, "fchmod")
    written = write_atomic(tmp_path / "cache" / "dates.json", '{"2026-12-07": "Senin"}')
    assert written.read_text(encoding="utf-8") == '{"2026-12-07": "Senin"}'
    assert [p.name for p in written.parent.iterdir()] == ["dates.json"]  # no temporary file left
