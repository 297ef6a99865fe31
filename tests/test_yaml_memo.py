"""Parsed YAML is remembered between commands (content/yaml_memo.py): a text parsed before needs no
PyYAML, an edited one is parsed again, errors are worded afresh each time, and a damaged or foreign
cache file runs no code and stops nothing."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from siaran.content import yaml_loader, yaml_memo
from siaran.content.project import load_content
from siaran.content.yamlfile import Located, parse_yaml

TODAY = date(2026, 11, 23)
POST = Path("content/announcements/posyandu.md")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of its own, and a memo that starts as a new process's would."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("SIARAN_CACHE_DIR", str(folder))
    monkeypatch.setattr(yaml_memo, "_memo", None)
    yield folder
    yaml_memo.flush()  # nothing left for the exit hook to write


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts PyYAML really parses."""
    texts: list[str] = []
    real = yaml_loader.parse

    def counting(text, path, line_offset=0):
        texts.append(text)
        return real(text, path, line_offset)

    monkeypatch.setattr(yaml_loader, "parse", counting)
    return texts


def new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    yaml_memo.flush()
    monkeypatch.setattr(yaml_memo, "_memo", None)


def test_a_second_check_needs_no_pyyaml_and_says_the_same(project: Path, tmp_path: Path):
    code = (
        "import sys; from siaran.cli import cli\n"
        "try: cli(sys.argv[1:])\n"
        "except SystemExit as e: print('exit', e.code, 'yaml' in sys.modules, file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIARAN_")}
    env |= {"SIARAN_LANG": "en", "SIARAN_CACHE_DIR": str(tmp_path / "cache")}
    first, again = (
        subprocess.run(
            [sys.executable, "-c", code, "--project", str(project), "check"], env=env, capture_output=True, text=True
        )
        for _ in range(2)
    )
    assert first.stderr.splitlines()[-1] == "exit 0 True", first.stderr
    assert again.stderr.splitlines()[-1] == "exit 0 False", again.stderr
    assert again.stdout == first.stdout and "office" in first.stdout.lower()
    assert again.stderr == first.stderr.replace("exit 0 True", "exit 0 False")
    (kept,) = (tmp_path / "cache").glob("content/*")
    if os.name != "nt":
        assert (kept.stat().st_mode & 0o777, kept.parent.stat().st_mode & 0o777) == (0o600, 0o700)


def test_an_edited_file_is_parsed_again_and_the_others_are_not(project, cache, parsed, monkeypatch):
    load_content(project, TODAY, [])
    assert len(parsed) > 10  # office, calendar, every post's front matter, schedules
    new_process(monkeypatch)
    parsed.clear()
    load_content(project, TODAY, [])
    assert parsed == []

    post = project / POST
    text = post.read_text(encoding="utf-8")
    post.write_text(text + "\nSampai jumpa!\n", encoding="utf-8")  # the body only
    new_process(monkeypatch)
    assert load_content(project, TODAY, []).posts["announcements/posyandu"].body.endswith("Sampai jumpa!")
    assert parsed == []

    post.write_text(text.replace("Posyandu Balita Bulan Desember", "Posyandu Balita Januari"), encoding="utf-8")
    new_process(monkeypatch)
    loaded = load_content(project, TODAY, [])
    assert loaded.posts["announcements/posyandu"].title == "Posyandu Balita Januari"
    assert len(parsed) == 1 and "Januari" in parsed[0]
    assert loaded.posts["announcements/posyandu"].lines["title"] == 2  # shifted below the '---', once


def test_errors_keep_their_file_line_and_words_on_every_run(run, project: Path, tmp_path: Path):
    post = project / POST
    post.write_text(post.read_text(encoding="utf-8").replace("card: true", "card: true\n\tsummary: x"), "utf-8")
    env = {"SIARAN_CACHE_DIR": str(tmp_path / "cache")}
    first, again = run("check", env=env), run("check", env=env)
    where = "content/announcements/posyandu.md:9"
    assert first.exit_code == again.exit_code == 1
    assert where in first.all and "indent with spaces, never with tabs" in first.all
    assert again.all == first.all
    indonesian = run("check", env={**env, "SIARAN_LANG": "id"})
    assert where in indonesian.all and "tab" in indonesian.all and "indent with spaces" not in indonesian.all


def test_every_kind_of_value_comes_back_the_same_and_fresh(cache, parsed):
    text = (
        "when: 2026-12-05\nat: 2026-12-05 08:00:00+08:00\nnaive: 2026-12-05 08:00:00\nodd: 2026-02-30\n"
        "n: 12\nx: 1.5e3\ninf: .inf\nyes: true\nnone: ~\nraw: !!binary aGFsbw==\ntags: !!set {a, b}\n"
        "pairs: !!omap [{a: 1}, {b: 2}]\nbase: &b {k: v}\nboth: [*b, *b]\n"
    )
    first = parse_yaml(text, "content/x.yaml", line_offset=3)
    again, third = parse_yaml(text, "content/x.yaml", line_offset=3), parse_yaml(text, "content/x.yaml", 3)
    assert len(parsed) == 1
    assert again == first and isinstance(again, Located) and again.lines == first.lines and again.line == first.line
    assert again["at"].utcoffset() == first["at"].utcoffset() and again["both"][0].lines == {"k": 13}
    assert again["both"][0] is again["both"][1]  # an alias stays one mapping (shift_lines moves it once)
    again["both"][0].lines["k"] = 99
    assert third["both"][0].lines == {"k": 13} and third is not again
    assert parse_yaml(text, "content/x.yaml") == first and len(parsed) == 2  # another line offset: parsed


class Planted:
    def __reduce__(self):
        return (os.system, (f"touch {MARKER}",))


MARKER = ""


@pytest.mark.parametrize("damage", ["garbage", "file naming a function", "value naming a function", "other class"])
def test_a_damaged_or_planted_cache_runs_no_code_and_stops_nothing(project, cache, parsed, monkeypatch, damage):
    global MARKER
    MARKER = str(cache.parent / "planted")
    office = (project / "content" / "office.yaml").read_text(encoding="utf-8")
    path = cache / "content" / "parsed-yaml.pickle"
    path.parent.mkdir(parents=True)
    value = {"garbage": None, "file naming a function": None, "other class": Path("x")}.get(damage, Planted())
    if damage == "garbage":
        path.write_bytes(b"\x80\x05not a pickle at all")
    elif damage == "file naming a function":
        path.write_bytes(pickle.dumps(Planted()))
    else:
        path.write_bytes(pickle.dumps((yaml_memo.FORMAT, {yaml_memo.key(office, 0): pickle.dumps(value)})))
    loaded = load_content(project, TODAY, [])
    assert loaded.office.name and not Path(MARKER).exists()
    assert office in parsed  # parsed afresh
    new_process(monkeypatch)
    parsed.clear()
    load_content(project, TODAY, [])
    assert parsed == []  # the file was written again, sound


def test_an_unwritable_cache_only_means_parsing_again(project, cache, parsed, monkeypatch):
    cache.write_text("a file where the folder should be", encoding="utf-8")
    assert load_content(project, TODAY, []).office.name
    new_process(monkeypatch)
    first = len(parsed)
    load_content(project, TODAY, [])
    assert len(parsed) == 2 * first


def test_the_memo_keeps_its_bounds_those_used_now_first(cache, monkeypatch):
    monkeypatch.setattr(yaml_memo, "MAX_ENTRIES", 3)
    texts = [f"n: {i}\n" for i in range(4)]
    for text in texts:
        parse_yaml(text, "content/x.yaml")
    yaml_memo.flush()
    assert list(kept()) == [yaml_memo.key(t, 0) for t in (texts[3], texts[2], texts[1])]

    monkeypatch.setattr(yaml_memo, "_memo", None)
    assert parse_yaml(texts[1], "content/x.yaml") == {"n": 1}
    parse_yaml("n: new\n", "content/x.yaml")
    yaml_memo.flush()
    assert list(kept()) == [yaml_memo.key(t, 0) for t in ("n: new\n", texts[1], texts[3])]

    for i in range(20):  # a long-running process between two flushes
        parse_yaml(f"m: {i}\n", "content/x.yaml")
        assert len(yaml_memo.memo().entries) <= 6
    assert parse_yaml("m: 19\n", "content/x.yaml") == {"m": 19}

    monkeypatch.setattr(yaml_memo, "MAX_BYTES", 2_000)  # a value over a tenth of it is never kept
    big = "big: " + "x" * 300 + "\n"
    assert parse_yaml(big, "content/x.yaml") == {"big": "x" * 300}
    yaml_memo.flush()
    assert yaml_memo.key(big, 0) not in kept() and yaml_memo.key("m: 19\n", 0) in kept()
    assert os.path.getsize(yaml_memo.memo().path) < 2_000


def test_two_processes_writing_keep_each_others_values(cache):
    one, other = yaml_memo.memo(), yaml_memo.ParsedYaml(yaml_memo.memo().path)
    for memo, text in ((one, "a: 1\n"), (other, "b: 2\n"), (one, "c: 3\n")):
        memo.put(yaml_memo.key(text, 0), {"text": text})
        memo.flush()
    assert set(kept()) == {yaml_memo.key(t, 0) for t in ("a: 1\n", "b: 2\n", "c: 3\n")}


def kept() -> dict[str, bytes]:
    """The entries of the memo's file, as a new process reads them."""
    return yaml_memo.ParsedYaml(yaml_memo.memo().path)._loaded()
