"""`siaran instagram sync`: what really appeared on the office's Instagram, read with instaloader.

instaloader only reads, and Instagram fights it (HTTP 429 on the first request, 401 "Please wait a
few minutes", login walls). So: one instance per run, no retries or waiting (a 429 is "unknown this
week", not a reason to loop), an optional saved session file, and iteration stops at the reporting
window. Every failure becomes SyncError — a plain message — and the queue is only written after the
profile was read completely.

The network part is ``instaloader_source``; everything after it works on plain dataclasses
(``ProfileData``), built from instaloader's own Profile/Post objects by ``read_profile``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .. import history
from ..app import App
from ..errors import ConfigError, SiaranError
from . import store
from .match import similarity

log = logging.getLogger(__name__)

PINNED_MAX = 3  # Instagram lets a profile pin 3 posts; they come first even when older
MATCH_STATUSES = ("queued", "publishing", "uncertain", "handed_off", "published")


class SyncError(SiaranError):
    """Instagram could not be read this time; nothing in the queue changed."""


@dataclass(frozen=True)
class RecentPost:
    shortcode: str
    caption: str
    taken_at: datetime  # UTC

    @property
    def url(self) -> str:
        return f"https://www.instagram.com/p/{self.shortcode}/"


@dataclass(frozen=True)
class ProfileData:
    username: str
    posts: int | None
    followers: int | None
    following: int | None
    recent: tuple[RecentPost, ...] = ()


@dataclass(frozen=True)
class SyncRequest:
    username: str
    since: datetime  # UTC; older posts are not needed
    session_file: str = ""
    login: str = ""


Source = Callable[[SyncRequest], ProfileData]


def read_profile(profile, posts: Iterable, since: datetime) -> ProfileData:
    """Plain data from instaloader's Profile and its posts (newest first), stopping at ``since``."""
    recent: list[RecentPost] = []
    older = 0
    for post in posts:
        taken = post.date_local.astimezone(UTC)
        if taken < since:
            older += 1
            if older > PINNED_MAX:
                break
            continue
        recent.append(RecentPost(post.shortcode, post.caption or "", taken))
    return ProfileData(profile.username, profile.mediacount, profile.followers, profile.followees, tuple(recent))


def instaloader_source(req: SyncRequest) -> ProfileData:
    """Reads the profile over the network. Raises instaloader's own exceptions."""
    import instaloader

    loader = instaloader.Instaloader(
        quiet=True,
        max_connection_attempts=1,  # never retry, never sit out a 429 inside instaloader
        request_timeout=30.0,
        download_pictures=False,
        download_videos=False,
        download_video_thumbnails=False,
        save_metadata=False,
        compress_json=False,
    )
    try:
        if req.session_file:
            loader.load_session_from_file(req.login or req.username, req.session_file)
        profile = instaloader.Profile.from_username(loader.context, req.username)
        return read_profile(profile, profile.get_posts(), req.since)
    finally:
        loader.close()


def explain(e: BaseException, username: str) -> str:
    """A plain sentence for the operator from whatever instaloader raised."""
    import instaloader.exceptions as ie

    text = str(e)
    later = "Nothing in the queue changed; try again later (at most once a week is kinder to Instagram)."
    if isinstance(e, ie.TooManyRequestsException) or "429" in text:
        return f"Instagram is rate-limiting this computer (HTTP 429 Too Many Requests). {later}"
    if "Please wait a few minutes" in text or "401" in text:
        return f'Instagram said "Please wait a few minutes" (HTTP 401). {later}'
    if isinstance(e, ie.ProfileNotExistsException):
        return f"Instagram has no profile @{username}: check instagram: in content/office.yaml."
    if isinstance(e, ie.LoginRequiredException | ie.PrivateProfileNotFollowedException | ie.LoginException):
        return (
            "Instagram wants a login before showing this profile. Save a session once with "
            "`instaloader --login YOURNAME` and set instagram.session_file and instagram.username. " + later
        )
    if isinstance(e, ie.QueryReturnedBadRequestException | ie.AbortDownloadException):
        return f"Instagram refused the request (400: checkpoint or challenge; open Instagram in a browser). {later}"
    if isinstance(e, ie.QueryReturnedForbiddenException):
        return f"Instagram refused the request (403 Forbidden). {later}"
    if "NameResolutionError" in text or "Max retries exceeded" in text or isinstance(e, ConnectionError):
        return f"Could not reach www.instagram.com: is this computer online? {later}"
    if isinstance(e, ie.ConnectionException | OSError):
        return f"Could not read Instagram: {text.splitlines()[0] if text else type(e).__name__}. {later}"
    return f"Could not read Instagram ({type(e).__name__}: {text.splitlines()[0] if text else ''}). {later}"


@dataclass
class SyncResult:
    profile: ProfileData
    confirmed: list[tuple[dict, RecentPost]] = field(default_factory=list)
    unmatched: list[RecentPost] = field(default_factory=list)


def fetch(app: App, weeks: int, source: Source | None = None) -> ProfileData:
    handle = app.project.office.instagram
    if not handle:
        raise ConfigError("content/office.yaml has no instagram: handle; there is no profile to sync")
    ig = app.settings.instagram
    since = window_start(app, weeks)
    req = SyncRequest(handle.lstrip("@"), since, ig.session_file and str(app.root / ig.session_file), ig.username)
    if req.session_file and not (app.root / ig.session_file).is_file():
        raise ConfigError(f"instagram.session_file {ig.session_file!r} does not exist")
    import instaloader.exceptions as ie

    try:
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
    known = {r["shortcode"] for r in store.rows(db) if r["shortcode"]}
    candidates = store.rows(db, MATCH_STATUSES)
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
        if best is None or score < 0.85:
            result.unmatched.append(post)
            continue
        candidates.remove(best)
        store.update(
            db, best["key"], now, status="confirmed", shortcode=post.shortcode, permalink=post.url,
            posted_at=history.utc(post.taken_at), confirmed_at=history.utc(now), error=None, worker=None,
        )  # fmt: skip
        result.confirmed.append((best, post))
    if data.followers is not None or data.posts is not None:
        db["profile_snapshots"].insert(
            {"taken_at": history.utc(now), "username": data.username, "posts": data.posts,
             "followers": data.followers, "following": data.following}
        )  # fmt: skip
    return result


def sync(app: App, weeks: int = 4, source: Source | None = None) -> SyncResult:
    return reconcile(app, fetch(app, weeks, source))
