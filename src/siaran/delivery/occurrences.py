"""What is due now, and running it: schedules (siaran.schedule) meet history (siaran.history.occurrences).

An id is recorded once and never claimed again, so an occurrence runs at most once whatever
restarts happen; a ``running`` one left by a stopped or dead process is resumed through the
delivery engine, which never resends a delivery it has already tried.

Which occurrences does a run look at? For each schedule, those after the last one history
recorded — so a PC switched off for days finds, on its next start, every occurrence it missed:
the latest one still within grace is sent, every other one is recorded as skipped with its
reason. Each one of the last ``LOOKBACK`` is recorded on its own row; older ones (a PC off for
months) are counted into one skipped row ``<schedule>@gap:<from>..<to>``. A schedule history has
never seen looks back only over its grace.

An occurrence whose post (or schedule) has a problem is recorded ``held`` with the reason and
looked at again on every pass: sent as soon as it is fixed while still within its grace.

Series rotation: ``series_state.position`` is the index of the series' next post. It moves on
when an occurrence starts running (in the same transaction that records it), never for a skipped
one: the post of a missed week is the one sent next week, so no SOP of a series is ever lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from ..app import App
from ..content.schedules import Schedule
from ..errors import DeliveryError, SiaranError
from ..history import occurrences as recorded
from ..reasons import Reason, reason, text
from ..schedule import (
    Decision,
    Occurrence,
    catch_up,
    effective_grace,
    greetings_by_holiday,
    occurrences,
    wait_for_opening,
)
from ..schedule.lifetime import over
from .deliver import deliver_async
from .summary import Summary

log = logging.getLogger(__name__)

LOOKBACK = timedelta(days=92)  # missed occurrences older than this are counted into one skipped row
GAP_COUNT_LIMIT = 100_000  # counting a very long gap of a minutely cron stops here
SAME_HOLIDAY = timedelta(days=10)  # a greeting moved by a later override is not sent a second time


@dataclass(frozen=True)
class Result:
    occurrence: str
    schedule: str
    post: str
    status: str  # done | failed | skipped | held | running (stopped or still queued; resumed next time)
    reason: Reason | None = None  # | waiting (a catch-up until the office opens: not recorded)
    resumed: bool = False
    until: datetime | None = None


# ── reading history ──────────────────────────────────────────────────────────


def series_position(db: sqlite_utils.Database, schedule: Schedule) -> int:
    """Index of the series' next post. Follows the last post actually run, so editing the list
    (inserting or removing a post) does not make the rotation jump or repeat."""
    if not schedule.series:
        return 0
    n = len(schedule.posts)
    position, last = recorded.series_state(db, schedule.name)
    if last and schedule.posts[(position - 1) % n] != last and last in schedule.posts:
        position = schedule.posts.index(last) + 1
    return position % n


# ── deciding ─────────────────────────────────────────────────────────────────


def due(app: App, now: datetime) -> list[tuple[Schedule, Decision]]:
    """Occurrences at or before ``now`` that history has not recorded: run or skip, time order."""
    project = app.project
    tz = project.office.timezone
    greetings = greetings_by_holiday(project.greeting_posts())
    opens = project.office.next_opening(now, project.calendar.day_off)
    out: list[tuple[Schedule, Decision]] = []
    for schedule in project.schedules.values():
        last = recorded.last_recorded(app.db, schedule.name, now)
        start = max(last, now - LOOKBACK) if last else now - effective_grace(schedule)
        if last and last < start and (gap := _gap(app, schedule, last, start)):
            out.append((schedule, gap))
        found = occurrences(schedule, project.calendar, tz, start, now + timedelta(microseconds=1), greetings)
        seen = recorded.recorded_slots(app.db, schedule.name, start)
        unseen = [o for o in found if o.id not in seen]
        decisions, _ = catch_up(schedule, unseen, now, series_position(app.db, schedule))
        for d in decisions:
            if d.action == "run" and (why := over(project.posts.get(d.occurrence.post), d.occurrence.at, tz)):
                d = Decision(d.occurrence, "skip", why)
            elif d.action == "run" and (why := project.held_by(schedule, d.occurrence.post)):
                d = Decision(d.occurrence, "hold", text(why))
            elif not _urgent(app, schedule, d.occurrence.post):
                d = wait_for_opening(d, schedule, now, opens)
            out.append((schedule, d))
    out.sort(key=lambda sd: (sd[1].occurrence.at, sd[1].occurrence.id))
    return out


def _urgent(app: App, schedule: Schedule, post: str) -> bool:
    """Greetings belong to their day (the office is closed on it), and a post can say
    ``urgent: true``: neither waits for office hours."""
    if schedule.trigger == "holiday":
        return True
    found = app.project.posts.get(post)
    return found is None or found.kind == "greeting" or found.urgent


def _gap(app: App, schedule: Schedule, last: datetime, start: datetime) -> Decision | None:
    """One skipped row for every occurrence between the last one recorded and the individually
    scanned window (None when there were none)."""
    project = app.project
    tz = project.office.timezone
    count = 0
    for _ in occurrences(schedule, project.calendar, tz, last + timedelta(seconds=1), start):
        count += 1
        if count >= GAP_COUNT_LIMIT:
            break
    if not count:
        return None
    first, end = last.astimezone(tz), start.astimezone(tz)
    more = reason("occurrence.gap_or_more") if count >= GAP_COUNT_LIMIT else ""
    why = reason(
        "occurrence.gap", count=count, more=more, first=f"{first:%Y-%m-%d %H:%M}", end=f"{end:%Y-%m-%d %H:%M}"
    )
    gap_id = f"{schedule.name}@gap:{first:%Y-%m-%dT%H:%M}..{end:%Y-%m-%dT%H:%M}"
    return Decision(Occurrence(gap_id, schedule.name, start, "", skip=why), "skip", why)


def upcoming(
    app: App, start: datetime, end: datetime, pending: Sequence[tuple[Schedule, Occurrence]] = ()
) -> list[tuple[Schedule, Occurrence]]:
    """What the schedules will send in [start, end), series posts continuing from history (and
    after ``pending``: occurrences already due that the next run sends first)."""
    project = app.project
    greetings = greetings_by_holiday(project.greeting_posts())
    ahead = Counter(s.name for s, _ in pending)
    found = [
        (s, o)
        for s in project.schedules.values()
        for o in occurrences(
            s,
            project.calendar,
            project.office.timezone,
            start,
            end,
            greetings,
            series_position(app.db, s) + ahead[s.name],
        )
    ]
    return sorted(found, key=lambda so: (so[1].at, so[1].id))


def _greeted_nearby(app: App, occ: Occurrence) -> str | None:
    """Id of an occurrence of the same schedule that already ran this post within a few days:
    the holiday moved (calendar.yaml override) after its greeting went out."""
    return recorded.ran_nearby(app.db, occ.schedule, occ.post, occ.at, SAME_HOLIDAY, occ.id)


def next_due(app: App, now: datetime, horizon: timedelta) -> datetime | None:
    found = upcoming(app, now + timedelta(microseconds=1), now + horizon)
    return found[0][1].at if found else None


# ── recording ────────────────────────────────────────────────────────────────


# ── running ──────────────────────────────────────────────────────────────────


async def process_due(app: App, stop: asyncio.Event | None = None) -> list[Result]:
    """Resume what a stopped process left running, then run or skip everything due now."""
    stop = stop or asyncio.Event()
    results: list[Result] = []
    project = app.project
    app.guard_history()
    for row in recorded.running(app.db):
        if stop.is_set():
            return results
        schedule = project.schedules.get(row["schedule"])
        at = datetime.fromisoformat(row["scheduled_for"]).astimezone(project.office.timezone)
        if schedule is None:
            gone = reason("occurrence.schedule_gone", name=row["schedule"])
            recorded.finish(app.db, row["id"], "failed", gone, app.now())
            removed = reason("occurrence.schedule_removed")
            results.append(Result(row["id"], row["schedule"], row["post"], "failed", removed, True))
            continue
        log.info("resuming occurrence %s (%s)", row["id"], row["post"])
        results.append(await _run(app, schedule, row["id"], row["post"], at, stop, resumed=True))

    now = app.now()
    positions: dict[str, int] = {}
    for schedule, decision in due(app, now):
        occ = decision.occurrence
        greeting_mode = schedule.trigger == "holiday" and not schedule.posts  # the post names the holiday
        if decision.action == "run" and greeting_mode and (earlier := _greeted_nearby(app, occ)):
            holiday = occ.holiday or reason("occurrence.this_holiday")
            decision = Decision(occ, "skip", reason("occurrence.already_greeted", holiday=holiday, earlier=earlier))
        if decision.action == "skip":
            recorded.skip(app.db, occ.id, occ.schedule, occ.post, occ.at, decision.reason, app.now())
            log.info("skipped occurrence %s: %s", occ.id, decision.reason)
            results.append(Result(occ.id, schedule.name, occ.post, "skipped", decision.reason))
            continue
        if decision.action == "wait":
            log.info("occurrence %s waits for office hours until %s", occ.id, decision.until)
            results.append(Result(occ.id, schedule.name, occ.post, "waiting", decision.reason, until=decision.until))
            continue
        if decision.action == "hold":
            recorded.hold(app.db, occ.id, occ.schedule, occ.post, occ.at, decision.reason, app.now())
            log.warning("held occurrence %s (%s): %s", occ.id, occ.post, decision.reason)
            results.append(Result(occ.id, schedule.name, occ.post, "held", decision.reason))
            continue
        if stop.is_set():
            break  # not recorded: the next start finds it again (and still within grace, runs it)
        position = None
        if schedule.series:
            current = positions.get(schedule.name, series_position(app.db, schedule))
            position = positions[schedule.name] = (current + 1) % len(schedule.posts)
        if not recorded.claim(app.db, occ.id, schedule.name, occ.post, occ.at, app.now(), position):
            continue
        log.info("running occurrence %s (%s)", occ.id, occ.post)
        results.append(await _run(app, schedule, occ.id, occ.post, occ.at, stop))
    return results


async def _run(
    app: App, schedule: Schedule, occ_id: str, post_name: str, at: datetime, stop: asyncio.Event, resumed=False
) -> Result:
    def result(status: str, why: Reason) -> Result:
        recorded.finish(app.db, occ_id, status, why, app.now())
        level = logging.WARNING if status in ("failed", "running") else logging.INFO
        log.log(level, "occurrence %s: %s (%s)", occ_id, status, why)
        return Result(occ_id, schedule.name, post_name, status, why, resumed)

    try:
        post = app.project.post(post_name)
        summary = await deliver_async(
            app,
            post,
            channels=schedule.channels or None,
            lists=schedule.lists or None,
            occurrence=occ_id,
            day=at.date(),
            stop=stop,
            schedule=schedule,
            at=at,
        )
    except SiaranError as e:
        return result("failed", e.reason if isinstance(e, DeliveryError) else text(str(e)))
    counts = _counts(summary)
    if summary.left_queued and stop.is_set():
        return result("running", reason("occurrence.stopped_queued", n=summary.left_queued))
    if summary.stopped:
        return result("failed", reason("joined", parts=[summary.stopped, counts]))
    if summary.left_queued:
        return result("running", reason("occurrence.queued_after_errors", n=summary.left_queued))
    if summary.failed or summary.uncertain or summary.recovered:
        return result("failed", reason("occurrence.not_all_sent", counts=counts))
    return result("done", counts)


def _counts(s: Summary) -> Reason:
    """The occurrence's reason: its counts, then why the most common skipped ones were left out (one
    of them may name an earlier send: "already sent by hand at 08.20")."""
    counts = reason(
        "occurrence.counts",
        sent=s.sent,
        failed=sum(s.failed.values()),
        uncertain=s.uncertain,
        skipped=sum(s.skipped.values()),
        already=sum(s.already.values()),
    )
    why = [reason("occurrence.skipped_count", n=n, reason=r) for r, n in s.skipped.most_common(3)]
    return reason("joined", parts=[counts, *why]) if why else counts
