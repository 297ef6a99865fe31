"""Event dates end a post's life (issue 24): an announcement with ``date:`` (and ``until:`` /
``sampai:`` for a series of events) is not sent by any schedule after its last day. Sending on the
day itself is still fine (a morning reminder)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ..content.model import Post
from ..content.project import Project
from ..content.schedules import Schedule
from ..errors import ContentError
from ..i18n import _
from ..reasons import Reason, reason
from . import occurrences

# How far `check` looks past an event for a schedule still firing: a near window first (a minutely
# cron has 1,440 occurrences a day), then a year (a yearly `once` or monthly schedule).
_AHEAD = (timedelta(days=1), timedelta(days=32), timedelta(days=400))


def over(post: Post | None, at: datetime, tz) -> Reason | None:
    """Why ``post`` is not sent at ``at`` (its event is over), or None."""
    last = post.event.last_day if post is not None else None
    if last is None or at.astimezone(tz).date() <= last:
        return None
    return reason("schedule.event_over", day=last.isoformat())


def after_event(project: Project, schedule: Schedule, post: Post) -> datetime | None:
    """The next occurrence of ``schedule`` sending ``post`` after its event is over, or None."""
    last = post.event.last_day
    if last is None:
        return None
    tz = project.office.timezone
    first = last + timedelta(days=1)
    if isinstance(project.today, date) and project.today > first:
        first = project.today
    start = datetime.combine(first, time(0), tzinfo=tz)
    for ahead in _AHEAD:
        found = occurrences(schedule, project.calendar, tz, start, start + ahead, position=0)
        found = [o for o in found if o.post == post.name]
        if found:
            return found[0].at
    return None


def check_event_dates(project: Project) -> list[ContentError]:
    """A schedule that goes on firing for a post after the post's event (a warning: those
    occurrences are skipped, but the schedule or the post is probably wrong)."""
    problems = []
    for schedule in project.schedules.values():
        for name in dict.fromkeys(schedule.posts):
            post = project.posts.get(name)
            if post is None or (when := after_event(project, schedule, post)) is None:
                continue
            problems.append(
                ContentError(
                    schedule.path.relative_to(project.root).as_posix(),
                    _(
                        "{post} is about {day}, but this schedule still fires after it (next: {when});"
                        " those occurrences are skipped. Take the post off this schedule once it is done"
                    ).format(post=name, day=post.event.last_day.isoformat(), when=f"{when:%Y-%m-%d %H:%M}"),
                    line=schedule.lines.get("post") or schedule.lines.get("series"),
                    field="series" if schedule.series else "post",
                    warning=True,
                )
            )
    return problems
