"""whatsapp: the Cloud API account (its approved templates)."""

from __future__ import annotations

import click
import httpx

from ..channels import whatsapp_templates
from ..delivery import eventloop
from ..delivery.http import account_client
from ..delivery.window import wanted_templates
from ..errors import ContentErrors, DeliveryError
from ..i18n import _
from ..reasons import say, text
from .base import cli, get_app


@cli.group("whatsapp")
def whatsapp_group() -> None:
    """The WhatsApp Cloud API account: its message templates."""


@whatsapp_group.command("templates")
@click.pass_context
def templates_cmd(ctx: click.Context) -> None:
    """List the account's message templates: name, language, status, category, body parameters."""
    app = get_app(ctx)
    found = _account_templates(app.settings)
    if not found:
        click.echo(_("The account has no message templates."))
    for t in sorted(found, key=lambda t: (t.name, t.language)):
        colour = "green" if t.status == "APPROVED" else "yellow"
        click.secho(f"{t.name:<32} {t.language:<6} {t.status:<9} {t.category:<14} "
                    + _("{n} parameter(s)").format(n=t.body_parameters),
                    fg=colour)  # fmt: skip


def check_account_templates(app) -> None:
    """`siaran check` on the Cloud API with whatsapp.waba_id set: the templates posts name, against the account."""
    wa = app.settings.whatsapp
    wanted = wanted_templates(app.project, app.settings)
    if wa.provider != "cloud" or not wanted:
        return
    if not wa.waba_id or not wa.token:
        click.secho(_("warning: templates not checked against the account: set whatsapp.waba_id and "
                      "SIARAN_WHATSAPP_TOKEN"), fg="yellow", err=True)  # fmt: skip
        return
    try:
        known = _account_templates(app.settings)
    except (httpx.HTTPError, DeliveryError) as e:
        reason = e.reason if isinstance(e, DeliveryError) else text(type(e).__name__)
        click.secho(_("warning: could not read the account's templates ({reason}); not checked").format(
            reason=say(reason)), fg="yellow", err=True)  # fmt: skip
        return
    problems = whatsapp_templates.verify(wanted, known)
    if problems:
        raise ContentErrors(problems)
    click.echo(_("Templates: {n} checked against the WhatsApp account, all APPROVED.").format(
        n=len({w[2] for w in wanted})))  # fmt: skip


def _account_templates(settings) -> list[whatsapp_templates.AccountTemplate]:
    async def fetch() -> list[whatsapp_templates.AccountTemplate]:
        async with account_client(settings) as http:
            return await whatsapp_templates.fetch(settings, http)

    return eventloop.run(fetch())
