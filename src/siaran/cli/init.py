"""init: a starter project to change, not to write from nothing."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import click

from ..errors import ConfigError
from ..i18n import _
from .base import cli

# Package data cannot rely on dot-files being shipped: they get their dot when written.
RENAMED = {"env.example": ".env.example", "gitignore": ".gitignore"}


def starter_files() -> dict[str, Traversable]:
    """Relative path in the new project → the starter file shipped inside the package."""
    found: dict[str, Traversable] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in node.iterdir():
            if child.name == "__pycache__" or child.name.endswith(".py"):
                continue
            rel = f"{prefix}{RENAMED.get(child.name, child.name)}"
            if child.is_dir():
                walk(child, rel + "/")
            else:
                found[rel] = child

    walk(files("siaran") / "starter", "")
    return dict(sorted(found.items()))


@cli.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
def init_cmd(folder: Path) -> None:
    """Create a starter project in FOLDER (default: here): an office, one post of each kind, a list,
    schedules, a calendar and .env.example, ready for `siaran check`. Nothing is overwritten."""
    starter = starter_files()
    existing = [rel for rel in starter if (folder / rel).exists()]
    if existing:
        raise ConfigError(
            _("{folder} already has {files}; nothing was written (use an empty folder)").format(
                folder=folder, files=", ".join(existing[:3]) + (" …" if len(existing) > 3 else "")
            )
        )
    for rel, source in starter.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    click.echo(_("Created a starter project in {folder} ({n} files). Next:").format(folder=folder, n=len(starter)))
    click.echo(_("  1. edit content/office.yaml and content/lists/warga.csv"))
    click.echo(_("  2. siaran --project {folder} check").format(folder=folder))
    click.echo(_("  3. siaran --project {folder} preview announcements/pengumuman-contoh").format(folder=folder))
