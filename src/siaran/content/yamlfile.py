"""YAML that remembers where each key was written, so errors can name the line."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import ContentError, did_you_mean
from ..i18n import _
from . import yaml_memo
from .files import read_text
from .located import MAX_ALIASES, MAX_DEPTH, MAX_VALUES, Located

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_VALUES",
    "Fields",
    "Located",
    "load_yaml_mapping",
    "parse_yaml",
    "read_mapping",
    "shift_lines",
    "twin_files",
]


def parse_yaml(text: str, path: Path | str, line_offset: int = 0) -> Any:
    """The value of a YAML text (a ``Located`` for a mapping), or a ContentError naming ``path``
    and the line (counted from ``line_offset``). Found remembered when this code parsed the same
    text before; PyYAML is imported only for a text it has not."""
    memo = yaml_memo.memo()
    key = yaml_memo.key(text, line_offset)
    value = memo.get(key)
    if value is yaml_memo.MISSING:
        from .yaml_loader import parse

        value = parse(text, path, line_offset)
        memo.put(key, value)
    return value


def twin_files(folder: Path) -> list[tuple[Path, Path]]:
    """``x.yml`` beside ``x.yaml``: one would silently shadow the other."""
    if not folder.is_dir():
        return []
    return [
        (p.with_suffix(".yaml"), p)
        for p in sorted(folder.rglob("*.yml"))
        if p.with_suffix(".yaml").exists() or p.with_suffix(".yaml").is_symlink()
    ]


def shift_lines(data: Any, offset: int, _done: set[int] | None = None) -> Any:
    """Front matter starts below the '---' line: move every recorded line by ``offset`` (once per
    mapping, even when aliases make it appear twice)."""
    done = set() if _done is None else _done
    if id(data) in done:
        return data
    if isinstance(data, Located):
        done.add(id(data))
        data.lines = {k: v + offset for k, v in data.lines.items()}
        data.line = (data.line or 1) + offset
        for v in data.values():
            shift_lines(v, offset, done)
    elif isinstance(data, list):
        done.add(id(data))
        for v in data:
            shift_lines(v, offset, done)
    return data


def read_mapping(path: Path, rel: str, problems: list[ContentError]) -> Located | None:
    """``load_yaml_mapping``, its problem recorded in ``problems`` (then None) so loading goes on."""
    try:
        return load_yaml_mapping(path, rel)
    except ContentError as e:
        problems.append(e)
        return None


def load_yaml_mapping(path: Path, rel: str) -> Located:
    text = read_text(path, rel)
    data = parse_yaml(text, rel)
    if data is None:
        raise ContentError(rel, _("file is empty"), line=1)
    if not isinstance(data, Located):
        raise ContentError(rel, _("expected key: value pairs at the top of the file"), line=1)
    return data


class Fields:
    """Reads typed fields out of a Located mapping, collecting precise errors."""

    def __init__(self, data: Located, path: str, allowed: Iterable[str], problems: list[ContentError]):
        self.data = data
        self.path = path
        self.problems = problems
        allowed = set(allowed)
        for key in data:
            if key not in allowed:
                hint = did_you_mean(key, allowed) or _(" (allowed: {names})").format(names=", ".join(sorted(allowed)))
                self.error(key, _("unknown field {name!r}").format(name=key) + hint)

    def error(self, key: str, message: str) -> None:
        self.problems.append(ContentError(self.path, message, line=self.data.line_of(key), field=key))

    def str(self, key: str, *, required: bool = False, default: str | None = None) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problems.append(
                    ContentError(
                        self.path, _("missing required field {name!r}").format(name=key), line=self.data.line, field=key
                    )
                )
            return default
        if isinstance(value, (dict, list)):
            self.error(key, _("must be text"))
            return default
        return str(value).strip()

    def str_list(self, key: str, *, required: bool = False) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problems.append(
                    ContentError(
                        self.path, _("missing required field {name!r}").format(name=key), line=self.data.line, field=key
                    )
                )
            return ()
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or any(isinstance(v, (dict, list)) or v is None for v in value):
            self.error(key, _("must be a list of texts"))
            return ()
        if required and not value:
            self.error(key, _("must not be empty"))
        return tuple(str(v).strip() for v in value)

    def bool(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(key, _("must be true or false"))
            return default
        return value

    def int(self, key: str, default: int | None = None) -> int | None:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, _("must be a whole number"))
            return default
        return value
