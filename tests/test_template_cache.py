"""Compiled templates are remembered on disk (Jinja2's bytecode cache) and never outlive their text:
an edited post body or template file is rendered as it now reads."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from siaran.render import compiled

POST = "announcements/posyandu"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SIARAN_CACHE_DIR", str(folder))
    compiled._folder.cache_clear()
    yield folder
    compiled._folder.cache_clear()


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
    assert list(cache.glob("templates-*/__jinja2_*.cache"))

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
    compiled._folder.cache_clear()
    try:
        first = preview(run, blocked / "cache")
        compiles.clear()
        assert preview(run, blocked / "cache") == first
        assert "content/announcements/posyandu.md" in compiles
    finally:
        compiled._folder.cache_clear()
