"""report: posts per ISO week on each channel, failures, follower trend."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from .. import report as weekly
from ..errors import SiaranError
from ..history import reports
from ..i18n import _
from .base import cli, tolerant_app


@cli.command("report")
@click.option("--weeks", type=click.IntRange(1, 104), default=4, show_default=True, help="How many weeks back.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def report_cmd(ctx: click.Context, weeks: int, as_json: bool) -> None:
    """Posts per week on WhatsApp and Instagram, failures, and followers; weeks with no Instagram post are flagged."""
    app = tolerant_app(ctx, read_lists=False)
    rows = weekly.build(app, weeks)
    if as_json:
        click.echo(json.dumps(weekly.as_dicts(rows), ensure_ascii=False, indent=2))
        return
    office = app.office
    click.secho(
        _("{office}: the last {weeks} week(s), {zone}").format(office=office.name, weeks=weeks, zone=office.tz_label),
        bold=True,
    )
    heads = (_("week"), _("from"), _("WA posts"), _("sent"), _("read"), _("failed"), _("later"), _("IG posts"),
             _("handed"), _("failed"), _("followers"))  # fmt: skip
    click.echo("{:<9} {:<10}  {:>8} {:>6} {:>6} {:>6} {:>5}  {:>8} {:>6} {:>6}  {:>9}".format(*heads))
    for w in rows:
        followers = "-" if w.followers is None else f"{w.followers:,}"
        if w.followers_change:
            followers += f" ({w.followers_change:+,})"
        click.echo(
            f"{w.label:<9} {w.start.isoformat():<10}  {w.whatsapp_posts:>8} {w.whatsapp_sent:>6} {w.whatsapp_read:>6} "
            f"{w.whatsapp_failed:>6} {w.whatsapp_failed_later:>5}  {w.instagram_posts:>8} "
            f"{w.instagram_handed_off:>6} {w.instagram_failed:>6}  "
            f"{followers:>9}"
        )
        for flag in w.flags:
            click.secho(f"{'':<9} ! {flag}", fg="yellow")
    flagged = sum(1 for w in rows if w.flags)
    if flagged:
        click.secho(
            _("{n} week(s) without an Instagram post (aim for at least one a week).").format(n=flagged), fg="yellow"
        )
    _priced(app, rows[0].start if rows else None)
    _tickets(app)


def _tickets(app) -> None:
    """Aduan and saran received through WhatsApp, opened and closed per month (the last 12 months)."""
    months = weekly.ticket_months(app)
    if not months:
        return
    click.echo()
    click.secho(_("Aduan and saran on WhatsApp per month"), bold=True)
    heads = (_("month"), _("kind"), _("opened"), _("closed"))
    click.echo("{:<8} {:<6} {:>7} {:>7}".format(*heads))
    for m in months:
        click.echo(f"{m['month']:<8} {m['category']:<6} {m['opened']:>7} {m['closed']:>7}")


def _priced(app, first) -> None:
    """What Meta counts toward the bill: messages per month and pricing category (Cloud API only)."""
    if first is None:
        return
    tz = app.office.timezone
    start = datetime(first.year, first.month, 1, tzinfo=tz)
    offset = int(start.utcoffset().total_seconds() // 3600)
    try:
        rows = reports.priced_months(app.db, start.astimezone(UTC).isoformat(timespec="seconds"), offset)
    except SiaranError:
        return
    if not rows:
        return
    click.echo()
    click.secho(_("WhatsApp messages per month and Meta pricing category:"), bold=True)
    click.echo("{:<8} {:<22} {:>9} {:>9}".format(_("month"), _("category"), _("messages"), _("billable")))
    months: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        counts = months.setdefault((r["month"], r["category"]), [0, 0])
        counts[0] += r["n"]
        counts[1] += r["n"] if r["billable"] else 0
    for (month, category), (n, billable) in months.items():
        click.echo(f"{month:<8} {category:<22} {n:>9,} {billable:>9,}")
