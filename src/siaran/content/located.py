"""What parsing a YAML text gives, and its bounds: kept apart from the parser (PyYAML), so a
command that finds a text's parse remembered (``yaml_memo``) never imports it."""

from __future__ import annotations

MAX_ALIASES = 50  # *alias uses per file: a few are handy, more is a "billion laughs" bomb
MAX_DEPTH = 30  # nesting of lists and mappings
MAX_VALUES = 100_000  # values in one file, counting each alias as the copy it stands for


class Located(dict):
    """A mapping that also knows the line (1-based) of each of its keys."""

    lines: dict[str, int]
    line: int | None = None

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key, self.line)
