"""One post, one person, once per period (issue 24): a scheduled occurrence leaves out whoever
already got the same version of its post since the schedule's previous occurrence (a manual send
at 08:20, another schedule), recorded ``skipped`` with a reason naming that send; a manual send
leaves out whoever got the post today, unless the operator asks for it again (``--again``)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..app import App
from ..content.model import Post
from ..content.schedules import Schedule
from ..history import occurrences as recorded
from ..history.receipts import EarlierSend, received_since
from ..plan import Planned
from ..reasons import Reason, reason
from ..schedule import greetings_by_holiday, occurrences

# How far back a period reaches at most: a yearly greeting's "previous occurrence" is last year's.
LONGEST_PERIOD = timedelta(days=31)
_LOOK = (timedelta(days=1), timedelta(days=8), LONGEST_PERIOD)


def period_start(app: App, schedule: Schedule, at: datetime) -> datetime:
    """Where the period of ``schedule``'s occurrence at ``at`` begins: the previous occurrence (at
    most LONGEST_PERIOD back), or when siaran took that one up, if later — a manual send that made
    last Monday's late catch-up skip is not counted again for this Monday."""
    project = app.project
    greetings = greetings_by_holiday(project.greeting_posts()) if schedule.trigger == "holiday" else None
    start = at - LONGEST_PERIOD
    for back in _LOOK:  # a near window first: a minutely cron has 44,640 occurrences in 31 days
        found = occurrences(schedule, project.calendar, project.office.timezone, at - back, at, greetings)
        if found:
            start = found[-1].at
            break
    taken = recorded.last_started(app.db, schedule.name, at)
    return max(start, taken) if taken is not None else start


def _clock(receipt: EarlierSend, tz: ZoneInfo, day) -> str:
    local = receipt.when.astimezone(tz)
    return f"{local:%H.%M}" if local.date() == day else f"{local:%Y-%m-%d %H.%M}"


def left_out(receipt: EarlierSend, tz: ZoneInfo, day) -> Reason:
    """Why a delivery is left out, naming the earlier send: "already sent by hand at 08.20"."""
    when = _clock(receipt, tz, day)
    if receipt.occurrence is None:
        return reason("delivery.sent_by_hand", time=when)
    return reason("delivery.sent_by_occurrence", occurrence=receipt.occurrence, time=when)


def earlier(app: App, post: Post, schedule: Schedule, at: datetime, keys: Iterable[str] = ()) -> dict[str, EarlierSend]:
    """Who already got this version of ``post`` in the period of ``schedule``'s occurrence at ``at``."""
    since = period_start(app, schedule, at)
    return received_since(
        app.db, post.name, since, content_hash=post.content_hash, not_schedule=schedule.name, not_keys=set(keys)
    )


def skip_repeats(app: App, post: Post, schedule: Schedule, at: datetime, planned: list[Planned]) -> list[Planned]:
    """``planned`` with the deliveries someone already got this period marked skipped (with why)."""
    found = earlier(app, post, schedule, at, (p.key for p in planned))
    if not found:
        return planned
    tz = app.project.office.timezone
    day = at.astimezone(tz).date()
    return [
        dataclasses.replace(p, skip_reason=left_out(found[p.address], tz, day))
        if not p.skip_reason and p.address in found
        else p
        for p in planned
    ]


def reached_today(app: App, post: Post, planned: list[Planned]) -> tuple[list[Planned], Counter]:
    """A manual send: (the deliveries to make, why the others are left out: reason → count). Whoever
    got ``post`` today (any version, by hand or by a schedule) is left out, and not recorded: the
    operator may send it to them with ``--again``."""
    tz = app.project.office.timezone
    local = app.local_now()
    midnight = datetime.combine(local.date(), time(0), tzinfo=tz)
    found = received_since(app.db, post.name, midnight, not_keys={p.key for p in planned})
    if not found:
        return planned, Counter()
    keep, left = [], Counter()
    for p in planned:
        if p.skip_reason or p.address not in found:
            keep.append(p)
        else:
            left[left_out(found[p.address], tz, local.date())] += 1
    return keep, left
