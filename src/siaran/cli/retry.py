"""retry: send again what was uncertain or failed, on the operator's word."""

from __future__ import annotations

import click

from ..delivery.resend import retry
from ..i18n import _
from .base import cli, get_app
from .send import exit_code, print_summary, progress_bar


@cli.command("retry")
@click.option(
    "--uncertain", "status", flag_value="uncertain", help="Messages whose fate is unknown (may have arrived)."
)
@click.option("--failed", "status", flag_value="failed", help="Messages that failed (e.g. network down, gave up).")
@click.option("--post", help="Only this post.")
@click.pass_context
def retry_cmd(ctx: click.Context, status: str | None, post: str | None) -> None:
    """Send again WhatsApp messages that are uncertain or failed.

    Uncertain messages may already have arrived: check with a few recipients first — whoever got
    it will get it twice. Never done automatically.
    """
    if status is None:
        raise click.UsageError(_("say what to send again: --uncertain or --failed"))
    app = get_app(ctx)
    with progress_bar() as progress:
        summaries = retry(app, status, post=post, progress=progress)
    if not summaries:
        msg = _("No uncertain WhatsApp messages") if status == "uncertain" else _("No failed WhatsApp messages")
        click.echo(msg + (_(" for {post}.").format(post=post) if post else "."))
    for summary in summaries:
        print_summary(summary)
    ctx.exit(exit_code(summaries))
