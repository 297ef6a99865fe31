"""send: put one post out now."""

from __future__ import annotations

import click

from ..send import Summary, deliver
from .base import cli, get_app


def print_summary(s: Summary) -> None:
    if s.dry_run:
        click.echo(
            f"Dry run for {s.post}: {s.left_queued} would be sent, "
            f"{sum(s.already.values())} already done earlier, {sum(s.skipped.values())} skipped. Nothing sent."
        )
        return
    if s.nothing_new and not s.left_queued:
        click.secho(
            f"Nothing new to send for {s.post}: all {s.planned} deliveries were already done ({_counts(s.already)}).",
            fg="yellow",
        )
        return
    click.echo(
        f"{s.post}: sent {s.sent}, failed {sum(s.failed.values())}, uncertain {s.uncertain}, "
        f"skipped {sum(s.skipped.values())}, already done earlier {sum(s.already.values())}."
    )
    for reason, n in s.failed.most_common():
        click.secho(f"  failed ({n}): {reason}", fg="red")
    for reason, n in s.skipped.most_common():
        click.echo(f"  skipped ({n}): {reason}")
    if s.uncertain:
        click.secho(
            f"  {s.uncertain} may or may not have arrived; check, then `siaran retry --uncertain`.", fg="yellow"
        )
    if s.left_queued:
        click.secho(f"  {s.left_queued} still queued: run the same command again to continue.", fg="yellow")
    for w in s.warnings:
        click.secho(f"  warning: {w}", fg="yellow")
    if s.stopped:
        click.secho(f"  Stopped: {s.stopped}", fg="red")


def _counts(counter) -> str:
    return ", ".join(f"{n} {status}" for status, n in counter.most_common()) or "none"


@cli.command()
@click.argument("name")
@click.option("--now", is_flag=True, help="Send now (required, so nothing goes out by accident).")
@click.option(
    "--list",
    "lists",
    multiple=True,
    help="Send to this list (file stem under content/lists/); repeatable. Default: the post's own lists.",
)
@click.option(
    "--channel",
    "channels",
    multiple=True,
    type=click.Choice(["whatsapp", "instagram"]),
    help="Only this channel (repeatable). Default: the post's own channels.",
)
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send nothing, change no history.")
@click.pass_context
def send(
    ctx: click.Context, name: str, now: bool, lists: tuple[str, ...], channels: tuple[str, ...], dry_run: bool
) -> None:
    """Send post NAME now to its lists and channels. Running it again sends nothing twice."""
    if not now and not dry_run:
        raise click.UsageError("add --now to send immediately (or --dry-run to look first)")
    app = get_app(ctx)
    project = app.project
    post = project.post(name)
    for w in project.warnings:
        click.secho(f"warning: {w}", fg="yellow", err=True)
    summary = deliver(app, post, channels=channels or None, lists=lists or None, dry_run=dry_run)
    print_summary(summary)
    if summary.stopped:
        ctx.exit(1)
