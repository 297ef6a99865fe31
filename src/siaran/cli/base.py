"""The `siaran` command group and the one place errors become operator messages."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import click

from ..errors import ContentErrors, DeliveryError, SiaranError
from ..i18n import _, ngettext
from ..reasons import say
from .translate import TranslatedGroup, opening, translate_click

if TYPE_CHECKING:
    from .. import logs
    from ..app import App

# Every command: the module of siaran.cli that defines it, and its one-line help (what `siaran
# --help` shows without importing it; tests/test_docs.py checks it matches the command's own).
# A command's module is imported only when that command runs, so `siaran history` never loads
# Pillow, APScheduler or httpx.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("content:check", "Validate every content, list, template, calendar and schedule file."),
    "init": ("init:init_cmd", "Create a starter project in FOLDER (default: here): an office, one post of each kind, a "
             "list, schedules, a calendar and .env.example, ready for `siaran check`."),
    "status": ("daemon:status", "Health at a glance: is the daemon alive, its last and next pass, problems, recent "
               "failures."),
    "templates": ("content:templates_cmd", "Every variable a template or a post body can use, with an example from "
                  "this project."),
    "history": ("history:history_cmd", "Show the delivery history: one line per post and occurrence, in office time."),
    "holidays": ("calendar:holidays", "The year's holidays (default: this year): date, name, kind, and the "
                 "greeting that goes out."),
    "inbox": ("inbox:inbox_group", "The office's WhatsApp inbox: conversations waiting for a person; reply, close, "
              "export."),
    "instagram": ("instagram:instagram", "Instagram queue: see it, publish it, reconcile it with the profile."),
    "list": ("content:list_posts", "Every post, one per line: name, kind, channels, lists, title."),
    "optout": ("optout:optout_group", "Numbers that never get broadcasts (people who asked to stop)."),
    "preview": ("content:preview", "Show exactly what each channel would get for post NAME, without sending."),
    "report": ("report:report_cmd", "Posts per week on WhatsApp and Instagram, failures, and followers; weeks "
               "with no Instagram post are flagged."),
    "retry": ("retry:retry_cmd", "Send again WhatsApp messages that are uncertain or failed."),
    "run": ("daemon:run", "Run the schedules: send each occurrence on time, once."),
    "schedule": ("calendar:schedule", "Upcoming occurrences: local date-time, schedule, post, channels and lists."),
    "send": ("send:send", "Send post NAME now to its lists and channels."),
    "serve": ("serve:serve", "Receive WhatsApp webhooks (delivery statuses, BERHENTI, the auto-reply menu) and "
              "serve the operator page."),
    "service": ("daemon:service", "Start `siaran run` with the computer (Windows Task Scheduler, systemd)."),
    "whatsapp": ("whatsapp:whatsapp_group", "The WhatsApp Cloud API account: its message templates."),
}  # fmt: skip


class Group(TranslatedGroup):
    """The root group: subcommands are imported on first use (click's "lazy group" pattern).
    Subgroups are of this class too (their help is translated) but list only their own commands."""

    lazy: ClassVar[dict[str, tuple[str, str]]] = {}  # the root's is COMMANDS

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in self.lazy:
            module, _, attr = self.lazy[name][0].partition(":")
            # Importing the module registers its commands on ``cli`` (``@cli.command``).
            self.commands.setdefault(name, getattr(importlib.import_module(f"{__package__}.{module}"), attr))
        return self.commands.get(name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names), default=0)
        rows = []
        for name in names:
            # A command not imported yet is shown through a stand-in carrying its help text.
            cmd = self.commands.get(name) or self.command_class(name, help=opening(self.lazy[name][1]))
            if not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit)))
        if rows:
            with formatter.section(_("Commands")):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        try:
            done = super().invoke(ctx)
            if ctx.obj and "app" in ctx.obj:
                ctx.obj["app"].finish()
            return done
        except SiaranError as e:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            report_error(e, ctx.obj.get("redact") if ctx.obj else None)
            sys.exit(1)
        except Exception as e:
            if not _history_fault(e) or not (ctx.obj and "app" in ctx.obj) or ctx.obj.get("debug"):
                raise
            from ..history.safety import explain

            report_error(explain(e, ctx.obj["app"].settings.path("history")), ctx.obj.get("redact"))
            sys.exit(1)


def _history_fault(e: Exception) -> bool:
    """The history failed mid-command (disk full, made read-only): a sqlite3 error, which only a
    command that loaded sqlite3 can meet (`check` without a history never does)."""
    sqlite3 = sys.modules.get("sqlite3")
    return sqlite3 is not None and isinstance(e, sqlite3.Error)


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
    elif isinstance(e, DeliveryError):
        lines = [say(e.reason)]
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
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _param, value: show_version(ctx) if value else None,
    help="Show the version and exit.",
)
@click.pass_context
def cli(ctx: click.Context, project: Path, debug: bool, verbose: bool) -> None:
    """siaran: broadcasts for a village office (kantor desa / kelurahan).

    Content files under content/ and schedules/ become WhatsApp broadcasts and Instagram posts,
    with the whole history kept in SQLite. Without any account it writes to the outbox/ folder.
    """
    from .. import logs
    from ..app import App
    from ..clock import clock_from_env
    from ..config import DEFAULT_LOG

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


cli.lazy = COMMANDS


def show_version(ctx: click.Context) -> None:
    from importlib.metadata import version

    click.echo(_("siaran version {version}").format(version=version("siaran")))
    ctx.exit()


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


def tolerant_app(ctx: click.Context, *, read_lists: bool = True) -> App:
    """The app for a command that must work while a content file is broken (history, report,
    schedule, holidays, optout): broken posts are left out and every problem shown as a warning.
    ``read_lists`` False: the lists are known by name only, never opened (history, report)."""
    app = get_app(ctx)
    app.tolerant = True
    app.read_lists = read_lists
    try:
        problems = app.content_warnings()
    except ContentErrors:
        return app  # the office itself is unreadable: commands that need it report it
    if problems:
        click.secho(
            ngettext(
                "Warning: {n} problem in the content (`siaran check` shows the details):",
                "Warning: {n} problems in the content (`siaran check` shows the details):",
                len(problems),
            ).format(n=len(problems)),
            fg="yellow",
            err=True,
        )
        for p in problems:
            click.secho(f"  {p}", fg="yellow", err=True)
    return app
