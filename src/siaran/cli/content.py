"""list, check, preview: look at the content without sending anything."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from ..render.images import post_images
from .base import channel_option, cli, get_app


@cli.command("list")
@click.pass_context
def list_posts(ctx: click.Context) -> None:
    """Every post, one per line: name, kind, channels, lists, title."""
    project = get_app(ctx).project
    for post in sorted(project.posts.values(), key=lambda p: p.name):
        click.echo(f"{post.name}\t{post.kind}\t{','.join(post.channels)}\t{','.join(post.lists) or '-'}\t{post.title}")


@cli.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Validate every content, list, template, calendar and schedule file.

    Exits 0 only when everything is valid; each problem names its file, line and field.
    """
    app = get_app(ctx)
    app.strict_lists = True
    project = app.project
    for w in project.warnings:
        click.secho(f"warning: {w}", fg="yellow", err=True)
    recipients = sum(len(b.recipients) for b in project.lists.values())
    click.secho(
        f"OK: {len(project.posts)} posts, {len(project.lists)} lists ({recipients} numbers), "
        f"{len(project.schedules)} schedules; office {project.office.name} ({project.office.tz_label}).",
        fg="green",
    )


@cli.command()
@click.argument("name")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write each channel's text and the images to this folder.",
)
@channel_option
@click.pass_context
def preview(ctx: click.Context, name: str, out: Path | None, channels: tuple[str, ...]) -> None:
    """Show exactly what each channel would get for post NAME, without sending."""
    app = get_app(ctx)
    project = app.project
    post = project.post(name)
    sample = project.sample_recipient(post)
    images = post_images(project, post, app.media_dir)
    if out:
        out.mkdir(parents=True, exist_ok=True)
    for channel in channels or post.channels:
        text = project.renderer.render(post, channel, sample if channel == "whatsapp" else None)
        who = f" (to {sample.name or sample.phone}, list {sample.list})" if channel == "whatsapp" else ""
        label = "WhatsApp text" if channel == "whatsapp" else "Instagram caption"
        click.secho(f"── {label}{who} ──", bold=True)
        click.echo(text)
        click.echo(f"   [{len(text)} characters]")
        if out:
            (out / f"{channel}.txt").write_text(text + "\n", encoding="utf-8")
    if images:
        click.secho("── Images ──", bold=True)
        for image in images:
            target = image
            if out:
                target = out / image.name
                shutil.copyfile(image, target)
            click.echo(f"   {target}")
    if out:
        click.echo(f"Written to {out}")
