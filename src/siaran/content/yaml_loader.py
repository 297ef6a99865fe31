"""Parsing content YAML with PyYAML, bounded and worded for the operator. Imported only when a
text must really be parsed (``yamlfile.parse_yaml`` finds most texts' values remembered)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import ContentError
from ..i18n import N_, _, language
from .files import control_character
from .located import MAX_ALIASES, MAX_DEPTH, MAX_VALUES, Located


class _Worded(yaml.composer.ComposerError):
    """A YAML problem siaran words itself (a bound, a duplicate key): no hint replaces it."""


def _refuse(problem: str, node_or_event: Any) -> yaml.MarkedYAMLError:
    return _Worded(None, None, problem, node_or_event.start_mark)


class _Bounded:
    """PyYAML's safe loading, bounded: aliases, depth and the expanded size are counted while
    composing, so a hostile file is refused before anything is built from it."""

    def _start_counting(self) -> None:
        self._aliases = self._depth = 0
        self._sizes: dict[int, int] = {}  # id(node) -> values it expands to

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _refuse(_("more than {limit} aliases (*name)").format(limit=MAX_ALIASES), event)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _refuse(_("nested more than {limit} levels deep").format(limit=MAX_DEPTH), event)
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if id(node) not in self._sizes:
            if isinstance(node, yaml.SequenceNode):
                children = node.value
            elif isinstance(node, yaml.MappingNode):
                children = [n for pair in node.value for n in pair]
            else:
                children = []
            size = 1 + sum(self._sizes.get(id(c), 1) for c in children)
            if size > MAX_VALUES:
                raise _refuse(_("more than {limit} values (aliases included)").format(limit=f"{MAX_VALUES:,}"), node)
            self._sizes[id(node)] = size
        return node

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:  # 2026-02-30, 2026-13-45: kept as written, the field that holds it says why
            return node.value


def _construct_text(loader: yaml.constructor.SafeConstructor, node: yaml.ScalarNode) -> str:
    """A text, refused when an escape ("\\0", "\\x01", "\\e") put a control character in it."""
    text = loader.construct_scalar(node)
    problem = control_character(text)
    if problem:
        raise _Plain(None, None, problem, node.start_mark)
    return text


class _Plain(yaml.constructor.ConstructorError):
    """A problem worded for the operator already (no YAML syntax hint needed)."""


class _Loader(_Bounded, yaml.SafeLoader):
    """Pure Python: its error messages are the ones ``yaml_hint`` knows."""

    def __init__(self, stream: str):
        yaml.SafeLoader.__init__(self, stream)
        self._start_counting()


_LOADERS: tuple[type, ...] = (_Loader,)
if yaml.__with_libyaml__:
    from yaml.cyaml import CParser

    class _FastLoader(
        _Bounded, yaml.composer.Composer, CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver
    ):
        """libyaml's scanner and parser (C: `check` reads two dozen files) under the same Python
        composing, so the same bounds apply; a file it refuses is read again by ``_Loader``."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            yaml.composer.Composer.__init__(self)
            self._start_counting()

    _LOADERS = (_FastLoader, _Loader)
for _loader in _LOADERS:
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _Bounded.construct_yaml_timestamp)
    _loader.add_constructor("tag:yaml.org,2002:str", _construct_text)


class _DuplicateKey(_Worded):
    def __init__(self, key: Any, first_line: int, mark: yaml.Mark):
        super().__init__(None, None, _("duplicate key {key!r}").format(key=key), mark)
        self.first_line = first_line


def _construct_mapping(loader: yaml.constructor.SafeConstructor, node: yaml.MappingNode) -> Located:
    seen: dict[str, yaml.Node] = {}
    for key_node, _value in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool, type(None))):
            raise _refuse(_("a key must be a plain text"), key_node)
        if str(key) in seen:  # compared as used: 1 and "1" are one key once stored
            raise _DuplicateKey(key, seen[str(key)].start_mark.line + 1, key_node.start_mark)
        seen[str(key)] = key_node
    loader.flatten_mapping(node)
    result = Located()
    result.lines = {}
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[str(key)] = loader.construct_object(value_node, deep=True)
        result.lines[str(key)] = key_node.start_mark.line + 1
    return result


for _loader in _LOADERS:
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# PyYAML's words for the usual slips (any of them) → what to do about it, first match wins.
_HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("'\\t'", "\t"), N_("a tab character: indent with spaces, never with tabs")),
    (("mapping values are not allowed",),
     N_('a colon inside a value: put the value in quotes, e.g. title: "Rapat: Warga RT 01"')),
    (("could not find expected ':'", "simple key"),
     N_("a line is missing its 'key: value' colon, or a quote is not closed")),
    (("while parsing a flow sequence",), N_("a [ is not closed: close it with ], or put the whole value in quotes")),
    (("while parsing a flow mapping",),
     N_("a curly bracket is not closed: close it, or put the whole value in quotes")),
    (("while scanning a quoted scalar",),
     N_("a quote is not closed: end the value with the same quote it starts with")),
    (("unknown escape character",),
     N_("a backslash (\\) inside double quotes: use single quotes instead, e.g. 'C:\\data'")),
    (("found undefined alias", "expected alias or anchor", "an anchor"),
     N_("a value starting with * or &: put the value in quotes")),
    (("that cannot start any token",),
     N_("a value starting with @, `, % or another sign YAML reserves: put the value in quotes")),
    (("single document", "<document start>"),
     N_("a second '---' or '...' line inside the file: keep one part per file")),
    (("while scanning a block scalar",),
     N_("after | or > only - or + may follow on the same line: start the text on the next line, indented")),
    (("while parsing a block", "did not find expected"),
     N_("the indentation does not line up: items of one list or mapping start in the same column")),
)  # fmt: skip


def yaml_hint(problem: str) -> str:
    """PyYAML's wording turned into what to do about it, for the usual slips. PyYAML speaks English
    only: its own words are added for an English reader, never to an Indonesian sentence."""
    for needles, words in _HINTS:
        if any(needle in problem for needle in needles):
            return _(words)
    if language() == "en":
        return _("YAML syntax error: {problem}").format(problem=problem)
    return _("YAML syntax error: check the quotes, colons and indentation here")


def parse(text: str, path: Path | str, line_offset: int = 0) -> Any:
    """The text's value, or a ContentError naming the file, the line and what to do about it."""
    try:
        if len(_LOADERS) > 1:
            try:
                return yaml.load(text, Loader=_LOADERS[0])
            except yaml.YAMLError:
                pass  # read again below, for PyYAML's own wording of the problem
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 + line_offset if mark else None
        problem = " ".join(p for p in (e.context, e.problem) if p)
        if isinstance(e, _DuplicateKey):
            problem += _(" (also on line {line})").format(line=e.first_line + line_offset)
        if isinstance(e, _Plain):
            hint = problem
        elif isinstance(e, _Worded):
            hint = _("YAML syntax error: {problem}").format(problem=problem)
        else:
            hint = yaml_hint(problem)
        raise ContentError(path, hint, line=line, column=mark.column + 1 if mark else None) from e
    except yaml.YAMLError as e:
        raise ContentError(path, _("YAML error: {error}").format(error=e)) from e
    except (ValueError, OverflowError) as e:  # PyYAML builds dates itself: 2026-02-30 raises here
        raise ContentError(path, _("YAML value error: {error}").format(error=e)) from e
