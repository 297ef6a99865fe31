"""serve: the webhook listener (delivery statuses, incoming messages) and the operator page."""

from __future__ import annotations

import click

from .. import logs
from ..i18n import _
from ..server import serve as run_server
from ..server import webhook_configured
from .base import cli, get_app


@cli.command()
@click.option("--balas", "--reply", "replies", is_flag=True,
              help="Let the operator page reply to and close WhatsApp conversations (Kotak masuk).")  # fmt: skip
@click.pass_context
def serve(ctx: click.Context, replies: bool) -> None:
    """Receive WhatsApp webhooks (delivery statuses, BERHENTI, the auto-reply menu) and serve the operator page.

    The webhook listener (server.webhook_host:server.webhook_port) is the only port a tunnel may
    expose; the operator page listens on 127.0.0.1:server.page_port. Ctrl-C stops both.
    """
    app = get_app(ctx)
    s = app.settings.server
    logs.setup(app.settings.secrets(), verbose=True, log_file=app.settings.path("daemon", "log_file"))
    if not webhook_configured(app.settings):
        click.secho(
            _(
                "No webhook secret is set (SIARAN_WHATSAPP_APP_SECRET for the Cloud API, "
                "SIARAN_WHATSAPP_WEBHOOK_SECRET for Fonnte/WAHA): every webhook will be refused."
            ),
            fg="yellow",
            err=True,
        )
    click.echo(
        _("Webhooks: {url} (Cloud), /webhook/fonnte, /webhook/waha").format(
            url=f"http://{s.webhook_host}:{s.webhook_port}/webhook/whatsapp"
        )
    )
    click.echo(_("Operator page: {url}  Press Ctrl-C to stop.").format(url=f"http://127.0.0.1:{s.page_port}/"))
    try:
        run_server(app, replies=replies)
    finally:
        logs.setup(app.settings.secrets())
