"""Logging set-up for the CLI and daemon (libraries only call logging.getLogger(__name__)).

A redaction filter masks every secret in force, so a token can never reach a log line."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from .content.files import private_file
from .errors import scrub


class Redact(logging.Filter):
    def __init__(self, secrets: Iterable[str]):
        super().__init__()
        self.secrets = tuple(secrets)

    def scrub(self, text: str) -> str:
        return scrub(text, *self.secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            record.msg = self.scrub(record.getMessage())
            record.args = None
        return True


def private_rotating_handler(log_file: Path) -> logging.Handler:
    """The daemon's log file, rotated at 1 MB, 5 kept. It names recipients' numbers: each new file
    is created owner-only (0600 on POSIX). logging.handlers (sockets, queues) is imported only here:
    the other commands write no log file."""
    import logging.handlers

    class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
        def _open(self):
            return open(
                self.baseFilename,
                self.mode,
                encoding=self.encoding,
                errors=self.errors,
                opener=lambda path, flags: os.open(path, flags, 0o600),
            )

    return PrivateRotatingFileHandler(log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8")


def setup(
    secrets: Iterable[str], *, verbose: bool = False, log_file: Path | None = None, console: bool = True
) -> Redact:
    """``console=False`` (the daemon): nothing of the log reaches the console, which shows the
    operator's own sentences instead; the log file keeps everything, in English."""
    redact = Redact(secrets)
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_siaran", False):
            root.removeHandler(h)
            if isinstance(h, logging.FileHandler):
                h.close()  # the daemon's log file: never leave it open
    handlers: list[logging.Handler] = [logging.StreamHandler()] if console else []
    if console:
        handlers[0].setLevel(logging.INFO if verbose else logging.WARNING)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        private_file(log_file)  # made earlier by a failed start, or by hand: it names recipients
        rotating = private_rotating_handler(log_file)
        rotating.setLevel(logging.INFO)
        handlers.append(rotating)
    for h in handlers:
        h._siaran = True  # type: ignore[attr-defined]
        h.addFilter(redact)
        h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(h)
    root.setLevel(logging.INFO)
    # httpx logs every request URL at INFO; keep it out of the operator's way.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return redact


def startup_failure(log_file: Path, message: str) -> None:
    """`siaran run` could not even read its settings: still leave the reason in the log file
    (where an operator looking at an unattended PC will look)."""
    stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with open(fd, "a", encoding="utf-8") as f:
            f.write(f"{stamp} ERROR siaran: cannot start: {message}\n")
        private_file(log_file)
    except OSError:
        pass  # not even the log file is writable: the console message is all there is
