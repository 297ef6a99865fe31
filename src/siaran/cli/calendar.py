"""holidays, schedule: the office calendar and what the schedules will send."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import click

from ..clock import zone_label
from ..content.calendar import load_calendar
from ..content.project import load_content
from ..delivery.occurrences import due, upcoming
from ..delivery.outlook import note
from ..errors import ContentError, ContentErrors
from ..history.occurrences import recorded_since
from ..i18n import N_, _, format_day
from ..reasons import say
from ..schedule import greetings_by_holiday
from .base import cli, tolerant_app

# A holiday's kind (calendar.Day.kind) as the operator reads it.
KINDS = {"national": N_("national holiday"), "cuti": N_("cuti bersama"), "local": N_("local day")}


@cli.command()
@click.argument("year", type=int, required=False)
@click.pass_context
def holidays(ctx: click.Context, year: int | None) -> None:
    """The year's holidays (default: this year): date, name, kind, and the greeting that goes out.

    Kind is a national holiday, cuti bersama or a local day (content/calendar.yaml); "perkiraan" marks a
    date the holidays package computed, which the government may still move (add an override).
    """
    app = tolerant_app(ctx)
    # Read leniently: this is the command that tells the right holiday names, so a greeting naming
    # a wrong one (or any other content error) must not stop it.
    problems: list[ContentError] = []
    try:
        project = load_content(app.root, app.now(), problems)
        calendar, posts, today = project.calendar, project.posts, project.today
    except ContentErrors:
        calendar, posts, today = load_calendar(app.root, []), {}, app.now().date()
    year = year or today.year
    greetings = greetings_by_holiday(posts)
    days = calendar.days(year)
    if not days:
        click.echo(_("No holidays known for {year}.").format(year=year))
        return
    width = max(len(_(KINDS[d.kind])) for d in days)
    for day in days:
        estimated = _(" (estimated)") if day.estimated else ""
        greeting = ", ".join(greetings.get(day.name, ())) or "-"
        weekday = format_day(day.date, "EEE")
        kind = _(KINDS[day.kind])
        click.echo(f"{day.date.isoformat()}  {weekday}  {kind:<{width}}  {day.name}{estimated}  →  {greeting}")
    missing = sum(1 for d in days if d.kind != "cuti" and d.name not in greetings)
    click.echo(_("{days} days; {missing} without a greeting.").format(days=len(days), missing=missing))
    if problems:
        click.secho(
            _(
                "{n} problem(s) in the content files (the list above is still complete); `siaran check` shows them."
            ).format(n=len(problems)),
            fg="yellow",
            err=True,
        )


@cli.command()
@click.option("--days", "days", type=click.IntRange(1, 400), default=14, show_default=True, help="How far ahead.")
@click.option(
    "--past",
    type=click.IntRange(0, 400),
    default=0,
    help="Also show the occurrences of the last N days: done, failed, skipped (with the reason) or running.",
)
@click.pass_context
def schedule(ctx: click.Context, days: int, past: int) -> None:
    """Upcoming occurrences: local date-time, schedule, post, channels and lists.

    Occurrences already due but not yet sent (still within their grace) come first.
    """
    app = tolerant_app(ctx)
    project = app.project
    tz = project.office.timezone
    start = app.local_now()
    end = datetime.combine(start.date() + timedelta(days=days), time(0), tzinfo=tz)
    if past:
        rows = recorded_since(app.db, app.now() - timedelta(days=past))
        for row in rows:
            when = datetime.fromisoformat(row["scheduled_for"]).astimezone(tz)
            reason = f"  ({say(row['reason'])})" if row["reason"] else ""
            status = _(str(row["status"]))
            click.echo(f"{_when(when)} {zone_label(tz)}  {row['schedule']}  {row['post']}  {status}{reason}")
        click.echo("── " + _("{n} in the last {days} days; upcoming:").format(n=len(rows), days=past) + " ──")
    late = [(s, d.occurrence) for s, d in due(app, app.now()) if d.action == "run"]
    found = upcoming(app, start, end, late)
    if not found and not late:
        click.echo(_("Nothing scheduled in the next {days} days.").format(days=days))
        return
    label = zone_label(tz)
    for sched, occ in late + found:
        mark = _("  (due now: the next `siaran run` sends it)") if (sched, occ) in late else ""
        if occ.skip:
            mark = "  " + _("(not sent: {reason})").format(reason=say(occ.skip))
        elif held := project.held_by(sched, occ.post):
            mark = "  " + _("(held: {reason})").format(reason=held)
        elif (found := note(app, sched, occ))[0]:
            why, nothing = found
            mark = "  " + (_("(not sent: {reason})") if nothing else "({reason})").format(reason=say(why))
        post = project.posts.get(occ.post)
        channels = ",".join(sched.channels or (post.channels if post else ())) or "-"
        lists = ",".join(sched.lists or (post.lists if post else ())) or "-"
        what = occ.post + (f" ({occ.holiday})" if occ.holiday else "")
        click.echo(f"{_when(occ.at)} {label}  {sched.name}  {what}  [{channels}]  [{lists}]{mark}")


def _when(at: datetime) -> str:
    """2026-11-23 Sen 07:30: the weekday in the operator's language."""
    return f"{at:%Y-%m-%d} {format_day(at, 'EEE')} {at:%H:%M}"
