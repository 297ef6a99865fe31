"""Files siaran reads and writes.

Reading: every file a project names (posts, images, logo, fonts, templates, lists, YAML) goes
through ``content_file``: it must resolve, after following symlinks, to a regular file inside its
own folder (content/ or schedules/), so ``image: ../../.env``, an absolute path, a symlink to
/etc/passwd or a FIFO that would hang every command are refused with a reason.

Writing (outbox messages, rendered images, staged media): named by a slug of the post, written
atomically, so a crash never leaves half a file under its final name.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ContentError
from ..i18n import _

MAX_TEXT_BYTES = 1_000_000  # a post, template or YAML file; far beyond any real one
MAX_MEDIA_BYTES = 30_000_000  # an image or font file


# C0 control characters but tab, line feed and carriage return, and DEL: no office text holds them,
# and downstream code (markup conversion, terminals, providers) must never have to cope with them.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character(text: str) -> str:
    """A message naming the first control character in ``text``, or '' when it has none."""
    found = CONTROL.search(text)
    if not found:
        return ""
    return _("holds a control character (U+{code:04X}) that cannot be shown or sent: remove it").format(
        code=ord(found.group())
    )


def control_line(text: str) -> int:
    """The line (1-based) of the first control character in ``text``."""
    found = CONTROL.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 1


class UnsafeFile(ValueError):
    """A named file that may not be read; the message says why."""


def content_file(base: Path, path: Path, *, max_bytes: int | None = None) -> Path:
    """``path`` with symlinks followed, if it is a regular file inside ``base``; else UnsafeFile."""
    try:
        real = Path(path).resolve(strict=True)
    except FileNotFoundError:
        raise UnsafeFile(_("file not found")) from None
    except (OSError, RuntimeError):
        raise UnsafeFile(_("cannot be read (a symlink loop?)")) from None
    if not real.is_relative_to(Path(base).resolve()):
        raise UnsafeFile(
            _("lies outside {folder}/ (../, a full path or a symlink may not leave it)").format(folder=Path(base).name)
        )
    info = real.stat()
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFile(_("is not a regular file"))
    if max_bytes is not None and info.st_size > max_bytes:
        raise UnsafeFile(_("is larger than {size} MB").format(size=f"{max_bytes / 1e6:g}"))
    return real


def refused(value: str, reason: object) -> str:
    """The message for a named file that cannot be used: "file not found: content/x.jpg" or
    "content/x.jpg: lies outside content/ ..."."""
    reason = str(reason)
    return f"{reason}: content/{value}" if reason == _("file not found") else f"content/{value}: {reason}"


def project_area(path: Path, rel: str) -> Path:
    """The folder a project file must stay in: content/ or schedules/ (rel's first part)."""
    parts = Path(rel).parts
    return Path(path).parents[len(parts) - 1] / parts[0]


def read_text(path: Path, rel: str, *, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """A project text file as UTF-8 (a byte-order mark is accepted), confined to its folder."""
    try:
        real = content_file(project_area(path, rel), path, max_bytes=max_bytes)
        data = real.read_bytes()
    except UnsafeFile as e:
        raise ContentError(rel, str(e)) from None
    except OSError as e:
        raise ContentError(rel, _("cannot read: {error}").format(error=e.strerror)) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ContentError(rel, _("file is UTF-16 text: save it as UTF-8"), line=1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ContentError(rel, _("file is not UTF-8 text"), line=line) from None
    if "\x00" in text:
        raise ContentError(rel, _("file holds binary data, not text"), line=text.count("\n", 0, text.index("\x00")) + 1)
    problem = control_character(text)
    if problem:
        raise ContentError(rel, problem, line=control_line(text))
    return text


def slug(name: str) -> str:
    """A post name as one folder or file name: announcements/Rapat RT → announcements-rapat-rt."""
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "post"


def private_folder(path: Path, top: Path | None = None) -> Path:
    """``path`` as a folder only its owner can open (0700 on POSIX), whatever it was before, and so
    every folder between ``top`` and it: folders named by citizens' numbers or holding them."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = path
    while True:
        if os.name != "nt" and stat.S_IMODE(folder.stat().st_mode) != 0o700:
            os.chmod(folder, 0o700)
        if top is None or folder == top or folder.parent == folder or not folder.is_relative_to(top):
            return path
        folder = folder.parent


def private_file(path: Path) -> None:
    """An existing file made owner-only (0600), whoever created it (a log file from a failed start)."""
    if os.name != "nt" and path.exists() and stat.S_IMODE(path.stat().st_mode) != 0o600:
        os.chmod(path, 0o600)


def write_atomic(path: Path, data: bytes | str, mode: int = 0o644) -> Path:
    """Write beside, then rename. Two processes writing the same file each use their own temporary
    name (mkstemp), and the last rename wins with complete content."""
    import tempfile  # only for a write: reading commands (check, history) never need it

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            if hasattr(os, "fchmod"):  # not on Windows before Python 3.13, whose files follow the folder's ACL
                os.fchmod(f.fileno(), mode)  # mkstemp makes 0600; the media folder may be served publicly
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def copy_atomic(source: Path, target: Path) -> Path:
    import shutil
    import tempfile

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


def user_cache_dir() -> Path:
    """Where siaran keeps what it can compute again (the holiday table, compiled templates):
    ``SIARAN_CACHE_DIR``, else the user's cache folder (platformdirs)."""
    chosen = os.environ.get("SIARAN_CACHE_DIR", "").strip()
    if chosen:
        return Path(chosen)
    import platformdirs

    return Path(platformdirs.user_cache_dir("siaran", appauthor=False))


class DiskMemo:
    """Answers that take a slow import or a long computation to find and never change for the same
    key, in one JSON file of the cache folder: read at first use, written again (atomically) when
    an answer is added. Without a readable or writable file, answers are just computed each time.
    ``limit``: at most so many answers kept, where content can make any number of keys (each new
    one rewrites the file); past it, answers are computed each time."""

    def __init__(self, path: Path | None, limit: int | None = None):
        self.path = path
        self.limit = limit
        self._data: dict | None = None

    def get(self, key: str, compute: Callable[[], Any]) -> Any:
        if self._data is None:
            self._data = {}
            if self.path is not None:
                try:
                    found = json.loads(self.path.read_text(encoding="utf-8"))
                    self._data = found if isinstance(found, dict) else {}
                except (OSError, ValueError):
                    pass
        if key not in self._data:
            if self.limit is not None and len(self._data) >= self.limit:
                return compute()
            self._data[key] = compute()
            if self.path is not None:
                try:
                    self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                    write_atomic(self.path, json.dumps(self._data, ensure_ascii=False))
                except OSError:  # a read-only home: computed again next time, that's all
                    pass
        return self._data[key]


def tree_fingerprint(*folders: Path, suffixes: tuple[str, ...] = (), names_only: Path | None = None) -> str:
    """A digest of the path, size and modification time of every file under these folders (only
    those ending in ``suffixes``, if given): it changes whenever such a file is added, removed,
    renamed or saved. Stats only, no reading. Under ``names_only``, only the files' names count."""
    import hashlib

    digest = hashlib.sha256()
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                if suffixes and not name.endswith(suffixes):
                    continue
                path = os.path.join(dirpath, name)
                if names_only is not None and Path(dirpath) == names_only:
                    digest.update(f"{path}\0name\n".encode())
                    continue
                try:
                    st = os.stat(path)
                    digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
                except OSError:
                    digest.update(f"{path}\0gone\n".encode())
    return digest.hexdigest()
