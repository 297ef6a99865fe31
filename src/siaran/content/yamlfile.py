"""YAML that remembers where each key was written, so errors can name the line."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from ..errors import ContentError
from .files import read_text


class Located(dict):
    """A mapping that also knows the line (1-based) of each of its keys."""

    lines: dict[str, int]
    line: int | None = None

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key, self.line)


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Located:
    loader.flatten_mapping(node)
    result = Located()
    result.lines = {}
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[str(key)] = loader.construct_object(value_node, deep=True)
        result.lines[str(key)] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str, path: Path | str, line_offset: int = 0) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 + line_offset if mark else None
        problem = " ".join(p for p in (e.context, e.problem) if p)
        raise ContentError(path, f"YAML syntax error: {problem}", line=line) from e
    except yaml.YAMLError as e:
        raise ContentError(path, f"YAML error: {e}") from e


def shift_lines(data: Any, offset: int) -> Any:
    """Front matter starts below the '---' line: move every recorded line by ``offset``."""
    if isinstance(data, Located):
        data.lines = {k: v + offset for k, v in data.lines.items()}
        data.line = (data.line or 1) + offset
        for v in data.values():
            shift_lines(v, offset)
    elif isinstance(data, list):
        for v in data:
            shift_lines(v, offset)
    return data


def load_yaml_mapping(path: Path, rel: str) -> Located:
    text = read_text(path, rel)
    data = parse_yaml(text, rel)
    if data is None:
        raise ContentError(rel, "file is empty", line=1)
    if not isinstance(data, Located):
        raise ContentError(rel, "expected key: value pairs at the top of the file", line=1)
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
                self.error(key, f"unknown field {key!r} (allowed: {', '.join(sorted(allowed))})")

    def error(self, key: str, message: str) -> None:
        self.problems.append(ContentError(self.path, message, line=self.data.line_of(key), field=key))

    def str(self, key: str, *, required: bool = False, default: str | None = None) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problems.append(
                    ContentError(self.path, f"missing required field {key!r}", line=self.data.line, field=key)
                )
            return default
        if isinstance(value, (dict, list)):
            self.error(key, "must be text")
            return default
        return str(value).strip()

    def str_list(self, key: str, *, required: bool = False) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problems.append(
                    ContentError(self.path, f"missing required field {key!r}", line=self.data.line, field=key)
                )
            return ()
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or any(isinstance(v, (dict, list)) or v is None for v in value):
            self.error(key, "must be a list of texts")
            return ()
        if required and not value:
            self.error(key, "must not be empty")
        return tuple(str(v).strip() for v in value)

    def bool(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(key, "must be true or false")
            return default
        return value

    def int(self, key: str, default: int | None = None) -> int | None:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, "must be a whole number")
            return default
        return value
