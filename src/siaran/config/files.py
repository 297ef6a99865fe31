"""siaran.toml and .env as text, read with the same care as content files."""

from __future__ import annotations

import stat
from pathlib import Path

from ..errors import ConfigError
from ..i18n import _

MAX_BYTES = 1_000_000


def read_settings_file(path: Path) -> str:
    """siaran.toml or .env as text: a regular file, UTF-8 (a byte-order mark is accepted)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(_("{path}: not a regular file").format(path=path))
        if info.st_size > MAX_BYTES:
            raise ConfigError(_("{path}: larger than 1 MB; is it the right file?").format(path=path))
        data = path.read_bytes()
    except OSError as e:
        raise ConfigError(_("{path}: cannot read: {error}").format(path=path, error=e.strerror)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        hint = _(" (it is UTF-16: save it as UTF-8)") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ""
        raise ConfigError(_("{path}: not UTF-8 text").format(path=path) + hint) from None
    if "\x00" in text:
        raise ConfigError(_("{path}: holds binary data, not text").format(path=path))
    return text
