"""One rule for every cache siaran keeps (parsed lists, compiled templates, font and QR answers, the
holiday table, content checks, rendered images): a cached value is found by ``key(code, inputs)``,
where ``code = version("siaran.some.module", ...)`` names the code that computed it.

``version`` covers that code whole, without anyone keeping a list of it: the source of each module
named, of every siaran module those import (at any depth, imports inside functions included), and
the installed copy of every other package any of them imports (openpyxl, phonenumbers, Pillow,
segno, ...). Editing ``content/rows.py`` or upgrading openpyxl therefore changes the list cache's
key, and nothing ever serves a value computed by other rules. ``inputs`` are the data: file
contents, settings, the language.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parent.parent  # siaran's own modules
_STDLIB = frozenset(sys.stdlib_module_names)


def key(code: str, *inputs: Any) -> str:
    """The cache key of a value computed by ``code`` (a ``version``) from ``inputs`` (JSON-able;
    ``bytes`` are hashed as they are)."""
    digest = hashlib.sha256(code.encode())
    for value in inputs:
        data = value if isinstance(value, bytes) else json.dumps(value, sort_keys=True, default=str).encode()
        digest.update(b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


@functools.cache  # the code does not change under a running process
def version(*modules: str) -> str:
    """A digest of the code that computes a cached value (see the module's docstring)."""
    own, others = _closure(modules)
    digest = hashlib.sha256()
    for name in sorted(own):
        digest.update(f"{name}\0".encode() + _source(name) + b"\0")
    for package in sorted(others):
        digest.update(f"{package}\0{installed_stamp(package)}\0".encode())
    return digest.hexdigest()[:16]


@functools.cache  # a package does not change under a process
def installed_stamp(package: str, files: tuple[str, ...] = ("__init__.py",)) -> str:
    """Names an installed package without importing it: its location and the size and time of
    ``files`` in it, which an upgrade or reinstall rewrites ('' if it is not installed)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return ""
    if spec is None or spec.origin is None:
        return ""
    origin = Path(spec.origin)
    names = files if spec.submodule_search_locations else (origin.name,)  # a package, or one module
    digest = hashlib.sha256(str(origin).encode())
    for rel in names:
        try:
            st = (origin.parent / rel).stat()
            digest.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}".encode())
        except OSError:
            digest.update(f"{rel}\0gone".encode())
    return digest.hexdigest()[:16]


@functools.cache
def _files() -> dict[str, str]:
    """siaran's modules as installed: dotted name → source file."""
    found = {}
    todo = [(str(SRC), "siaran")]
    while todo:
        folder, package = todo.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".py"):
                    found[package if entry.name == "__init__.py" else f"{package}.{entry.name[:-3]}"] = entry.path
                elif entry.name != "__pycache__" and entry.is_dir():
                    todo.append((entry.path, f"{package}.{entry.name}"))
    return found


def _path(module: str) -> str | None:
    return _files().get(module)


@functools.cache
def _source(module: str) -> bytes:
    path = _path(module)
    try:
        with open(path or os.devnull, "rb") as handle:
            return handle.read()
    except OSError:
        return b""


# An import statement (at any indent: imports inside functions count). Read with a pattern, not
# ast: parsing every module a cache depends on would cost more than most caches save
# (docs/development/performance.md).
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)|import[ \t]+([^\n#;]*))", re.MULTILINE
)


@functools.cache
def _imports(module: str) -> tuple[frozenset[str], frozenset[str]]:
    """(siaran modules, other top-level packages) that ``module`` imports anywhere in its body. A
    docstring line that looks like an import only makes the key cover a little more."""
    path = _path(module)
    if path is None:
        return frozenset(), frozenset()
    try:
        source = _source(module).decode("utf-8")
    except ValueError:
        return frozenset(), frozenset()
    package = module.split(".") if path.endswith("__init__.py") else module.split(".")[:-1]
    own, others = set(), set()
    for dots, name, names, plain in _statements(source):
        if plain:
            targets = [n.split(" as ")[0].strip() for n in plain.split(",")]
        elif dots:
            base = ".".join([*package[: len(package) - len(dots) + 1], *([name] if name else [])])
            listed = [n.split(" as ")[0].strip() for n in names.strip("()").replace("\n", " ").split(",")]
            targets = [_known(f"{base}.{n}") or base for n in listed if n] or [base]
        else:
            targets = [name]
        for target in targets:
            (own if target.split(".")[0] == "siaran" else others).add(target)
    others = {name.split(".")[0] for name in others if name} - _STDLIB - {"__future__"}
    return frozenset(m for m in own if _path(m)), frozenset(others)


def _statements(source: str) -> Iterator[tuple[str, ...]]:
    """``_IMPORT``'s matches, tried only at the start of a line naming "import": a plain search for
    the word is far quicker than trying the pattern at every position of the text."""
    tried = set()
    at = source.find("import")
    while at >= 0:
        start = source.rfind("\n", 0, at) + 1
        if start not in tried:
            tried.add(start)
            found = _IMPORT.match(source, start)
            if found:
                yield found.groups()
        at = source.find("import", at + 6)


def _known(module: str) -> str:
    return module if _path(module) else ""


def _closure(modules: tuple[str, ...]) -> tuple[set[str], set[str]]:
    own: set[str] = set()
    others: set[str] = set()
    todo = list(modules)
    while todo:
        name = todo.pop()
        if name in own:
            continue
        own.add(name)
        found, outside = _imports(name)
        others |= outside
        todo.extend(found - own)
    return own, others
