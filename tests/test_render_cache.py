"""Render's cache folder: compiled templates (Jinja2's bytecode cache) never outlive their text, and
the font code points and QR sizes kept there are the libraries' own answers, read back by the next
command without importing fontTools or segno."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
import pytest

from siaran.render import memo

POST = "announcements/posyandu"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SIARAN_CACHE_DIR", str(folder))
    forget()
    yield folder
    forget()


def forget() -> None:
    memo.folder.cache_clear()
    memo.memo.cache_clear()


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja2 compiles from source."""
    names: list[str] = []
    original = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, *args, **kwargs):
        names.append(name)
        return original(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return names


def preview(run, cache: Path) -> str:
    res = run("preview", POST, "--channel", "whatsapp", env={"SIARAN_CACHE_DIR": str(cache)})
    assert res.exit_code == 0, res.all
    return res.output


def test_templates_compile_once_and_edits_are_seen(run, project: Path, cache: Path, compiles: list[str]):
    first = preview(run, cache)
    assert "content/announcements/posyandu.md" in compiles and any(n.endswith(".j2") for n in compiles)
    assert list(cache.glob("render-*/__jinja2_*.cache"))

    compiles.clear()
    assert preview(run, cache) == first
    assert compiles == []  # every template and the body came from the cache

    post = project / "content" / "announcements" / "posyandu.md"
    post.write_text(post.read_text(encoding="utf-8").replace("buku KIA", "buku KIA dan KTP"), encoding="utf-8")
    footer = project / "content" / "templates" / "whatsapp" / "_footer.j2"
    footer.write_text("-- dikirim oleh kantor kelurahan --\n", encoding="utf-8")
    third = preview(run, cache)
    assert "buku KIA dan KTP" in third and "dikirim oleh kantor kelurahan" in third
    assert sorted(compiles) == ["content/announcements/posyandu.md", "whatsapp/_footer.j2"]


def test_without_a_writable_cache_folder_templates_are_compiled_each_time(run, tmp_path: Path, compiles):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    forget()
    try:
        first = preview(run, blocked / "cache")
        compiles.clear()
        assert preview(run, blocked / "cache") == first
        assert "content/announcements/posyandu.md" in compiles
    finally:
        forget()


def test_font_code_points_and_qr_sizes_are_the_libraries_answers_read_back(project: Path, tmp_path: Path):
    import json
    import os
    import subprocess
    import sys

    import segno
    from fontTools.ttLib import TTFont

    from siaran.render.fonts import bundled_emoji, bundled_font

    env = {**os.environ, "SIARAN_CACHE_DIR": str(tmp_path / "cache")}
    code = (
        "import json, sys; from siaran.render import fonts, qr; from siaran.checks import load_project;"
        f"load_project(__import__('pathlib').Path({str(project)!r}), __import__('datetime').date(2026, 11, 23));"
        "paths = [str(fonts.bundled_font('regular')), str(fonts.bundled_font('bold')), str(fonts.bundled_emoji())];"
        "print(json.dumps([[sorted(fonts._cmap(p)) for p in paths], qr.fit('https://s.id/ktp-sungairapak').modules,"
        " 'fontTools' in sys.modules, 'segno' in sys.modules]))"
    )
    first, again = (
        json.loads(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True).stdout)
        for _ in range(2)
    )
    assert first[2:] == [True, True] and again[2:] == [False, False]  # the second process reads them back
    for path, points in zip((bundled_font("regular"), bundled_font("bold"), bundled_emoji()), again[0], strict=True):
        with TTFont(path, lazy=True) as font:
            assert points == sorted(font.getBestCmap()) and len(points) > 200
    assert first[1] == again[1] == segno.make("https://s.id/ktp-sungairapak", error="m").symbol_size(border=0)[0]


def test_slide_counts_are_remembered_and_an_edited_sop_is_laid_out_again(run, project: Path, cache: Path):
    res = run("check", env={"SIARAN_CACHE_DIR": str(cache)})
    assert res.exit_code == 0, res.all
    (counts,) = cache.glob("render-*/slide-counts.json")
    remembered = json.loads(counts.read_text(encoding="utf-8"))
    assert remembered and all(isinstance(n, int) and n >= 1 for n in remembered.values())

    sop = project / "content" / "sop" / "kartu-keluarga.yaml"
    many = "".join(f"  - Langkah nomor {i} yang harus dilakukan warga di loket pelayanan\n" for i in range(400))
    sop.write_text(sop.read_text(encoding="utf-8").replace("steps:\n", "steps:\n" + many, 1), encoding="utf-8")
    res = run("check", env={"SIARAN_CACHE_DIR": str(cache)})
    assert res.exit_code == 1 and "content/sop/kartu-keluarga.yaml" in res.all and "at most 10 fit one post" in res.all
    assert len(json.loads(counts.read_text(encoding="utf-8"))) == len(remembered) + 1


def test_a_damaged_or_vanished_cache_never_stops_a_render(run, cache: Path):
    first = preview(run, cache)
    for entry in cache.glob("render-*/__jinja2_*.cache"):
        entry.write_bytes(entry.read_bytes()[:20])  # cut short, as a full disk or a crash might leave it
    assert preview(run, cache) == first
    for entry in cache.glob("render-*/*"):
        entry.unlink()
    next(cache.glob("render-*")).rmdir()  # deleted under a running process that still names it
    assert preview(run, cache) == first


def test_the_render_key_covers_segno_and_pillow_without_importing_them(tmp_path: Path):
    """A send whose card is already rendered names it by a key that covers rendering's libraries
    (siaran.content.cache: their installed copies, looked at, not imported)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "SIARAN_CACHE_DIR": str(tmp_path / "cache")}
    code = (
        "import json, sys; from siaran.content import cache; from siaran.render.memo import RENDERING; "
        "print(json.dumps([cache.version(*RENDERING), sorted(cache._closure(RENDERING)[1]), "
        "[m for m in ('segno', 'PIL', 'fontTools') if m in sys.modules]]))"
    )
    key, packages, imported = json.loads(
        subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True).stdout
    )
    assert len(key) == 16 and {"segno", "PIL", "fontTools", "jinja2"} <= set(packages) and imported == []


def test_a_date_formatted_before_needs_no_babel_and_content_cannot_grow_the_cache(cache: Path, monkeypatch):
    from datetime import date

    from siaran.content.files import DiskMemo
    from siaran.render import context as text

    text.tanggal.cache_clear()
    assert text.tanggal(date(2026, 11, 28)) == "Sabtu, 28 November 2026"
    forget()  # the next command
    text.tanggal.cache_clear()
    monkeypatch.setattr(text, "_babel_date", lambda value, fmt: pytest.fail("Babel asked again"))
    assert text.tanggal(date(2026, 11, 28)) == "Sabtu, 28 November 2026"
    text.tanggal.cache_clear()

    asked = []
    bounded = DiskMemo(cache / "bounded.json", limit=2)
    for key in ("a", "b", "c", "c"):
        bounded.get(key, lambda k=key: asked.append(k) or k.upper())
    assert asked == ["a", "b", "c", "c"]  # past the limit: computed each time, never kept
    assert json.loads((cache / "bounded.json").read_text(encoding="utf-8")) == {"a": "A", "b": "B"}
