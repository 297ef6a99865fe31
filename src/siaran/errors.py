"""Exceptions raised by siaran.

The tree (turned into operator messages in exactly one place, ``siaran.cli``)::

    SiaranError
    ├── ConfigError          siaran.toml / environment / .env is wrong
    ├── ContentError         a content, list, template, calendar or schedule file is wrong
    │   └── TemplateError    a Jinja2 template does not parse or render
    ├── ContentErrors        several ContentError at once (what `siaran check` reports)
    ├── LockedError          another siaran daemon holds the project lock
    ├── HistoryError         the history file is damaged, read-only or on a full disk (history.safety), or went
    │                        missing or was replaced (history.guard): nothing is sent
    ├── SyncError            the Instagram profile could not be read this time (delivery.profile_sync)
    └── DeliveryError        a channel could not deliver one message
        ├── TransientError   try again later (throttled, 5xx, connection refused)
        │   └── LimitReached Instagram's posts-per-24-h limit (channels.instagram_graph)
        ├── PermanentError   this recipient/message will never work (invalid number, template error)
        ├── FatalError       stop the whole broadcast (token expired, spam limit, account blocked)
        │   └── TokenError   Instagram refused the token (channels.instagram_graph)
        └── UncertainError   the request left but its fate is unknown (read timeout): never resend blindly

A provider's raw error body (e.g. ``GraphError``) never leaves its channel module: it is classified
into this tree first, and a DeliveryError also says whom it concerns (``scope``): ``account`` (every
message of the broadcast: slow everybody down, or stop), ``recipient`` (this person: a transient one
makes that person alone wait longer) or ``message`` (this message: retried with the usual
backoff). The engine acts on the class and scope, never on a provider's codes. ``scrub`` keeps
secrets out of every message built from what a provider said.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .i18n import _

if TYPE_CHECKING:  # siaran.reasons needs scrub from here: the type alone, no import at run time
    from .reasons import Reason

MASK = "***"


def scrub(text: str, *secrets: str) -> str:
    """Mask every secret (≥ 4 characters; longest first, so a token containing another stays hidden)."""
    for s in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(s, MASK)
    return text


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """ " (did you mean 'x'?)" for the closest known name, or "" when nothing is close."""
    choices = [str(c) for c in choices]
    lowered = {c.lower(): c for c in choices}
    word = str(word).lower().strip()
    import difflib  # only when a name is wrong

    close = difflib.get_close_matches(word, list(lowered), n=1, cutoff=0.6)
    if not close and len(word) >= 3:  # a short form of a longer name: "Idul Fitri"
        close = [c for c in lowered if word in c][:1]
    return _(" (did you mean {name!r}?)").format(name=lowered[close[0]]) if close else ""


class SiaranError(Exception):
    """Base class: every error siaran expects to explain to the operator."""


class ConfigError(SiaranError):
    pass


class LockedError(SiaranError):
    pass


class HistoryError(SiaranError):
    """The history file cannot be used; the message says what to do, in one sentence."""


@dataclass
class ContentError(SiaranError):
    """A problem in one file, located as precisely as we can: file, line, field."""

    path: Path | str
    message: str
    line: int | None = None
    field: str | None = None
    warning: bool = False
    column: int | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.path)
        if self.line:
            where += f":{self.line}" + (f":{self.column}" if self.column else "")
        field = f" [{self.field}]" if self.field else ""
        return f"{where}:{field} {self.message}"


class TemplateError(ContentError):
    pass


class ContentErrors(SiaranError):
    """Everything wrong with the project at once, so the operator fixes it in one pass."""

    def __init__(self, problems: Iterable[ContentError]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class DeliveryError(SiaranError):
    """A channel failed to deliver one message: ``reason`` says why (data, worded where shown),
    ``code`` is the provider's error code, if any."""

    def __init__(
        self, reason: Reason, *, code: str | int | None = None, retry_after: float | None = None, scope: str = "message"
    ):
        self.reason = reason
        self.code = None if code is None else str(code)
        self.retry_after = retry_after
        self.scope = scope  # account | recipient | message
        super().__init__(reason)

    def __str__(self) -> str:
        return str(self.reason)  # English, for logs; siaran.cli words ``reason`` for the operator


class TransientError(DeliveryError):
    pass


class PermanentError(DeliveryError):
    pass


class FatalError(DeliveryError):
    pass


class UncertainError(DeliveryError):
    pass


class SyncError(SiaranError):
    """Instagram could not be read this time; nothing in history changed."""
