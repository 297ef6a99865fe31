"""The texts `siaran check` renders, remembered by everything that decides them, so a check after
an ordinary edit (a list, one post) renders only what the edit changed and, when nothing it renders
changed, never loads Jinja2 (siaran.render.text) at all.

A text is a pure function of its inputs: the template files (content/templates/ and the built-in
ones), the post as templates see it (its body's source included), the office, the recipient, the
greeting's day, the language and the rendering code (siaran.content.cache.version). All of them go
into the key. Only texts that rendered are kept; a problem is found (and worded) afresh each time.

The texts are kept where the store given says: the history (siaran.history.rendered_texts), which
already holds the people they greet. Without a history nothing is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from ..content import cache as versions
from ..content.calendar import Calendar
from ..content.files import tree_fingerprint
from ..content.model import Office, Post, Recipient
from ..i18n import language
from .context import BUILTIN, holiday_data, office_data, post_data
from .memo import RENDERING


class TextStore(Protocol):
    """Where remembered texts live: ``find`` one by key, ``add`` a new one (kept when the command
    succeeds: bad input leaves the history as it was)."""

    def find(self, key: str) -> str | None: ...

    def add(self, key: str, text: str) -> None: ...


@dataclass
class TextMemo:
    """Texts rendered for the checks, by key (see the module's docstring)."""

    root: Path
    office: Office
    calendar: Calendar | None
    today: date | None
    store: TextStore
    _base: str | None = None

    def text(self, post: Post, channel: str, recipient: Recipient | None, render: Callable[[], str]) -> str:
        """What ``render`` gives for ``post`` on ``channel`` (``card``: the body alone) and ``recipient``."""
        key = self._key(post, channel, recipient)
        found = self.store.find(key)
        if found is None:
            found = render()
            self.store.add(key, found)
        return found

    def templates_compile(self, check: Callable[[], list[Any]]) -> list[Any]:
        """``check``'s problems with the template files; no problem is remembered as such."""
        key = versions.key(self._inputs(), "templates")
        if self.store.find(key) is not None:
            return []
        problems = check()
        if not problems:
            self.store.add(key, "")
        return problems

    def _inputs(self) -> str:
        """What every text depends on: the code, the template files, the language, the office."""
        if self._base is None:
            templates = tree_fingerprint(self.root / "content" / "templates", BUILTIN)
            office = repr(office_data(self.office)).encode()
            self._base = versions.key(versions.version(*RENDERING), templates, language(), office)
        return self._base

    def _key(self, post: Post, channel: str, recipient: Recipient | None) -> str:
        rec = recipient.for_template() if recipient else None
        # repr, not JSON: a date and its ISO text, or two orders of one mapping, render differently
        data = (
            channel,
            post.template or post.kind,
            post.path.relative_to(self.root).as_posix(),
            post.body_line,
            post_data(post, post.body),
            type(rec).__name__,
            rec,
            holiday_data(self.calendar, post, self.today),
        )
        return versions.key(self._inputs(), repr(data).encode())


class LazyRenderer:
    """siaran.render.text.TextRenderer, made (and Jinja2 loaded) when first used."""

    def __init__(self, make: Callable[[], Any]):
        self._make = make
        self._made: Any = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._made is None:
            self._made = self._make()
        return getattr(self._made, name)
