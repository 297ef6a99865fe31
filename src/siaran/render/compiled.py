"""Compiled templates remembered on disk, through Jinja2's own bytecode cache: compiling the two
dozen templates and post bodies a project renders is a noticeable part of every `siaran check` and
of every command that renders.

Jinja2 checks each entry against its own and Python's version and the template's source. What it
cannot see is siaran's code generation (the sandbox's loop guard, line-break handling), so the
folder is render's own (``memo.folder``), named after its modules as installed. Without a writable
cache folder templates are simply compiled each time.
"""

from __future__ import annotations

import contextlib

import jinja2

from .memo import folder as _folder


class _Cache(jinja2.FileSystemBytecodeCache):
    """A cache never stops a render: an entry that cannot be read (damaged, the folder deleted
    under a running daemon) is compiled again, one that cannot be written (disk full) is not kept."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a truncated or foreign file: pickle and marshal raise many kinds
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def bytecode_cache() -> jinja2.BytecodeCache | None:
    folder = _folder()
    return _Cache(str(folder)) if folder else None


def compile_source(env: jinja2.Environment, source: str, name: str) -> jinja2.Template:
    """``source`` as a template named ``name`` (a post's body), compiled once per version of its
    text, as Jinja2's loaders do for template files."""
    cache = env.bytecode_cache
    if cache is None:
        code = env.compile(source, name=name, filename=name)
    else:
        bucket = cache.get_bucket(env, name, name, source)
        if bucket.code is None:
            bucket.code = env.compile(source, name=name, filename=name)
            cache.set_bucket(bucket)
        code = bucket.code
    return env.template_class.from_code(env, code, env.make_globals(None), None)
