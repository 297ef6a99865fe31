"""What the operator page shows, gathered from the project and history (no HTML here, no SQL either:
the queries are in siaran.history.reports)."""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..app import App
from ..clock import zone_label
from ..content.model import Recipient
from ..delivery.occurrences import due, upcoming
from ..delivery.outlook import note
from ..errors import SiaranError
from ..history import optouts, reports
from ..history.occurrences import recorded_since
from ..i18n import N_, _
from ..reasons import say

WEEK = timedelta(days=7)
# Occurrence status in history → what the page calls it (translated when shown) and the CSS class.
STATES = {
    "done": (N_("sent"), "ok"),
    "failed": (N_("failed"), "bad"),
    "skipped": (N_("skipped"), "muted"),
    "running": (N_("held"), "warn"),
}
# Delivery statuses, failures first; statuses another part of siaran may add (delivered, read) fit in.
STATUS_ORDER = ("failed", "uncertain", "skipped", "queued", "sending", "sent", "delivered", "read")
STATUS_LABELS = {
    "failed": N_("failed"),
    "uncertain": N_("uncertain"),
    "skipped": N_("skipped"),
    "queued": N_("queued"),
    "sending": N_("sending"),
    "sent": N_("sent"),
    "delivered": N_("delivered"),
    "read": N_("read"),
}
BAD = {"failed", "uncertain"}


def label(status: str) -> str:
    """A delivery status as the page names it, in the operator's language."""
    return _(STATUS_LABELS.get(status, status))


@dataclass
class WeekRow:
    at: datetime
    schedule: str
    post: str
    title: str
    channels: tuple[str, ...]
    lists: tuple[str, ...]
    recipients: int | None
    state: str
    css: str
    reason: str = ""
    holiday: str = ""
    problems: int = 0  # failed or uncertain messages: the row links to Riwayat


def this_week(app: App) -> tuple[list[WeekRow], list[WeekRow]]:
    """(the last 7 days as history recorded them, the next 7 days as the schedules will run them)."""
    project = app.project
    tz = project.office.timezone
    now = app.now()
    ig = reports.instagram_statuses(app.db, now - WEEK)
    past = []
    for row in recorded_since(app.db, now - WEEK):
        at = datetime.fromisoformat(row["scheduled_for"]).astimezone(tz)
        if at > now:
            continue  # a rehearsal recorded ahead of the clock: not "past" yet
        schedule = project.schedules.get(row["schedule"])
        counts = tallies(app, row["post"], row["id"])[0]
        for status in ig.get((row["post"], row["id"]), ()):
            counts[status] -= 1  # Instagram's own row is not a person
        state, css = STATES.get(row["status"], (row["status"], "muted"))
        # A finished occurrence is told by its counts (in the page's language); others by their reason.
        reason = _tally(counts) if row["status"] == "done" else (say(row["reason"]) or "")
        if row["status"] == "done" and "; " in (row["reason"] or ""):  # why some were skipped
            reason += "; " + (say(row["reason"].split("; ", 1)[1]) or "")
        past.append(_row(app, at, row["schedule"], row["post"], schedule, sum(counts.values()), _(state), css, reason))
        past[-1].problems = sum(counts.get(s, 0) for s in BAD)
    late = [(s, d.occurrence) for s, d in due(app, now) if d.action == "run"]
    ahead = []
    opted_out = optouts.numbers(app.db)
    unread = getattr(project.lists, "unread", False)  # the page never opens a list: no count ahead
    for schedule, occ in late + upcoming(app, now + timedelta(microseconds=1), now + WEEK, late):
        reason = _("late: the next round of siaran run sends it") if (schedule, occ) in late else ""
        lists = _lists(app, schedule, occ.post)
        count = None if unread else len({r.phone for n in lists for r in _recipients(app, n)} - opted_out)
        state, css = _("will be sent"), "next"
        why, nothing = note(app, schedule, occ)
        if nothing:  # its event is over, or everyone got the post already this period
            state, css, reason = _("will not be sent"), "muted", say(why) or ""
        elif why:
            reason = "; ".join(r for r in (reason, say(why)) if r)
        ahead.append(_row(app, occ.at, schedule.name, occ.post, schedule, count, state, css, reason))
        ahead[-1].holiday = occ.holiday
    return past, ahead


def _tally(counts: dict[str, int]) -> str:
    ordered = sorted(counts, key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else 99)
    return ", ".join(f"{counts[s]} {label(s)}" for s in ordered if counts[s] > 0)


def _lists(app: App, schedule, post_name: str) -> tuple[str, ...]:
    post = app.project.posts.get(post_name)
    return tuple(schedule.lists if schedule and schedule.lists else (post.lists if post else ()))


def _recipients(app: App, list_name: str) -> tuple[Recipient, ...]:
    blist = app.project.lists.get(list_name)
    return blist.recipients if blist else ()


def _row(app: App, at, schedule_name, post_name, schedule, recipients, state, css, reason) -> WeekRow:
    post = app.project.posts.get(post_name)
    channels = tuple(schedule.channels if schedule and schedule.channels else (post.channels if post else ()))
    return WeekRow(
        at=at,
        schedule=schedule_name,
        post=post_name,
        title=post.title if post else post_name,
        channels=channels,
        lists=_lists(app, schedule, post_name),
        recipients=recipients,
        state=state,
        css=css,
        reason=reason,
    )


@dataclass
class Count:
    status: str
    label: str
    n: int
    reasons: list[tuple[str, str, int]] = field(default_factory=list)  # failed: (code, error, n)


@dataclass
class SentPost:
    """One post × occurrence (occurrence None: sent by hand with `siaran send`)."""

    post: str
    occurrence: str | None
    at: datetime | None
    counts: list[Count]
    instagram: list[str]

    @property
    def failures(self) -> int:
        return sum(c.n for c in self.counts if c.status in BAD)


PAGE = 20  # occurrences per Riwayat page: counting stays a few index ranges, whatever the window


def history(app: App, days: int, skip: int = 0) -> tuple[list[SentPost], bool]:
    """Per post and occurrence of the last ``days`` days, newest first, ``PAGE`` at a time (manual
    sends on the first page), counts by status: on each page the ones with failures come first.
    Returns (what to show, whether older occurrences remain)."""
    tz = app.project.office.timezone if _project_ok(app) else None
    since = app.now() - timedelta(days=days)
    recorded = list(reversed(recorded_since(app.db, since)))
    shown = recorded[skip : skip + PAGE]
    ig = reports.instagram_statuses(app.db, since)
    found: list[SentPost] = []
    for row in shown:
        at = datetime.fromisoformat(row["scheduled_for"])
        found.append(_sent(app, row["post"], row["id"], at.astimezone(tz) if tz else at, ig))
    if _project_ok(app) and skip == 0:
        found.extend(_sent(app, name, None, None, ig) for name in sorted(app.project.posts))
    found = [s for s in found if s.counts or s.instagram]
    found.sort(key=lambda s: s.failures == 0)  # stable: failures first, each group newest first
    return found, len(recorded) > skip + PAGE


class _Memo:
    """Counts per (post, occurrence), kept while the history is unchanged: the page never writes, and
    SQLite's data_version moves as soon as another process (the daemon, a webhook) commits."""

    def __init__(self) -> None:
        self.version: int | None = None
        self.found: dict[tuple[str, str | None], tuple[dict[str, int], list]] = {}


_MEMOS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # one per open history connection


def tallies(app: App, post: str, occurrence: str | None) -> tuple[dict[str, int], list[tuple[str, str, int]]]:
    """(status → count, failure reasons) of one post × occurrence."""
    memo = _MEMOS.setdefault(app.db, _Memo())
    version = reports.data_version(app.db)
    if version != memo.version:
        memo.found.clear()
        memo.version = version
    key = (post, occurrence)
    if key not in memo.found:
        counts = reports.counts_by_status(app.db, post, occurrence)
        reasons = reports.failure_reasons(app.db, post, occurrence) if counts.get("failed") else []
        memo.found[key] = (counts, reasons)
    counts, reasons = memo.found[key]
    return dict(counts), reasons


def _sent(app: App, post: str, occurrence: str | None, at, ig) -> SentPost:
    counts, reasons = tallies(app, post, occurrence)
    instagram = ig.get((post, occurrence), [])
    for status in instagram:  # shown on their own: a WhatsApp count is people, not an Instagram post
        counts[status] -= 1
    rows = []
    for status in sorted(counts, key=lambda s: (STATUS_ORDER.index(s) if s in STATUS_ORDER else 99, s)):
        if counts[status] > 0:
            why = reasons if status == "failed" else []
            rows.append(Count(status, label(status), counts[status], why))
    return SentPost(post, occurrence, at, rows, [label(s) for s in instagram])


def people(app: App, post: str, occurrence: str | None, status: str, error: str | None) -> list[dict]:
    """The rows behind a count, each with the recipient's name as it was sent (the lists are not read)."""
    rows = reports.recipients_with(app.db, post, occurrence, status, error)
    for r in rows:
        r["name"] = r.pop("recipient_name") or ""
    return rows


def _project_ok(app: App) -> bool:
    try:
        app.project  # noqa: B018 - loading it is the question
    except SiaranError:
        return False
    return True


def handoffs(app: App) -> list[dict]:
    """Instagram posts handed to the operator (newest first), with images and caption."""
    rows = reports.handed_off(app.db)
    tz = app.project.office.timezone if _project_ok(app) else None
    for r in rows:
        r["image_list"] = _json_list(r["images"])
        stamp = r["sent_at"] or r["updated_at"]
        r["when"] = datetime.fromisoformat(stamp).astimezone(tz) if stamp else None
    return rows


def _json_list(value: str | None) -> list[str]:
    try:
        found = json.loads(value or "[]")
    except ValueError:
        return []
    return [str(v) for v in found] if isinstance(found, list) else []


def zone(app: App) -> str:
    return zone_label(app.project.office.timezone)
