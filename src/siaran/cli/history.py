"""history: what was sent, to whom, when, and what went wrong."""

from __future__ import annotations

import json
from datetime import datetime, time

import click

from ..errors import ConfigError
from ..history import STATUSES
from ..history.deliveries import query as query_deliveries
from .base import cli, tolerant_app

FIELDS = (
    "post",
    "channel",
    "provider",
    "recipient",
    "list",
    "status",
    "occurrence",
    "created_at",
    "sent_at",
    "delivered_at",
    "read_at",
    "attempts",
    "error",
    "error_code",
    "provider_id",
)


@cli.command("history")
@click.option("--post", help="Only this post.")
@click.option("--status", type=click.Choice(STATUSES), help="Only deliveries in this state.")
@click.option("--since", help="Only deliveries created on or after this date (YYYY-MM-DD, office time).")
@click.option("--channel", type=click.Choice(["whatsapp", "instagram"]), help="Only this channel.")
@click.option("--limit", type=int, help="At most this many rows (the newest).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def history_cmd(
    ctx: click.Context,
    post: str | None,
    status: str | None,
    since: str | None,
    channel: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """Show the delivery history."""
    app = tolerant_app(ctx)
    tz = app.project.office.timezone
    since_dt = None
    if since:
        try:
            since_dt = datetime.combine(datetime.fromisoformat(since).date(), time(0), tzinfo=tz)
        except ValueError:
            raise ConfigError(f"--since {since!r} is not a date like 2026-11-01") from None
    rows = query_deliveries(app.db, post=post, status=status, since=since_dt, channel=channel)
    if limit:
        rows = rows[-limit:]
    if as_json:
        click.echo(json.dumps([{k: r[k] for k in FIELDS} for r in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No deliveries yet.")
        return
    for r in rows:
        when = datetime.fromisoformat(r["sent_at"] or r["created_at"]).astimezone(tz).strftime("%Y-%m-%d %H:%M")
        occ = r["occurrence"] or "manual"
        err = f"  ({r['error']})" if r["error"] else ""
        click.echo(f"{when}  {r['status']:<9} {r['channel']:<9} {r['recipient']:<16} {r['post']}  [{occ}]{err}")
