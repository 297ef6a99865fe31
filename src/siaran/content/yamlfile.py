"""YAML that remembers where each key was written, so errors can name the line."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from ..errors import ContentError, did_you_mean
from ..i18n import _


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


def yaml_hint(problem: str) -> str:
    """PyYAML's wording turned into what to do about it, for the usual slips."""
    if "'\\t'" in problem or "\t" in problem:
        return _("a tab character: indent with spaces, never with tabs")
    if "mapping values are not allowed" in problem:
        return _('a colon inside a value: put the value in quotes, e.g. title: "Rapat: Warga RT 01"')
    if "could not find expected ':'" in problem or "simple key" in problem:
        return _("a line is missing its 'key: value' colon, or a quote is not closed")
    if "found undefined alias" in problem or "expected alias or anchor" in problem:
        return _("a value starting with * or &: put the value in quotes")
    if "found character '@'" in problem or "found character '`'" in problem:
        return _("a value starting with @ or `: put the value in quotes")
    if "while parsing a block" in problem or "did not find expected" in problem:
        return _("the indentation does not line up: items of one list or mapping start in the same column")
    return _("YAML syntax error: {problem}").format(problem=problem)


def parse_yaml(text: str, path: Path | str, line_offset: int = 0) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 + line_offset if mark else None
        problem = " ".join(p for p in (e.context, e.problem) if p)
        raise ContentError(path, yaml_hint(problem), line=line, column=mark.column + 1 if mark else None) from e
    except yaml.YAMLError as e:
        raise ContentError(path, _("YAML error: {error}").format(error=e)) from e


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
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ContentError(rel, _("file is not UTF-8 text")) from e
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
