"""Files siaran writes (outbox messages, rendered images, staged media): named by a slug of the post,
written atomically, so a crash never leaves half a file under its final name."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path


def slug(name: str) -> str:
    """A post name as one folder or file name: announcements/Rapat RT → announcements-rapat-rt."""
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "post"


def write_atomic(path: Path, data: bytes | str, mode: int = 0o644) -> Path:
    """Write beside, then rename. Two processes writing the same file each use their own temporary
    name (mkstemp), and the last rename wins with complete content."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)  # mkstemp makes 0600; the media folder may be served publicly
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def copy_atomic(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
