"""The `siaran` command group and the one place errors become operator messages."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click

from .. import logs
from ..app import App
from ..clock import clock_from_env
from ..config import DEFAULT_LOG
from ..errors import ContentErrors, SiaranError
from ..history.safety import explain
from ..i18n import _, ngettext
from .translate import TranslatedGroup, translate_click


class Group(TranslatedGroup):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SiaranError as e:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            report_error(e, ctx.obj.get("redact") if ctx.obj else None)
            sys.exit(1)
        except sqlite3.Error as e:  # the history failed mid-command (disk full, made read-only)
            if not (ctx.obj and "app" in ctx.obj) or ctx.obj.get("debug"):
                raise
            report_error(explain(e, ctx.obj["app"].settings.path("history")), ctx.obj.get("redact"))
            sys.exit(1)


def report_error(e: SiaranError, redact: logs.Redact | None = None) -> None:
    if isinstance(e, ContentErrors):
        lines = [str(p) for p in e.problems]
        click.secho(
            ngettext(
                "{n} problem found; nothing was sent:", "{n} problems found; nothing was sent:", len(lines)
            ).format(n=len(lines)),
            fg="red",
            err=True,
        )
    else:
        lines = [str(e)]
    for line in lines:
        click.echo(
            ("  " if isinstance(e, ContentErrors) else _("Error: ")) + (redact.scrub(line) if redact else line),
            err=True,
        )


@click.group(cls=Group)
@click.option(
    "--project",
    "project",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The project folder (holding content/, schedules/ and siaran.toml).",
)
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.option("-v", "--verbose", is_flag=True, help="Log what siaran does.")
@click.version_option(package_name="siaran")
@click.pass_context
def cli(ctx: click.Context, project: Path, debug: bool, verbose: bool) -> None:
    """siaran: broadcasts for a village office (kantor desa / kelurahan).

    Content files under content/ and schedules/ become WhatsApp broadcasts and Instagram posts,
    with the whole history kept in SQLite. Without any account it writes to the outbox/ folder.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    try:
        app = App.open(project.resolve(), clock_from_env())
    except SiaranError as e:
        if ctx.invoked_subcommand == "run":  # nobody may be watching the console: keep it in the log
            logs.startup_failure(project.resolve() / DEFAULT_LOG, str(e))
        if debug:
            raise
        report_error(e)
        sys.exit(1)
    ctx.obj["app"] = app
    ctx.obj["redact"] = logs.setup(app.settings.secrets(), verbose=verbose)


channel_option = click.option(
    "--channel",
    "channels",
    multiple=True,
    type=click.Choice(["whatsapp", "instagram"]),
    help="Only this channel (repeatable). Default: the post's own channels.",
)


translate_click()  # after the decorators above: their help texts stay msgids, translated when shown


def get_app(ctx: click.Context) -> App:
    return ctx.obj["app"]


def tolerant_app(ctx: click.Context) -> App:
    """The app for a command that must work while a content file is broken (history, report,
    schedule, holidays, optout): broken posts are left out and every problem shown as a warning."""
    app = get_app(ctx)
    app.tolerant = True
    try:
        problems = app.project.problems
    except ContentErrors:
        return app  # the office itself is unreadable: commands that need it report it
    if problems:
        click.secho(f"Peringatan: {len(problems)} masalah di konten (`siaran check` untuk rinciannya):", fg="yellow",
                    err=True)  # fmt: skip
        for p in problems:
            click.secho(f"  {p}", fg="yellow", err=True)
    return app
