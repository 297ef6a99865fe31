"""history: what was sent, to whom, when, and what went wrong."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from datetime import datetime, time
from typing import IO

import click

from ..config import rehearsal
from ..errors import ConfigError
from ..history import STATUSES, open_db
from ..history.deliveries import query as query_deliveries
from ..history.guard import reset
from .base import cli, get_app, tolerant_app

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


@cli.group("history", invoke_without_command=True)
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
    """Show the delivery history (`siaran history reset --yes` starts a new one)."""
    if ctx.invoked_subcommand:
        return
    app = tolerant_app(ctx)  # content problems are shown as warnings, never fatal here
    tz = app.office.timezone
    since_dt = None
    if since:
        try:
            since_dt = datetime.combine(datetime.fromisoformat(since).date(), time(0), tzinfo=tz)
        except ValueError:
            raise ConfigError(f"--since {since!r} is not a date like 2026-11-01") from None
    rows = query_deliveries(app.db, post=post, status=status, since=since_dt, channel=channel, limit=limit)
    if as_json:
        write_json(({k: r[k] for k in FIELDS} for r in rows), sys.stdout)
        return
    empty = True
    for r in rows:
        empty = False
        when = datetime.fromisoformat(r["sent_at"] or r["created_at"]).astimezone(tz).strftime("%Y-%m-%d %H:%M")
        occ = r["occurrence"] or "manual"
        err = f"  ({r['error']})" if r["error"] else ""
        click.echo(f"{when}  {r['status']:<9} {r['channel']:<9} {r['recipient']:<16} {r['post']}  [{occ}]{err}")
    if empty:
        click.echo("No deliveries yet.")
        rehearsed = rehearsal(app.settings).path("history")
        if not app.clock.rehearsed and rehearsed.exists():
            click.echo(f"(Latihan dengan SIARAN_NOW tercatat terpisah di {rehearsed.name}.)")


def write_json(items: Iterable[dict], out: IO[str]) -> None:
    """A JSON array written item by item as the rows come (the same text as ``json.dumps(list,
    indent=2)``), so a million rows never sit in memory at once."""
    first = True
    for item in items:
        out.write("[\n  " if first else ",\n  ")
        out.write(json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  "))
        first = False
    out.write("[]\n" if first else "\n]\n")


@history_cmd.command("reset")
@click.option("--yes", is_flag=True, help="Really start over (required).")
@click.pass_context
def reset_cmd(ctx: click.Context, yes: bool) -> None:
    """Start a new, empty history on purpose. The old file is kept beside it as a .bak.

    Deliveries and occurrences it recorded are forgotten: scheduled posts may go out again.
    """
    if not yes:
        raise click.UsageError("add --yes: a new history forgets what was sent (the old file is kept as .bak)")
    app = get_app(ctx)
    path = app.settings.path("history")
    moved = reset(path, app.local_now())
    open_db(path).conn.close()
    if moved:
        click.echo(f"Riwayat baru dimulai di {path.name}; yang lama disimpan sebagai {moved.name}.")
    else:
        click.echo(f"Riwayat baru dimulai di {path.name}.")
