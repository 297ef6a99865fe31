"""inbox: the office's WhatsApp conversations that wait for a person; reply, close, export."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from ..history.safety import create_private
from ..i18n import _
from ..inbox import chats
from ..reasons import say
from .base import cli, tolerant_app

STATE_COLOURS = {"baru": "yellow", "dibalas": "green", "selesai": None}


@cli.group("inbox", invoke_without_command=True)
@click.option("--all", "--semua", "everything", is_flag=True, help="Show closed conversations too.")
@click.pass_context
def inbox_group(ctx: click.Context, everything: bool) -> None:
    """The office's WhatsApp inbox: conversations waiting for a person; reply, close, export.

    Without a subcommand: one line per person (state, name, number, time in office time, whether it
    came outside office hours) and their last message.
    """
    if ctx.invoked_subcommand is not None:
        return
    app = tolerant_app(ctx)
    found = chats.chats(app, everything)
    if not found:
        click.echo(_("Nobody is waiting for an answer.") if not everything else _("No conversations yet."))
        return
    zone = chats.zone(app)
    from ..clock import zone_label

    waiting = sum(1 for c in found if c.state == "baru")
    click.secho(_("{n} conversation(s) waiting for an answer.").format(n=waiting), bold=True)
    for c in found:
        when = f"{c.at:%Y-%m-%d %H:%M} {zone_label(zone)}" if c.at else "-"
        marks = [_("outside office hours")] if c.out_of_hours and c.state == "baru" else []
        if c.waiting > 1:
            marks.append(_("{n} messages").format(n=c.waiting))
        marks += [f"{t['id']} ({t['category']})" for t in c.open_tickets]
        click.secho(
            f"{c.state_label.upper():<8} {c.name or '-':<22} {c.phone or c.contact:<16} {when}"
            + (f"  [{'; '.join(marks)}]" if marks else ""),
            fg=STATE_COLOURS.get(c.state),
        )
        if c.last_text:
            click.echo(f"         “{c.last_text[:100]}{'…' if len(c.last_text) > 100 else ''}”")


@inbox_group.command("reply")
@click.argument("number")
@click.argument("text", nargs=-1, required=True)
@click.pass_context
def reply_cmd(ctx: click.Context, number: str, text: tuple[str, ...]) -> None:
    """Reply TEXT to NUMBER through the office's WhatsApp provider (recorded in history)."""
    from ..inbox import reply

    app = tolerant_app(ctx)
    sent = reply.reply(app, number, " ".join(text), via="cli")
    who = f"{sent.name} ({sent.phone})" if sent.name else sent.phone
    if sent.status in ("sent", "delivered", "read"):
        how = _(" with the template {name}").format(name=sent.template) if sent.template else ""
        click.secho(_("Reply sent to {who}{how}.").format(who=who, how=how), fg="green")
        return
    click.secho(
        _("Reply to {who} not sent ({status}): {reason}").format(
            who=who, status=_(sent.status), reason=say(sent.error) or "-"
        ),
        fg="red",
        err=True,
    )
    ctx.exit(1)


@inbox_group.command("done")
@click.argument("number")
@click.pass_context
def done_cmd(ctx: click.Context, number: str) -> None:
    """Close NUMBER's conversation (and its open aduan); a new message from them opens it again."""
    app = tolerant_app(ctx)
    row, closed = chats.close(app, number)
    who = f"+{row['wa_id']}" if row["wa_id"] else row["id"]
    click.echo(_("Conversation with {who} closed.").format(who=who))
    for ticket in closed:
        click.echo(_("  {ticket} closed.").format(ticket=ticket))


@inbox_group.command("export")
@click.argument("number")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file (owner-only).")
@click.pass_context
def export_cmd(ctx: click.Context, number: str, as_json: bool, out: Path | None) -> None:
    """Everything kept of NUMBER's conversation, for a citizen's request to see their data."""
    app = tolerant_app(ctx)
    data = chats.export(app, number)
    text = json.dumps(data, ensure_ascii=False, indent=2) if as_json else _transcript(data)
    if out is None:
        click.echo(text)
        return
    if out.exists():
        out.unlink()
    create_private(out)  # it holds a person's messages: owner-only, like the history
    with open(out, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text + "\n")
    os.chmod(out, 0o600)
    click.echo(_("Written to {path}.").format(path=out))


def _transcript(data: dict) -> str:
    who = {"person": data["list_name"] or data["name"] or data["number"], "siaran": _("automatic answer"),
           "office": _("office")}  # fmt: skip
    lines = [
        _("Conversation with {name} {number}").format(name=data["list_name"] or data["name"], number=data["number"]),
        _("First message: {when}").format(when=data["first_seen"]),
    ]
    for t in data["tickets"]:
        lines.append(
            _("{ticket} ({category}) opened {opened}, closed {closed}").format(
                ticket=t["id"], category=t["category"], opened=t["opened_at"], closed=t["closed_at"] or "-"
            )
        )
    lines.append("")
    for m in data["messages"]:
        head = f"[{m['at'][:16].replace('T', ' ')}] {who[m['from']]}"
        if m.get("ticket"):
            head += f" ({m['ticket']})"
        lines.append(f"{head}:")
        lines.extend(f"    {line}" for line in (m["text"] or f"[{m['type']}]").splitlines())
    return "\n".join(lines)
