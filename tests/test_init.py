"""siaran init: a starter project that passes check, and never overwrites."""

from __future__ import annotations

from pathlib import Path


def test_init_creates_a_project_that_passes_check_and_refuses_to_overwrite(run, tmp_path: Path):
    target = tmp_path / "kantor"
    res = run("init", str(target))
    assert res.exit_code == 0, res.all
    for rel in (
        "content/office.yaml",
        "content/announcements",
        "content/greetings",
        "content/sop",
        "content/lists/warga.csv",
        "content/calendar.yaml",
        "schedules",
        ".env.example",
        ".gitignore",
    ):
        assert (target / rel).exists(), rel  # fmt: skip
    for kind in ("announcements", "greetings", "sop"):
        assert list((target / "content" / kind).iterdir())
    res = run("check", root=target)
    assert res.exit_code == 0, res.all
    assert "3 posts, 1 lists (2 numbers), 3 schedules" in res.output

    office = target / "content/office.yaml"
    office.write_text(office.read_text(encoding="utf-8").replace("Desa Contoh", "Desa Maju"), encoding="utf-8")
    res = run("init", str(target))
    assert res.exit_code == 1
    assert "already has" in res.stderr and "nothing was written" in res.stderr
    assert "Desa Maju" in office.read_text(encoding="utf-8")


def test_init_into_a_folder_with_other_files_keeps_them(run, tmp_path: Path):
    (tmp_path / "catatan.txt").write_text("punya saya", encoding="utf-8")
    assert run("init", str(tmp_path)).exit_code == 0
    assert (tmp_path / "catatan.txt").read_text(encoding="utf-8") == "punya saya"


def test_the_starter_ignores_rehearsals_backups_logs_and_locks(run, tmp_path: Path):
    """Citizens' numbers end up in history, outbox and logs: none of them may show in `git status`."""
    import shutil
    import subprocess

    git = shutil.which("git")
    if git is None:
        import pytest

        pytest.skip("git is not installed")
    target = tmp_path / "kantor"
    assert run("init", str(target)).exit_code == 0
    assert run("send", "announcements/pengumuman-contoh", "--now", root=target,
               env={"SIARAN_NOW": "2026-12-07T09:00:00+07:00"}).exit_code == 0  # fmt: skip
    for name in ("siaran.db.bak/2026-12-07.db", "siaran.db.2026.bak", "siaran.log.1", "siaran.lock"):
        (target / name).parent.mkdir(exist_ok=True)
        (target / name).write_text("x", encoding="utf-8")
    assert (target / "outbox-rehearsal").is_dir() and list(target.glob("siaran-rehearsal.db*"))
    subprocess.run([git, "init", "-q", str(target)], check=True)
    shown = subprocess.run([git, "-C", str(target), "status", "--porcelain", "--untracked-files=all"],
                           capture_output=True, text=True, check=True).stdout  # fmt: skip
    private = [line for line in shown.splitlines() if not line[3:].startswith(("content/", "schedules/", "."))]
    assert private == []
    assert sorted(p.name for p in (target / "schedules").iterdir()) == [
        "pengumuman-mingguan.yaml", "sop-mingguan.yaml", "ucapan-hari-besar.yaml"]  # fmt: skip


def test_status_of_a_fresh_project_explains_and_exits_0(run, tmp_path: Path, monkeypatch):
    target = tmp_path / "kantor"
    assert run("init", str(target)).exit_code == 0
    monkeypatch.setenv("SIARAN_LANG", "id")
    res = run("status", root=target)
    assert res.exit_code == 0, res.all
    assert "Daemon: belum pernah dijalankan. Jadwal dikirim oleh `siaran run`" in res.output
