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
