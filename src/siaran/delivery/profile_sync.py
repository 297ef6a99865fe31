"""`siaran instagram sync`: what really appeared on the office's Instagram (read by
siaran.channels.instagram_profile), matched to the Instagram deliveries by caption, and the
profile's counts kept for the weekly report. Every failure becomes SyncError — a plain message —
and history is only written after the profile was read completely.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ..app import App
from ..channels.instagram_caption import SAME_CAPTION, similarity
from ..channels.instagram_profile import ProfileData, RecentPost, Source, SyncRequest, explain, instaloader_source
from ..errors import ConfigError, SyncError
from ..history import instagram as table
from ..history import snapshots, utc
from ..i18n import _
from .http import proxy_environment

log = logging.getLogger(__name__)

MATCH_STATUSES = ("queued", "sending", "uncertain", "sent")


@dataclass
class SyncResult:
    profile: ProfileData
    confirmed: list[tuple[dict, RecentPost]] = field(default_factory=list)
    unmatched: list[RecentPost] = field(default_factory=list)


def fetch(app: App, weeks: int, source: Source | None = None) -> ProfileData:
    handle = app.project.office.instagram
    if not handle:
        raise ConfigError(_("content/office.yaml has no instagram: handle; there is no profile to sync"))
    ig = app.settings.instagram
    since = window_start(app, weeks)
    req = SyncRequest(handle.lstrip("@"), since, ig.session_file and str(app.root / ig.session_file), ig.username)
    if req.session_file and not (app.root / ig.session_file).is_file():
        raise ConfigError(_("instagram.session_file {path!r} does not exist").format(path=ig.session_file))
    import instaloader.exceptions as ie

    try:
        with proxy_environment(app.settings.network.proxy):  # instaloader (requests) reads it there only
            return (source or instaloader_source)(req)
    except (ie.InstaloaderException, ie.AbortDownloadException, OSError) as e:
        log.info("instaloader failed: %s", e)
        raise SyncError(explain(e, req.username)) from None


def window_start(app: App, weeks: int) -> datetime:
    """Monday 00:00 (office time) of the oldest ISO week in the window, in UTC."""
    local = app.local_now()
    monday = local.date() - timedelta(days=local.weekday() + 7 * (max(1, weeks) - 1))
    return datetime.combine(monday, datetime.min.time(), tzinfo=local.tzinfo).astimezone(UTC)


def reconcile(app: App, data: ProfileData) -> SyncResult:
    """Match recent posts to queued / handed-off / published posts by caption; snapshot the counts."""
    db = app.db
    now = app.now()
    result = SyncResult(data)
    rows = table.rows(db)
    known = {r["shortcode"] for r in rows if r["shortcode"]}
    # Anything not failed and not yet seen on the profile may be the post the operator shared.
    candidates = [r for r in rows if r["status"] in MATCH_STATUSES and not r["confirmed_at"]]
    for post in sorted(data.recent, key=lambda p: p.taken_at):
        if post.shortcode in known:
            continue
        best, score = None, 0.0
        for row in candidates:
            created = datetime.fromisoformat(row["created_at"]) if row["created_at"] else None
            if created and post.taken_at < created - timedelta(days=1):
                continue  # a post older than the queue entry cannot be it
            s = similarity(post.caption, row["caption"] or "")
            if s > score:
                best, score = row, s
        if best is None or score < SAME_CAPTION:
            result.unmatched.append(post)
            continue
        candidates.remove(best)
        table.save(
            db, best["key"], now, status="sent", shortcode=post.shortcode, permalink=post.url,
            posted_at=utc(post.taken_at), confirmed_at=utc(now), error=None, worker=None,
            sent_at=utc(post.taken_at), provider_id=post.url,
        )  # fmt: skip
        result.confirmed.append((best, post))
    if data.followers is not None or data.posts is not None:
        snapshots.add(db, now, data.username, data.posts, data.followers, data.following)
    return result


def sync(app: App, weeks: int = 4, source: Source | None = None) -> SyncResult:
    return reconcile(app, fetch(app, weeks, source))
