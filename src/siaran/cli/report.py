"""report: posts per week (shown as its dates) on each channel, failures, follower trend."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, date, datetime

import click

from .. import report as weekly
from ..errors import SiaranError
from ..history import reports
from ..i18n import _, format_week, language
from .base import cli, tolerant_app

WEEKS_KEPT = 4000  # week texts remembered (per language, one more a week): past it, Babel writes them each time


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
    heads = (_("week"), _("WA posts"), _("sent"), _("read"), _("failed"), _("IG posts"), _("handed"), _("failed"),
             _("followers"))  # fmt: skip
    weeks_as_text = _weeks_as_text([w.start for w in rows])
    table = [[weeks_as_text[w.start], *map(str, (w.whatsapp_posts, w.whatsapp_sent, w.whatsapp_read,
              w.whatsapp_failed, w.instagram_posts, w.instagram_handed_off, w.instagram_failed)), _followers(w)]
             for w in rows]  # fmt: skip
    widths = [max(len(r[i]) for r in [list(heads), *table]) for i in range(len(heads))]

    def line(cells: list[str] | tuple[str, ...]) -> str:
        return "  ".join([cells[0].ljust(widths[0]), *(c.rjust(n) for c, n in zip(cells[1:], widths[1:], strict=True))])

    click.echo(line(heads))
    indent = " " * (widths[0] + 1)
    for w, cells in zip(rows, table, strict=True):
        click.echo(line(cells))
        if w.whatsapp_failed_later:
            click.secho(
                indent
                + _("{n} of the failed WhatsApp messages failed after the provider accepted them").format(
                    n=w.whatsapp_failed_later
                ),
                fg="yellow",
            )
        for flag in w.flags:
            click.secho(f"{indent}! {flag}", fg="yellow")
    flagged = sum(1 for w in rows if w.flags)
    if flagged:
        click.secho(
            _("{n} week(s) without an Instagram post (aim for at least one a week).").format(n=flagged), fg="yellow"
        )
    _priced(app, rows[0].start if rows else None)
    _tickets(app)


def _weeks_as_text(mondays: list[date]) -> dict[date, str]:
    """Monday → the week as its dates ("7–13 Des 2026"). Babel and its locale data take longer to
    load than the whole report takes to count, so the weeks written before are kept in one file of
    the cache folder, named by i18n's code and the installed Babel; new ones are added at once."""
    from ..content import cache as versions
    from ..content.files import user_cache_dir, write_atomic

    path = user_cache_dir() / f"weeks-{versions.version('siaran.i18n')}.json"
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    known = known if isinstance(known, dict) else {}
    lang = language()
    keys = {monday: f"{lang} {monday.isoformat()}" for monday in mondays}
    missing = {key: format_week(monday) for monday, key in keys.items() if not isinstance(known.get(key), str)}
    if missing and len(known) < WEEKS_KEPT:
        with contextlib.suppress(OSError):  # a read-only home: written again next time, that's all
            write_atomic(path, json.dumps({**known, **missing}, ensure_ascii=False), mode=0o600)
    return {monday: missing.get(key) or known[key] for monday, key in keys.items()}


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


def _followers(w: weekly.Week) -> str:
    followers = "-" if w.followers is None else f"{w.followers:,}"
    return followers + (f" ({w.followers_change:+,})" if w.followers_change else "")
