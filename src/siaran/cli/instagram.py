"""instagram: the queue, publishing it now, and reconciling with the profile (instaloader)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

import click

from ..delivery import instagram as ig_queue
from ..delivery import profile_sync as ig_sync
from ..history import STATUSES
from ..history import instagram as table
from ..i18n import _, ngettext
from ..reasons import say
from .base import cli, get_app
from .translate import WordChoice

FIELDS = (
    "id", "post", "occurrence", "status", "publisher", "attempts", "planned_at", "published_at", "posted_at",
    "confirmed_at", "shortcode", "permalink", "container_id", "media_id", "handoff", "error", "error_code",
    "caption", "images",
)  # fmt: skip


@cli.group()
def instagram() -> None:
    """Instagram queue: see it, publish it, reconcile it with the profile."""


def _when(app, stamp: str | None) -> str:
    if not stamp:
        return "-"
    return datetime.fromisoformat(stamp).astimezone(app.project.office.timezone).strftime("%Y-%m-%d %H:%M")


@instagram.command("queue")
@click.option("--status", type=WordChoice(STATUSES), help="Only entries in this state.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def queue_cmd(ctx: click.Context, status: str | None, as_json: bool) -> None:
    """Show the Instagram queue: each post, its state, attempts and permalink."""
    app = get_app(ctx)
    rows = table.rows(app.db, (status,) if status else None)
    if as_json:
        out = [
            {**{k: (json.loads(r[k] or "[]") if k == "images" else r[k]) for k in FIELDS}, "state": table.label(r)}
            for r in rows
        ]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(_("The Instagram queue is empty."))
        return
    for r in rows:
        n = len(json.loads(r["images"] or "[]"))
        where = r["permalink"] or r["handoff"] or ""
        images = ngettext("{n} image", "{n} images", n).format(n=n)
        attempts = ngettext("{n} attempt", "{n} attempts", r["attempts"]).format(n=r["attempts"])
        click.echo(
            f"{r['id']:>4}  {_when(app, r['planned_at'])}  {_(table.label(r)):<10} {r['post']}  "
            f"[{images}, {attempts}]" + (f"  {where}" if where else "")
        )
        if r["error"]:
            click.secho(f"      {say(r['error'])}", fg="red" if r["status"] == "failed" else "yellow")


@instagram.command("publish")
@click.pass_context
def publish_cmd(ctx: click.Context) -> None:
    """Publish (or hand off) every queued post now, and settle posts whose earlier attempt was unclear."""
    app = get_app(ctx)
    result = asyncio.run(ig_queue.process(app))
    if not result.outcomes and not result.busy:
        click.echo(_("Nothing waiting in the Instagram queue."))
        return
    for o in result.outcomes:
        colour = {"failed": "red", "uncertain": "yellow", "queued": "yellow"}.get(o.status)
        click.secho(f"{o.post}: {_(o.status)}" + (f" ({say(o.error)})" if o.error else ""), fg=colour)
    if result.busy:
        click.echo(_("{n} being published by another siaran process right now.").format(n=result.busy))
    if result.stopped:
        click.secho(_("Stopped: {reason}").format(reason=say(result.stopped)), fg="red", err=True)
        ctx.exit(1)


@instagram.command("requeue")
@click.argument("entry", type=int)
@click.pass_context
def requeue_cmd(ctx: click.Context, entry: int) -> None:
    """Put failed or uncertain queue ENTRY (its id) back in the queue, after checking the profile."""
    row = ig_queue.requeue(get_app(ctx), entry)
    click.echo(_("{post} is queued again; `siaran instagram publish` sends it.").format(post=row["post"]))


@instagram.command("sync")
@click.option("--weeks", type=click.IntRange(1, 52), default=4, show_default=True, help="How far back to look.")
@click.pass_context
def sync_cmd(ctx: click.Context, weeks: int) -> None:
    """Read the office's profile with instaloader: confirm queued posts, record follower counts."""
    app = get_app(ctx)
    result = ig_sync.sync(app, weeks)
    p = result.profile
    click.echo(
        _(
            "@{user}: {posts} posts, {followers} followers, {following} following; "
            "{recent} posts in the last {weeks} week(s)."
        ).format(
            user=p.username,
            posts=_n(p.posts),
            followers=_n(p.followers),
            following=_n(p.following),
            recent=len(p.recent),
            weeks=weeks,
        )
    )
    for row, post in result.confirmed:
        click.secho(
            _("confirmed {post}: {url} ({when})").format(
                post=row["post"], url=post.url, when=_when(app, post.taken_at.isoformat())
            ),
            fg="green",
        )
    for post in result.unmatched:
        click.echo(_("not from siaran: {url}").format(url=post.url))


def _n(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"
