"""run, service: the daemon in the foreground, and how to start it with the computer."""

from __future__ import annotations

from pathlib import Path

import click

from .. import logs
from ..daemon import Daemon, project_lock, run_once
from ..delivery.occurrences import Result
from ..errors import ConfigError
from ..i18n import _, say
from ..server import start_in_thread, webhook_configured
from ..service import KINDS, render
from .base import cli, get_app


def print_results(results: list[Result]) -> None:
    if not results:
        click.echo(_("Nothing due."))
        return
    colours = {"done": "green", "failed": "red", "skipped": "yellow", "running": "yellow"}
    for r in results:
        again = _(" (resumed)") if r.resumed else ""
        click.secho(f"{r.status:<8} {r.occurrence}  {r.post}{again}", fg=colours.get(r.status))
        if r.reason:
            click.echo(f"         {say(r.reason)}")


@cli.command()
@click.option("--once", is_flag=True, help="Process everything due now (catch-up included), then exit.")
@click.pass_context
def run(ctx: click.Context, once: bool) -> None:
    """Run the schedules: send each occurrence on time, once.

    Without --once it stays in the foreground (Ctrl-C stops it after the message in flight).
    One daemon per project folder; logs go to the daemon.log_file setting.
    """
    app = get_app(ctx)
    log_file = app.settings.path("daemon", "log_file")
    verbose = not once or ctx.find_root().params.get("verbose", False)
    logs.setup(app.settings.secrets(), verbose=verbose, log_file=log_file)
    try:
        with project_lock(app.settings):
            daemon = Daemon(app.root, app.settings, app.clock)
            if once:
                results = run_once(daemon)
                print_results(results)
                if any(r.status == "failed" for r in results):
                    ctx.exit(1)
                return
            project = app.project  # refuse to start on invalid content: the operator is watching now
            click.echo(
                _("siaran is running for {office} ({zone}); log: {log}. Press Ctrl-C to stop.").format(
                    office=project.office.name, zone=project.office.tz_label, log=log_file
                )
            )
            server = None
            if webhook_configured(app.settings):
                try:
                    server = start_in_thread(app)
                except ConfigError as e:  # e.g. `siaran serve` already listens: broadcasts go on regardless
                    click.secho(_("Webhooks not started here: {reason}").format(reason=e), fg="yellow", err=True)
            if server is not None:
                s = app.settings.server
                click.echo(f"Webhooks on http://{s.webhook_host}:{server.ports['webhook']}/webhook/...")
            try:
                daemon.serve()
            finally:
                if server is not None:
                    server.stop.set()
                    if server.thread is not None:
                        server.thread.join(10)
    finally:
        logs.setup(app.settings.secrets())  # closes the log file


@cli.group()
def service() -> None:
    """Start `siaran run` with the computer (Windows Task Scheduler, systemd)."""


@service.command("print")
@click.argument("kind", type=click.Choice(KINDS))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead (Windows: UTF-16, as `schtasks /Create /XML` expects).",
)
@click.pass_context
def service_print(ctx: click.Context, kind: str, out: Path | None) -> None:
    """Print a Task Scheduler task (windows) or a systemd user unit (systemd) for this project."""
    text = render(kind, get_app(ctx).root)
    if out is None:
        click.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-16" if kind == "windows" else "utf-8")
    click.echo(_("Written to {path}").format(path=out))
