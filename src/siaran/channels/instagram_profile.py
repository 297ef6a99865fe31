"""Reading the office's Instagram profile with instaloader (read-only).

instaloader only reads, and Instagram fights it (HTTP 429 on the first request, 401 "Please wait a
few minutes", login walls). So: one instance per run, no retries or waiting (a 429 is "unknown this
week", not a reason to loop), an optional saved session file, and iteration stops at the reporting
window. The network part is ``instaloader_source``; everything after it works on plain dataclasses
(``ProfileData``), built from instaloader's own Profile/Post objects by ``read_profile``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from ..i18n import _

PINNED_MAX = 3  # Instagram lets a profile pin 3 posts; they come first even when older


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
    later = " " + _("Nothing in the queue changed; try again later (at most once a week is kinder to Instagram).")
    first = text.splitlines()[0] if text else ""
    if isinstance(e, ie.TooManyRequestsException) or "429" in text:
        return _("Instagram is rate-limiting this computer (HTTP 429 Too Many Requests).") + later
    if "Please wait a few minutes" in text or "401" in text:
        return _('Instagram said "Please wait a few minutes" (HTTP 401).') + later
    if isinstance(e, ie.ProfileNotExistsException):
        return _("Instagram has no profile @{user}: check instagram: in content/office.yaml.").format(user=username)
    if isinstance(e, ie.LoginRequiredException | ie.PrivateProfileNotFollowedException | ie.LoginException):
        return (
            _(
                "Instagram wants a login before showing this profile. Save a session once with "
                "`instaloader --login YOURNAME` and set instagram.session_file and instagram.username."
            )
            + later
        )
    if isinstance(e, ie.QueryReturnedBadRequestException | ie.AbortDownloadException):
        return _("Instagram refused the request (400: checkpoint or challenge; open Instagram in a browser).") + later
    if isinstance(e, ie.QueryReturnedForbiddenException):
        return _("Instagram refused the request (403 Forbidden).") + later
    if "NameResolutionError" in text or "Max retries exceeded" in text or isinstance(e, ConnectionError):
        return _("Could not reach www.instagram.com: is this computer online?") + later
    if isinstance(e, ie.ConnectionException | OSError):
        return _("Could not read Instagram: {error}.").format(error=first or type(e).__name__) + later
    return _("Could not read Instagram ({error}).").format(error=f"{type(e).__name__}: {first}") + later
