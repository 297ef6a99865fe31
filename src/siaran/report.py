"""`siaran report`: per ISO week (office time), what went out on each channel, what failed, and how
the Instagram following grew. Field guidance for village accounts is at least one Instagram post a
week, so a week without one is flagged."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from .app import App
from .history import instagram, reports, snapshots, tickets
from .i18n import _


@dataclass
class Week:
    label: str  # 2026-W48
    start: date  # Monday
    whatsapp_posts: int = 0  # distinct post + occurrence with at least one message sent
    whatsapp_sent: int = 0
    whatsapp_failed: int = 0
    whatsapp_failed_later: int = 0  # accepted by the provider, failed afterwards (status webhook)
    whatsapp_delivered: int = 0  # delivery receipts (delivered or read)
    whatsapp_read: int = 0
    whatsapp_uncertain: int = 0
    instagram_posts: int = 0  # published through the API or confirmed on the profile
    instagram_handed_off: int = 0  # handed to the operator, not (yet) seen on the profile
    instagram_failed: int = 0
    followers: int | None = None  # last snapshot of the week
    followers_change: int | None = None
    current: bool = False  # the week in progress
    flags: list[str] = field(default_factory=list)


def _local(stamp: str | None, tz: ZoneInfo) -> date | None:
    if not stamp:
        return None
    dt = datetime.fromisoformat(stamp)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(tz).date()


def _utc_midnight(d: date, tz: ZoneInfo) -> str:
    return datetime.combine(d, datetime.min.time(), tzinfo=tz).astimezone(UTC).isoformat(timespec="seconds")


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def build(app: App, weeks: int = 4) -> list[Week]:
    tz = app.office.timezone
    today = app.local_now().date()
    first = _monday(today) - timedelta(weeks=max(1, weeks) - 1)
    out: dict[date, Week] = {}
    for i in range(max(1, weeks)):
        start = first + timedelta(weeks=i)
        year, week, _day = start.isocalendar()
        out[start] = Week(f"{year}-W{week:02d}", start, current=start == _monday(today))

    def week_of(stamp: str | None) -> Week | None:
        d = _local(stamp, tz)
        return out.get(_monday(d)) if d and d >= first else None

    since = datetime.combine(first, datetime.min.time(), tzinfo=tz).astimezone(UTC).isoformat(timespec="seconds")
    offset = int(app.now().astimezone(tz).utcoffset().total_seconds() // 60)
    bounds = [(w.start.isoformat(), _utc_midnight(w.start, tz), _utc_midnight(w.start + timedelta(weeks=1), tz))
              for w in sorted(out.values(), key=lambda w: w.start)]  # fmt: skip
    for monday, counts in reports.whatsapp_weeks(app.db, bounds, offset).items():
        w = out.get(date.fromisoformat(monday))
        if w is None:
            continue
        w.whatsapp_sent, w.whatsapp_posts = counts.sent, counts.posts
        w.whatsapp_delivered, w.whatsapp_read = counts.delivered, counts.read
        w.whatsapp_failed, w.whatsapp_failed_later = counts.failed, counts.failed_later
        w.whatsapp_uncertain = counts.uncertain

    for r in instagram.rows(app.db):
        w = week_of(r["posted_at"] or r["published_at"] or r["updated_at"])
        if w is None:
            continue
        label = instagram.label(r)
        if label in ("published", "confirmed"):
            w.instagram_posts += 1
        elif label == "handed_off":
            w.instagram_handed_off += 1
        elif r["status"] == "failed":
            w.instagram_failed += 1

    previous = snapshots.followers_before(app.db, since)
    snaps = snapshots.since(app.db, since)
    for w in sorted(out.values(), key=lambda w: w.start):
        inside = [s for s in snaps if _local(s["taken_at"], tz) and _monday(_local(s["taken_at"], tz)) == w.start]
        if inside and inside[-1]["followers"] is not None:
            w.followers = inside[-1]["followers"]
            if previous is not None:
                w.followers_change = w.followers - previous
            previous = w.followers
        if not w.instagram_posts:
            extra = (
                _(" ({n} handed off, not seen on the profile)").format(n=w.instagram_handed_off)
                if w.instagram_handed_off
                else ""
            )
            w.flags.append(
                (_("no Instagram post this week yet") if w.current else _("no Instagram post this week")) + extra
            )
    return sorted(out.values(), key=lambda w: w.start)


def ticket_months(app: App, months: int = 12) -> list[dict]:
    """Aduan and saran tickets opened and closed per office month, the last ``months`` months."""
    tz = app.office.timezone
    today = app.local_now().date()
    first = date(today.year - (1 if today.month <= months - 1 else 0), (today.month - months) % 12 + 1, 1)
    offset = int(app.now().astimezone(tz).utcoffset().total_seconds() // 60)
    return tickets.months(app.db, offset, _utc_midnight(first, tz))


def as_dicts(weeks: list[Week]) -> list[dict]:
    return [{**asdict(w), "start": w.start.isoformat()} for w in weeks]
