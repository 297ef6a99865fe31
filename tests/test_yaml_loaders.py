"""Content YAML is read by libyaml's parser when PyYAML has it, under the same Python composing:
the same values and lines as the pure-Python reader, the same bounds, PyYAML's wording on errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from siaran.content import yaml_loader, yamlfile
from siaran.errors import ContentError

REPO = Path(__file__).resolve().parent.parent
FILES = sorted((REPO / "content").rglob("*.yaml")) + sorted((REPO / "schedules").glob("*.yaml"))
FAST = yaml_loader._LOADERS[0]
needs_libyaml = pytest.mark.skipif(len(yaml_loader._LOADERS) < 2, reason="PyYAML built without libyaml")


def lines(data):
    """Every Located mapping's key lines, depth first."""
    if isinstance(data, yamlfile.Located):
        yield data.line, data.lines
        for value in data.values():
            yield from lines(value)
    elif isinstance(data, list):
        for value in data:
            yield from lines(value)


@needs_libyaml
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_both_readers_give_the_same_values_and_lines(path: Path):
    text = path.read_text(encoding="utf-8")
    fast, slow = yaml.load(text, Loader=FAST), yaml.load(text, Loader=yaml_loader._Loader)
    assert fast == slow
    assert list(lines(fast)) == list(lines(slow)) and list(lines(fast))


@needs_libyaml
def test_the_fast_reader_keeps_the_bounds():
    bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
    )
    with pytest.raises(yaml.YAMLError, match="more than 100,000 values"):
        yaml.load(bomb, Loader=FAST)
    deep = "a: " + "[" * 40 + "]" * 40
    with pytest.raises(yaml.YAMLError, match="nested more than 30 levels"):
        yaml.load(deep, Loader=FAST)


@pytest.mark.parametrize(
    "text, hint, line",
    [
        ("name: Kantor\n\tkind: desa\n", "indent with spaces, never with tabs", 2),
        ("name: Kantor\ninstagram: @kel.sungai\n", "starting with @, `, % or another sign YAML reserves", 2),
    ],
)
def test_a_slip_is_explained_from_pyyaml_own_words(text: str, hint: str, line: int):
    """libyaml words these differently ('found a tab character that violates indentation', 'found
    character that cannot start any token'); the hints are written for PyYAML's wording."""
    with pytest.raises(ContentError) as e:
        yaml_loader.parse(text, "content/office.yaml")
    assert hint in str(e.value) and e.value.line == line
