"""run, status, service: the daemon in the foreground, its health, and starting it with the computer."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

import click

from .. import logs
from ..app import App
from ..daemon import MAX_SLEEP, Daemon, project_lock, run_once
from ..delivery.occurrences import Result
from ..delivery.summary import EXIT_INCOMPLETE
from ..errors import ConfigError, ContentErrors, SiaranError
from ..history import alive, conversations
from ..history.alerts import failures_since, heartbeat
from ..history.alerts import since as alerts_since
from ..history.occurrences import held as held_occurrences
from ..history.safety import daily_backups, newest_backup
from ..i18n import _
from ..reasons import say
from ..server import start_in_thread, webhook_configured
from ..service import KINDS, render
from .backups import size_text
from .base import cli, get_app, tolerant_app

log = logging.getLogger(__name__)
STALE = max(2 * MAX_SLEEP, timedelta(minutes=15)) + timedelta(minutes=1)


def print_results(results: list[Result], stamp: str = "") -> None:
    """One line per occurrence of a pass (``stamp``: the office time the daemon prints before it)."""
    if not results:
        click.echo(_("Nothing due."))
        return
    colours = {"done": "green", "failed": "red", "skipped": "yellow", "running": "yellow", "held": "red"}
    lead = f"{stamp}  " if stamp else ""
    pad = " " * (len(lead) + 9)
    for r in results:
        again = _(" (resumed)") if r.resumed else ""
        click.secho(f"{lead}{_(r.status):<8} {r.occurrence}  {r.post}{again}", fg=colours.get(r.status, "cyan"))
        if r.until:
            when = f"{r.until:%Y-%m-%d %H:%M}"
            click.echo(pad + _("a late send waits for office hours: it goes out at {when}").format(when=when))
        elif r.reason:
            click.echo(f"{pad}{say(r.reason)}")


def _office_clock(app: App):
    """The time in the office's zone (the host's, while office.yaml cannot be read), as the console shows it."""
    try:
        tz = app.project.office.timezone
    except SiaranError:
        tz = None
    return lambda: f"{app.now().astimezone(tz):%H:%M}"


@cli.command()
@click.option("--once", is_flag=True, help="Process everything due now (catch-up included), then exit.")
@click.pass_context
def run(ctx: click.Context, once: bool) -> None:
    """Run the schedules: send each occurrence on time, once.

    Without --once it stays in the foreground (Ctrl-C stops it after the message in flight).
    One daemon per project folder; logs go to the daemon.log_file setting.
    """
    app = get_app(ctx)
    app.tolerant = True
    log_file = app.settings.path("daemon", "log_file")
    verbose = ctx.find_root().params.get("verbose", False)  # -v: the English log on the console too
    logs.setup(app.settings.secrets(), verbose=verbose, log_file=log_file, console=verbose)
    try:
        with project_lock(app.settings):
            daemon = Daemon(app.root, app.settings, app.clock)
            stamp = _office_clock(app)
            daemon.tell = lambda text: click.echo(f"{stamp()}  {text}")
            if once:
                results = run_once(daemon)
                print_results(results)
                if any(r.status in INCOMPLETE for r in results):
                    ctx.exit(EXIT_INCOMPLETE)
                return
            _announce(app, log_file)
            daemon.on_pass = lambda results: print_results(results, stamp()) if results else None
            server = None
            if webhook_configured(app.settings):
                try:
                    server = start_in_thread(app)
                except ConfigError as e:  # e.g. `siaran serve` already listens: broadcasts go on regardless
                    click.secho(_("Webhooks not started here: {reason}").format(reason=e), fg="yellow", err=True)
            if server is not None:
                s = app.settings.server
                click.echo(
                    _("Webhooks on {url}").format(url=f"http://{s.webhook_host}:{server.ports['webhook']}/webhook/...")
                )
            try:
                daemon.serve()
            finally:
                if server is not None:
                    server.stop.set()
                    if server.thread is not None:
                        server.thread.join(10)
            click.echo(f"{stamp()}  " + _("siaran stopped; what was not sent yet stays queued for the next start."))
    except SiaranError as e:
        log.error("siaran run stopped: %s", e)  # the log file is where an unwatched PC is looked at
        raise
    finally:
        logs.setup(app.settings.secrets())  # closes the log file


INCOMPLETE = ("failed", "held", "running")


def _announce(app: App, log_file: Path) -> None:
    """Start even with problems in the content (only what needs a broken file is held back);
    refuse only when this is not a project at all."""
    if not (app.root / "content").is_dir():
        app.project  # noqa: B018 - raises the "not a siaran project" error
    try:
        project = app.project
    except ContentErrors as e:
        log.error("the office file has problems; each pass tries again:\n%s", e)
        click.secho(_("siaran is running, but content/office.yaml has problems: nothing is sent yet."), fg="red")
        return
    for p in project.problems:
        click.secho(_("Warning: {problem}").format(problem=p), fg="yellow", err=True)
    click.echo(
        _("siaran is running for {office} ({zone}); log: {log}. Press Ctrl-C to stop.").format(
            office=project.office.name, zone=project.office.tz_label, log=log_file
        )
    )


@cli.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """Health at a glance: is the daemon alive, its last and next pass, problems, recent failures.

    Exits 0 when all is well (a new project that has sent nothing yet included), 2 when something
    needs the operator, 1 when the project cannot be read.
    """
    app = tolerant_app(ctx)
    tz = app.project.office.timezone
    zone = app.project.office.tz_label
    now = app.now()

    def local(stamp: str | datetime) -> str:
        when = datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp
        return f"{when.astimezone(tz):%Y-%m-%d %H:%M} {zone}"

    worry = _daemon_line(app, now, local)
    held = held_occurrences(app.db)
    worry |= bool(held or app.project.problems)
    click.echo(
        _("Content problems: {n}").format(n=len(app.project.problems))
        + (_(" (see above)") if app.project.problems else "")
    )
    click.echo(_("Held: {n}").format(n=len(held)))
    for row in held:
        click.secho(f"  {row['slot']}  {row['post']}: {say(row['reason'])}", fg="red")
    failures = failures_since(app.db, now - timedelta(days=7))
    worry |= bool(failures)
    total = sum(f["n"] for f in failures)
    click.echo(_("Failed or uncertain, last 7 days: {n}").format(n=total))
    for f in failures:
        click.secho(f"  {f['n']:>5} {_(f['status']):<11} {f['post']}", fg="yellow")
    waiting, oldest = conversations.waiting(app.db)
    worry |= bool(waiting)
    click.echo(_("Inbox: {n} conversation(s) waiting for an answer").format(n=waiting)
               + (_(", the oldest since {when} (`siaran inbox`)").format(
                   when=f"{local(oldest['waiting_since'])} {app.project.office.tz_label}")
                  if oldest else ""))  # fmt: skip
    sent_today = alerts_since(app.db, now - timedelta(days=1))
    click.echo(_("Alerts to the operator, last 24 hours: {n}").format(n=len(sent_today)))
    _backup_line(app)
    if worry:
        ctx.exit(EXIT_INCOMPLETE)


def _backup_line(app: App) -> None:
    """The newest backup of the history and its size (the daemon takes one a day when idle)."""
    last = newest_backup(app.settings.path("history"))
    if last is None:
        click.echo(_("Last backup: none yet (the daemon makes one a day; `siaran history backup` now)."))
        return
    all_of_them = sum(p.stat().st_size for p in daily_backups(app.settings.path("history")))
    click.echo(
        _("Last backup: {name}, {size} (all backups: {total}).").format(
            name=last.name, size=size_text(last.stat().st_size), total=size_text(all_of_them)
        )
    )


def _daemon_line(app: App, now: datetime, local) -> bool:
    """What runs the schedules, told as it is: a daemon alive now, a one-off pass (`run --once`),
    a daemon that stopped, or nothing yet. Returns whether the operator should worry."""
    daemon, once = heartbeat(app.db, "daemon"), heartbeat(app.db, "once")
    if daemon and alive(daemon["worker"]) and now - datetime.fromisoformat(daemon["last_pass"]) <= STALE:
        following = datetime.fromisoformat(daemon["next_pass"]) if daemon["next_pass"] else None
        click.secho(
            _("Daemon: running since {started}. Last pass {last} ({summary}); next {next}.").format(
                started=local(daemon["started_at"]),
                last=local(daemon["last_pass"]),
                summary=say(daemon["summary"]),
                next=local(following) if following and following > now else _("now"),
            ),
            fg="green",
        )
        return False
    latest = max((b for b in (daemon, once) if b), key=lambda b: b["last_pass"], default=None)
    if latest is None:
        click.echo(
            _(
                "Daemon: not started yet. Schedules are sent by `siaran run` (it keeps running); `siaran service "
                "print windows` starts it with the computer. Manual sends (`siaran send`) work without it."
            )
        )
        return False
    stale = now - datetime.fromisoformat(latest["last_pass"]) > STALE
    if latest is once:
        click.secho(
            _("Daemon: not running. One-off pass (`siaran run --once`) at {last} ({summary}).").format(
                last=local(once["last_pass"]), summary=say(once["summary"])
            ),
            fg="red" if stale else "green",
        )
    else:
        click.secho(
            _("Daemon: NOT running; it stopped after its last pass at {last} ({summary}).").format(
                last=local(daemon["last_pass"]), summary=say(daemon["summary"])
            ),
            fg="red",
        )
    if stale or latest is daemon:
        click.secho(_("Nothing is running the schedules: start `siaran run`."), fg="red")
    return stale or latest is daemon


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
