"""history backup / history restore FILE: the history's backups by hand (the daemon takes one a day
when it is idle; siaran.history.backups)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from ..errors import ContentErrors
from ..i18n import _
from .base import get_app


def size_text(n: int) -> str:
    return f"{n / 1_000_000:,.1f} MB" if n >= 100_000 else f"{n / 1000:,.0f} KB"


def _today(app):
    """The office's date (WIB, WITA, WIT); UTC's when content/office.yaml cannot be read."""
    with contextlib.suppress(ContentErrors):
        app.office  # noqa: B018 - loaded, app.today() is the office's
    return app.today()


@click.command("backup")
@click.pass_context
def backup_cmd(ctx: click.Context) -> None:
    """Back up the history now, compressed, within the disk budget (the daemon does it once a day when idle)."""
    from ..history import backups

    app = get_app(ctx)
    path = app.settings.path("history")
    if not path.is_file() or path.stat().st_size == 0:
        click.echo(_("There is no history to back up yet."))
        return
    history = app.settings.history
    taken = backups.take(path, _today(app), max(history.backups, 1), history.backup_budget_mb)
    click.echo(
        _("History backed up to {path}: {size} ({share} of the history's {source}).").format(
            path=taken.path, size=size_text(taken.size), share=f"{100 * taken.size / max(taken.source, 1):.0f} %",
            source=size_text(taken.source),
        )
    )  # fmt: skip
    for old in taken.removed:
        click.echo(_("Older backup removed to stay within the disk budget: {name}").format(name=old.name))


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Really put this backup back (required).")
@click.pass_context
def restore_cmd(ctx: click.Context, file: Path, yes: bool) -> None:
    """Put backup FILE back as the history; a copy of the current history is kept first.

    What was sent after FILE was taken is forgotten: stop the daemon first, and check `siaran history` after.
    """
    if not yes:
        raise click.UsageError(
            _("add --yes: the history goes back to the backup (a copy of the current one is kept first)")
        )
    from ..daemon import project_lock
    from ..history import backups, open_db

    app = get_app(ctx)
    path = app.settings.path("history")
    with project_lock(app.settings):  # no daemon writes while the file is replaced
        safety = backups.restore(path, file, app.now())
    open_db(path).conn.close()  # an older backup gets the newer tables
    click.echo(_("The history is back as it was in {file}.").format(file=file.name))
    if safety is not None:
        click.echo(_("The history before the restore is kept as {path}.").format(path=safety))
