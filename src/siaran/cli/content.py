"""list, check, preview: look at the content without sending anything."""

from __future__ import annotations

from pathlib import Path

import click

from ..content.overlaps import overlaps
from ..i18n import N_, _
from ..render.context import BUILTIN
from .base import channel_option, cli, get_app

MAX_SHOWN = 20  # rows sharing a number that `check` lists one by one


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
    twins = overlaps(project.lists, project.list_rel)
    for w in [*project.warnings, *twins[:MAX_SHOWN]]:
        click.secho(_("warning: {problem}").format(problem=w), fg="yellow", err=True)
    if len(twins) > MAX_SHOWN:
        click.secho(_("… and {n} more rows like these").format(n=len(twins) - MAX_SHOWN), fg="yellow", err=True)
    numbers = len({r.phone for b in project.lists.values() for r in b.recipients})
    click.secho(
        _(
            "OK: {posts} posts, {lists} lists ({numbers} numbers), {schedules} schedules; office {office} ({zone})."
        ).format(
            posts=len(project.posts),
            lists=len(project.lists),
            numbers=numbers,
            schedules=len(project.schedules),
            office=project.office.name,
            zone=project.office.tz_label,
        ),
        fg="green",
    )
    if app.settings.whatsapp.provider == "cloud":  # httpx and the history only for an account to ask
        from .whatsapp import check_account_templates

        check_account_templates(app)


@cli.command()
@click.argument("name")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write each channel's text and the images to this folder.",
)
@click.option(
    "--html",
    "html",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write the preview as a web page to this folder (images beside it), to share as files.",
)
@channel_option
@click.pass_context
def preview(ctx: click.Context, name: str, out: Path | None, html: Path | None, channels: tuple[str, ...]) -> None:
    """Show exactly what each channel would get for post NAME, without sending.

    `siaran preview autoreply` shows every answer of content/autoreply.yaml instead.
    """
    app = get_app(ctx)
    project = app.project
    if name == "autoreply":
        _preview_autoreply(app)
        return
    from ..render.images import instagram_images, post_images  # Pillow and the cards: not for `list`

    post = project.post(name)
    sample = project.sample_recipient(post)
    images = post_images(project, post, app.media_dir)
    if "instagram" in (channels or post.channels) and not images:
        images = instagram_images(project, post, app.media_dir)  # the card made for Instagram
    if out:
        out.mkdir(parents=True, exist_ok=True)
    for channel in channels or post.channels:
        text = project.renderer.render(post, channel, sample if channel == "whatsapp" else None)
        who = (
            _(" (to {name}, list {list})").format(name=sample.name or sample.phone, list=sample.list)
            if channel == "whatsapp"
            else ""
        )
        label = _("WhatsApp text") if channel == "whatsapp" else _("Instagram caption")
        click.secho(f"── {label}{who} ──", bold=True)
        click.echo(text)
        click.echo("   [" + _("{n} characters").format(n=len(text)) + "]")
        if out:
            (out / f"{channel}.txt").write_text(text + "\n", encoding="utf-8")
    if images:
        from shutil import copyfile

        click.secho("── " + _("Images") + " ──", bold=True)
        for image in images:
            target = image
            if out:
                target = out / image.name
                copyfile(image, target)
            click.echo(f"   {target}")
    if out:
        click.echo(_("Written to {path}").format(path=out))
    if html:
        from ..server.preview import write_html  # the page's templates load only for --html

        click.echo(_("Web page: {path}").format(path=write_html(app, name, html)))


def _preview_autoreply(app) -> None:
    from ..content.autoreply import REL, load_autoreply
    from ..errors import ContentErrors
    from ..history.tickets import PREFIXES
    from ..server import menu

    problems: list = []
    auto = load_autoreply(app.root, problems)
    if problems:
        raise ContentErrors(problems)
    if auto is None:
        click.echo(
            _("No {path}: incoming messages get no automatic answer (BERHENTI and MULAI still work).").format(path=REL)
        )
        return
    office = app.project.office.name

    def show(title: str, text: str) -> None:
        click.secho(f"── {title} ──", bold=True)
        click.echo(text)

    show(_("First message (welcome + menu)"), menu.decide(auto, "halo", first=True).text)
    listed = menu.interactive(auto, auto.welcome)
    kind = {"list": _("an interactive list"), "button": _("reply buttons")}.get(
        (listed or {}).get("type"), _("numbered text")
    )
    click.echo("   [" + _("Cloud API: shown as {kind}; Fonnte and WAHA: numbered text").format(kind=kind) + "]")
    for i, option in enumerate(auto.options, 1):
        answer = (
            _("(the post {post}: its WhatsApp text and images)").format(post=option.post)
            if option.post
            else option.reply
        )
        show(f"{i}. {option.title}", answer)
        if option.intake:
            click.echo("   [" + _("{kind}: the person's next message is recorded with a number, e.g. {ticket}").format(
                kind=option.intake, ticket=f"{PREFIXES[option.intake]}-{app.local_now().year}-0001") + "]")  # fmt: skip
    if auto.away:
        names = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")
        days = ", ".join(f"{names[d]} {a:%H:%M}-{b:%H:%M}" for d, (a, b) in sorted(auto.hours.items()))
        days = days or app.project.office.hours  # without its own hours: the office's (content/office.yaml)
        from ..inbox.hours import OfficeHours, next_closed, with_opening

        hours = OfficeHours.of(app.project, auto)
        closed = next_closed(hours, app.now())
        away = with_opening(auto.away, hours.next_open(closed), closed)
        show(_("Away message (once a day outside {hours})").format(hours=days), away)
    show(_("Anything else (fallback)"), auto.fallback)
    show("BERHENTI / STOP / UNREG", auto.stop.replace("{office}", office))
    show("MULAI / START", auto.start.replace("{office}", office))


# How `siaran templates` shows Python's words and a variable's scope to the operator.
SHOWN = {"None": N_("(empty)"), "False": N_("no"), "True": N_("yes"), "[]": N_("(empty)")}
SCOPES = {
    "announcement": N_("announcements only"),
    "greeting": N_("greetings only"),
    "sop": N_("SOPs only"),
    "whatsapp": N_("WhatsApp only; empty on Instagram"),
}


@cli.command("templates")
@click.option("--markdown", "as_markdown", is_flag=True, help="Print a Markdown table (the README's).")
@click.pass_context
def templates_cmd(ctx: click.Context, as_markdown: bool) -> None:
    """Every variable a template or a post body can use, with an example from this project.

    Default templates are built in for every channel and kind; a file with the same name under
    content/templates/ (e.g. content/templates/whatsapp/announcement.j2) replaces one.
    """
    from ..render.variables import markdown, template_variables

    found = template_variables(get_app(ctx).project)
    if as_markdown:
        click.echo(markdown(found))
        return
    width = max(len(v.name) for v in found)
    for v in found:
        where = "" if v.scope == "all" else f"  ({_(SCOPES[v.scope])})"
        click.echo(f"{v.name:<{width}}  {_(SHOWN[v.example]) if v.example in SHOWN else v.example}{where}")
    click.echo(_("Built-in templates: {path}").format(path=BUILTIN))
