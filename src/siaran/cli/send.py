"""send: put one post out now."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..delivery.deliver import deliver, invalid_rows
from ..delivery.summary import CLAIMED, EXIT_ERROR, EXIT_INCOMPLETE, Summary
from ..delivery.summary import Progress as OnProgress
from ..i18n import _, ngettext
from ..reasons import Reason, reason, say
from .base import channel_option, cli, get_app


@contextlib.contextmanager
def progress_bar(label: str = "") -> Iterator[OnProgress | None]:
    """A live bar while a broadcast runs, only when a person watches (stdout is a terminal)."""
    if not sys.stdout.isatty():
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(), transient=True) as bar:
        task = bar.add_task(label or _("Sending"), total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def print_reached(s: Summary) -> None:
    """A manual send left out whoever got the post today: say so, and how to send it anyway."""
    if not s.reached:
        return
    n = sum(s.reached.values())
    click.secho(
        ngettext(
            "{n} person already got {post} today; not sent again:",
            "{n} people already got {post} today; not sent again:",
            n,
        ).format(n=n, post=s.post),
        fg="yellow",
    )
    for why, count in s.reached.most_common():
        click.secho(f"  {say(why)} ({count})", fg="yellow")
    click.secho("  " + _("To send it to them once more today, add --again (--lagi)."), fg="yellow")


def print_merged(s: Summary) -> None:
    """Why a dry run counts fewer people than the lists have rows (`check` names the rows)."""
    if s.merged:
        click.echo(
            "  "
            + ngettext(
                "{n} row of the lists has a number another row has too: one message per number,"
                " greeted by every name (`siaran check` names the rows; docs/reference/lists.md).",
                "{n} rows of the lists have a number another row has too: one message per number,"
                " greeted by every name (`siaran check` names the rows; docs/reference/lists.md).",
                s.merged,
            ).format(n=s.merged)
        )


def print_summary(s: Summary, shown: frozenset[str] = frozenset()) -> None:
    """``shown``: warnings already printed before sending (not repeated at the end)."""
    print_reached(s)
    if s.reached and not s.planned - sum(s.reached.values()):
        return  # nobody else to send to: the lines above said it all
    if s.dry_run:
        click.echo(
            _(
                "Dry run for {post}: {queued} would be sent, {already} already done earlier, {skipped} skipped."
                " Nothing sent."
            ).format(
                post=s.post, queued=s.left_queued, already=sum(s.already.values()), skipped=sum(s.skipped.values())
            )
        )
        print_merged(s)
        return
    if s.nothing_new and not s.left_queued:
        click.secho(
            _("Nothing new to send for {post}: all {n} deliveries were already done ({counts}).").format(
                post=s.post, n=s.planned, counts=_counts(s.already)
            ),
            fg="yellow",
        )
        return
    earlier = f" ({_counts(s.already)})" if s.already else ""
    click.echo(
        _(
            "{post}: sent {sent}, failed {failed}, uncertain {uncertain}, skipped {skipped},"
            " already done earlier {already}"
        ).format(
            post=s.post,
            sent=s.sent,
            failed=sum(s.failed.values()),
            uncertain=s.uncertain,
            skipped=sum(s.skipped.values()),
            already=sum(s.already.values()),
        )
        + earlier
        + "."
    )
    if s.recovered:
        click.secho(
            "  "
            + _(
                "{n} message(s) were in flight when siaran last stopped: marked uncertain, not resent. "
                "Check, then `siaran retry --uncertain`."
            ).format(n=s.recovered),
            fg="yellow",
        )
    for why, n in s.failed.most_common():
        click.secho("  " + _("failed ({n}): {reason}").format(n=n, reason=say(why)), fg="red")
    for why, n in s.skipped.most_common():
        click.echo("  " + _("skipped ({n}): {reason}").format(n=n, reason=say(why)))
    if s.uncertain:
        click.secho(
            "  " + _("{n} may or may not have arrived; check, then `siaran retry --uncertain`.").format(n=s.uncertain),
            fg="yellow",
        )
    if claimed := s.already[CLAIMED]:
        click.secho(
            "  "
            + ngettext(
                "{n} message is being sent by another siaran process; it is not sent twice.",
                "{n} messages are being sent by another siaran process; none is sent twice.",
                claimed,
            ).format(n=claimed),
            fg="yellow",
        )
    if s.left_queued:
        click.secho(
            "  " + _("{n} still queued: run the same command again to continue.").format(n=s.left_queued), fg="yellow"
        )
    for w in s.warnings:
        if w not in shown:
            problem = say(w) if isinstance(w, Reason) else w
            click.secho("  " + _("warning: {problem}").format(problem=problem), fg="yellow")
    if s.stopped:
        click.secho("  " + _("Stopped: {reason}").format(reason=say(s.stopped)), fg="red")


def _counts(counter) -> str:
    words = {CLAIMED: say(reason("delivery.claimed_elsewhere"))}
    return ", ".join(f"{n} {words.get(status) or _(status)}" for status, n in counter.most_common()) or _("none")


@cli.command()
@click.argument("name")
@click.option("--now", is_flag=True, help="Send now (required, so nothing goes out by accident).")
@click.option(
    "--list",
    "lists",
    multiple=True,
    help="Send to this list (file stem under content/lists/); repeatable. Default: the post's own lists.",
)
@channel_option
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send nothing, change no history.")
@click.option(
    "--again",
    "--lagi",
    "again",
    is_flag=True,
    help="Also send to whoever already got this post today (once more; a second --again that day sends nothing).",
)
@click.pass_context
def send(
    ctx: click.Context,
    name: str,
    now: bool,
    lists: tuple[str, ...],
    channels: tuple[str, ...],
    dry_run: bool,
    again: bool,
) -> None:
    """Send post NAME now to its lists and channels. Running it again sends nothing twice; whoever
    already got the post today (by hand or by a schedule) is left out unless you add --again."""
    if not now and not dry_run:
        raise click.UsageError(_("add --now to send immediately (or --dry-run to look first)"))
    app = get_app(ctx)
    project = app.project
    post = project.post(name)
    for w in project.warnings:
        if not str(w.path).startswith("content/lists/"):  # list rows are reported per send, below
            click.secho(_("warning: {problem}").format(problem=w), fg="yellow", err=True)
    rows = invalid_rows(app, post, channels or None, lists or None)
    for w in rows:  # shown before anything is sent
        click.secho(_("warning: {problem}").format(problem=w), fg="yellow", err=True)
    with progress_bar() as progress:
        summary = deliver(
            app, post, channels=channels or None, lists=lists or None, dry_run=dry_run, progress=progress, again=again
        )
    print_summary(summary, frozenset(rows))
    ctx.exit(exit_code([summary]))


def exit_code(summaries: list[Summary]) -> int:
    if any(s.stopped for s in summaries):
        return EXIT_ERROR
    return EXIT_INCOMPLETE if any(s.incomplete for s in summaries) else 0
