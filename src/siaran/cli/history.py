"""history: what was sent, to whom, when, and what went wrong."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from datetime import datetime, time
from typing import IO

import click

from ..clock import zone_label
from ..config import rehearsal
from ..errors import ConfigError
from ..history import STATUSES, open_db
from ..history.deliveries import by_occurrence
from ..history.deliveries import query as query_deliveries
from ..history.groups import latest_groups
from ..history.guard import reset
from ..i18n import _
from ..reasons import say
from .backups import backup_cmd, restore_cmd
from .base import cli, get_app, tolerant_app
from .translate import WordChoice

FIELDS = (
    "post",
    "channel",
    "provider",
    "recipient",
    "recipient_name",
    "recipient_columns",
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
@click.option("--status", type=WordChoice(STATUSES), help="Only deliveries in this state.")
@click.option("--since", help="Only deliveries created on or after this date (YYYY-MM-DD, office time).")
@click.option("--channel", type=click.Choice(["whatsapp", "instagram"]), help="Only this channel.")
@click.option("--limit", type=int, help="At most this many rows (the newest).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array (one object per message, times in UTC).")
@click.option("--rows", is_flag=True, help="One line per message (the default with --post).")
@click.pass_context
def history_cmd(
    ctx: click.Context,
    post: str | None,
    status: str | None,
    since: str | None,
    channel: str | None,
    limit: int | None,
    as_json: bool,
    rows: bool,
) -> None:
    """Show the delivery history: one line per post and occurrence, in office time.

    With --post (or --rows): one line per message, with the person's name, list and number.
    `siaran history reset --yes` starts a new history.
    """
    if ctx.invoked_subcommand:
        return
    app = tolerant_app(ctx, read_lists=False)  # content problems are shown as warnings, never fatal here
    tz = app.office.timezone
    since_dt = None
    if since:
        try:
            since_dt = datetime.combine(datetime.fromisoformat(since).date(), time(0), tzinfo=tz)
        except ValueError:
            raise ConfigError(_("--since {value!r} is not a date like 2026-11-01").format(value=since)) from None
    if not as_json and not post and not rows:
        _grouped(app, tz, status, since_dt, channel, limit)
        return
    found = query_deliveries(app.db, post=post, status=status, since=since_dt, channel=channel, limit=limit)
    if as_json:  # streamed: a million rows never sit in memory at once
        write_json((_as_json(r) for r in found), sys.stdout)
        return
    found = list(found)
    if not found:
        _nothing_yet(app)
        return
    label = zone_label(tz)
    for r in found:
        when = _local(r["sent_at"] or r["created_at"], tz)
        occ = r["occurrence"] or _("manual")
        err = f"  ({say(r['error'])})" if r["error"] else ""
        who = r["recipient_name"] or ""  # as the list named them when it was sent
        click.echo(
            f"{when} {label}  {_(r['status']):<11} {r['channel']:<9} {who or '-':<20} {r['list'] or '-':<14} "
            f"{r['recipient']:<16} {r['post']}  [{occ}]{err}"
        )


def _as_json(row: dict) -> dict:
    item = {k: row[k] for k in FIELDS}
    item["recipient_columns"] = json.loads(row["recipient_columns"]) if row["recipient_columns"] else {}
    return item


def _nothing_yet(app) -> None:
    click.echo(_("No deliveries yet."))
    rehearsed = rehearsal(app.settings).path("history")
    if not app.clock.rehearsed and rehearsed.exists():
        click.echo(_("(Rehearsals with SIARAN_NOW are recorded apart, in {name}.)").format(name=rehearsed.name))


def _local(iso: str, tz) -> str:
    return datetime.fromisoformat(iso).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _grouped(app, tz, status, since, channel, limit) -> None:
    if limit and not (status or since or channel):
        groups = latest_groups(app.db, limit)  # reads only the newest groups, whatever the history's size
    else:
        groups = by_occurrence(app.db, status=status, since=since, channel=channel)
        groups = groups[-limit:] if limit else groups
    if not groups:
        _nothing_yet(app)
        return
    label = zone_label(tz)
    for g in groups:
        first, last = _local(g["first_at"], tz), _local(g["last_at"], tz)
        span = first if first == last else f"{first}–{last[-5:] if last[:10] == first[:10] else last}"
        counts = ", ".join(
            f"{_(s)} {g[s]}" for s in ("sent", "delivered", "read", "failed", "uncertain", "skipped", "queued") if g[s]
        )
        occ = g["occurrence"] or _("manual")
        click.echo(f"{span} {label}  {g['post']}  [{occ}]  {g['channel']}: {counts}")


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
        raise click.UsageError(_("add --yes: a new history forgets what was sent (the old file is kept as .bak)"))
    app = get_app(ctx)
    path = app.settings.path("history")
    moved = reset(path, app.local_now())
    open_db(path).conn.close()
    if moved:
        click.echo(
            _("A new history starts in {name}; the old one is kept as {old}.").format(name=path.name, old=moved.name)
        )
    else:
        click.echo(_("A new history starts in {name}.").format(name=path.name))


history_cmd.add_command(backup_cmd)
history_cmd.add_command(restore_cmd)
