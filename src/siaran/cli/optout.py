"""optout: people who asked to stop receiving broadcasts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from ..clock import zone_label
from ..delivery import optouts as optout
from ..history import optouts as table
from ..i18n import _
from .base import cli, tolerant_app


def _report(result: optout.Added) -> None:
    click.echo(
        _("Opted out: {added} added, {already} already on the list.").format(
            added=len(result.added), already=len(result.already)
        )
    )
    for line in result.invalid:
        click.secho("  " + _("not added, invalid number: {line}").format(line=line), fg="yellow", err=True)


def _region(app) -> str:
    try:
        return app.project.office.region
    except Exception:  # the opt-out list must stay usable even while a content file is broken
        return "ID"


def _zone(app):
    try:
        return app.project.office.timezone
    except Exception:  # as in _region: a broken content file must not hide the list
        return ZoneInfo("UTC")


@cli.group("optout")
def optout_group() -> None:
    """Numbers that never get broadcasts (people who asked to stop)."""


@optout_group.command("add")
@click.argument("numbers", nargs=-1, required=True)
@click.option("--reason", default="", help="Why, e.g. 'asked by phone on 2026-11-20'.")
@click.pass_context
def add_cmd(ctx: click.Context, numbers: tuple[str, ...], reason: str) -> None:
    """Opt out NUMBERS (any Indonesian form: 0812-…, +62 812 …, 62812…)."""
    app = tolerant_app(ctx)
    result = optout.add(app.db, [(_("argument {n}").format(n=i), n) for i, n in enumerate(numbers, 1)], app.now(),
                        reason=reason, source="cli", region=_region(app))  # fmt: skip
    _report(result)
    if result.invalid:
        ctx.exit(1)


@optout_group.command("remove")
@click.argument("number")
@click.pass_context
def remove_cmd(ctx: click.Context, number: str) -> None:
    """Take NUMBER off the opt-out list: it gets broadcasts again."""
    app = tolerant_app(ctx)
    phone = optout.remove(app.db, number, _region(app))
    if phone:
        click.echo(_("{number} removed from the opt-out list.").format(number=phone))
    else:
        click.secho(_("{number} was not on the opt-out list.").format(number=number), fg="yellow")


@optout_group.command("list")
@click.pass_context
def list_cmd(ctx: click.Context) -> None:
    """Every opted-out number, with when and why."""
    app = tolerant_app(ctx)
    rows = table.listing(app.db)
    if not rows:
        click.echo(_("Nobody has opted out."))
    tz = _zone(app)
    for r in rows:
        when = datetime.fromisoformat(r["created_at"]).astimezone(tz).strftime("%Y-%m-%d %H:%M ") + zone_label(tz)
        click.echo(f"{r['phone']:<16} {when}  {r['source'] or ''}  {r['reason'] or ''}".rstrip())


@optout_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--reason", default="", help="Why these people opted out.")
@click.pass_context
def import_cmd(ctx: click.Context, file: Path, reason: str) -> None:
    """Opt out every number in FILE: a CSV or .xlsx with a nomor/telepon/hp/phone column, or one number per line."""
    numbers = optout.read_file(file)  # before the project is opened: a file that cannot be read changes nothing
    app = tolerant_app(ctx)

    def progress(done: int, total: int) -> None:
        click.echo(_("{done} of {total} numbers read…").format(done=f"{done:,}", total=f"{total:,}"), err=True)

    result = optout.add(app.db, numbers, app.now(), reason=reason, source=file.name, region=_region(app),
                        progress=progress)  # fmt: skip
    _report(result)
