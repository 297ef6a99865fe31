"""Compiled templates remembered on disk, through Jinja2's own bytecode cache: compiling the two
dozen templates and post bodies a project renders is about 40 ms of every `siaran check` and of
every command that renders.

Jinja2 checks each entry against its own and Python's version and the template's source. What it
cannot see is siaran's code generation (the sandbox's loop guard, line-break handling), so the
folder is named after siaran's render modules as installed: a new siaran starts a fresh folder.
Without a writable cache folder templates are simply compiled each time.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from ..content.files import tree_fingerprint, user_cache_dir


@cache
def _folder() -> Path | None:
    key = tree_fingerprint(Path(__file__).parent, suffixes=(".py",))[:16]
    folder = user_cache_dir() / f"templates-{key}"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return folder


def bytecode_cache() -> jinja2.BytecodeCache | None:
    folder = _folder()
    return jinja2.FileSystemBytecodeCache(str(folder)) if folder else None


def compile_source(env: jinja2.Environment, source: str, name: str) -> jinja2.Template:
    """``source`` as a template named ``name`` (a post's body), compiled once per version of its
    text, as Jinja2's loaders do for template files."""
    cache_ = env.bytecode_cache
    bucket = cache_.get_bucket(env, name, name, source) if cache_ else None
    code = bucket.code if bucket else None
    if code is None:
        code = env.compile(source, name=name, filename=name)
        if bucket is not None and cache_ is not None:
            bucket.code = code
            cache_.set_bucket(bucket)
    return env.template_class.from_code(env, code, env.make_globals(None), None)
