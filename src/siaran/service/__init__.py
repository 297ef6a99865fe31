"""Service definitions that start `siaran run` with the computer: Windows Task Scheduler (at logon,
restarted on failure) and a systemd user unit. Filled in with the project folder and the
siaran executable; `siaran service print windows|systemd` prints them."""

from __future__ import annotations

import getpass
import os
import shutil
import sys
from pathlib import Path
from string import Template
from xml.sax.saxutils import escape

KINDS = ("windows", "systemd")


def siaran_executable() -> Path:
    """The siaran launcher next to the running Python (a venv's Scripts/ or bin/), else on PATH."""
    here = Path(sys.executable).parent
    for name in ("siaran.exe", "siaran"):
        if (here / name).exists():
            return here / name
    found = shutil.which("siaran")
    return Path(found) if found else here / "siaran"


def windows_user() -> str:
    """DOMAIN\\user of whoever prints the task: it starts at that user's logon, as that user."""
    user = os.environ.get("USERNAME") or getpass.getuser()
    domain = os.environ.get("USERDOMAIN")
    return f"{domain}\\{user}" if domain else user


def render(kind: str, project: Path, executable: Path | None = None) -> str:
    if kind not in KINDS:
        raise LookupError(f"unknown service kind {kind!r}: use {' or '.join(KINDS)}")
    exe = executable or siaran_executable()
    text = (Path(__file__).parent / ("windows.xml" if kind == "windows" else "siaran.service")).read_text("utf-8")
    if kind == "windows":
        values = {"exe": escape(str(exe)), "project": escape(str(project)), "user": escape(windows_user())}
    else:
        values = {"exe": _systemd_quote(str(exe)), "project": _systemd_quote(str(project)), "dir": str(project)}
    return Template(text).substitute(values)


def _systemd_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' if any(c in value for c in ' "\\') else value
