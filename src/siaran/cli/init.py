"""init: a starter project to change, not to write from nothing."""

from __future__ import annotations

import os
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import click

from ..content.files import private_folder
from ..errors import ConfigError
from ..i18n import _
from .base import cli

# Package data cannot rely on dot-files being shipped: they get their dot when written.
RENAMED = {"env.example": ".env.example", "gitignore": ".gitignore"}
PRIVATE = "content/lists/"  # citizens' numbers: owner-only folder (0700) and files (0600)
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # Windows has none (and its links need privileges to make)


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


def _within(folder: Path, rel: str) -> list[Path]:
    """Every path init would go through to write ``rel``: each folder below FOLDER, then the file."""
    parts = Path(rel).parts
    return [folder.joinpath(*parts[: i + 1]) for i in range(len(parts))]


@cli.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
def init_cmd(folder: Path) -> None:
    """Create a starter project in FOLDER (default: here): an office, one post of each kind, a list,
    schedules, a calendar and .env.example, ready for `siaran check`. Nothing is overwritten."""
    starter = starter_files()
    linked = sorted({str(p) for rel in starter for p in _within(folder, rel) if p.is_symlink()})
    if linked:  # a link could carry the starter files (and later the lists) out of the project
        raise ConfigError(
            _("{path} is a symbolic link; nothing was written (init writes only into real folders)").format(
                path=linked[0]
            )
        )
    existing = [rel for rel in starter if os.path.lexists(folder / rel)]
    if existing:
        raise ConfigError(
            _("{folder} already has {files}; nothing was written (use an empty folder)").format(
                folder=folder, files=", ".join(existing[:3]) + (" …" if len(existing) > 3 else "")
            )
        )
    for rel, source in starter.items():
        target = folder / rel
        private = rel.startswith(PRIVATE)
        if private:
            private_folder(target.parent, folder)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL | O_NOFOLLOW: never through a link made meanwhile, never over a file
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW, 0o600 if private else 0o644)
        with open(fd, "wb") as f:
            f.write(source.read_bytes())
    click.echo(_("Created a starter project in {folder} ({n} files). Next:").format(folder=folder, n=len(starter)))
    click.echo(_("  1. edit content/office.yaml and content/lists/warga.csv"))
    click.echo(_("  2. siaran --project {folder} check").format(folder=folder))
    click.echo(_("  3. siaran --project {folder} preview announcements/pengumuman-contoh").format(folder=folder))
