"""What an upcoming occurrence will really do, for `siaran schedule` and the page: nothing when its
post's event is over, or less than everyone when people already got the post this period."""

from __future__ import annotations

from ..app import App
from ..content.schedules import Schedule
from ..errors import SiaranError
from ..plan import instagram_address, merge_lists
from ..reasons import Reason, reason
from ..schedule import Occurrence
from ..schedule.lifetime import over
from . import repeats


def note(app: App, schedule: Schedule, occ: Occurrence) -> tuple[Reason | None, bool]:
    """(why, sends nothing): None when the occurrence goes out as planned (``why`` is shown
    through ``say``)."""
    project = app.project
    post = project.posts.get(occ.post)
    if post is None:
        return None, False
    if why := over(post, occ.at, project.office.timezone):
        return why, True
    try:
        found = repeats.earlier(app, post, schedule, occ.at)
    except SiaranError:
        return None, False
    if not found:
        return None, False
    tz = project.office.timezone
    if getattr(project.lists, "unread", False):  # the page never opens a list: how many, not of how many
        first = min(found.values(), key=lambda r: r.at)
        why = repeats.left_out(first, tz, occ.at.astimezone(tz).date())
        return reason("schedule.left_out", n=len(found), reason=why), False
    channels = schedule.channels or post.channels
    names = schedule.lists or post.lists
    addresses = set()
    if "whatsapp" in channels:
        addresses |= {r.phone for r in merge_lists(project.lists[n] for n in names if n in project.lists)}
    if "instagram" in channels:
        addresses.add(instagram_address(project.office))
    got = addresses & found.keys()
    if not got:
        return None, False
    first = min((found[a] for a in got), key=lambda r: r.at)
    why = repeats.left_out(first, tz, occ.at.astimezone(tz).date())
    if len(got) == len(addresses):
        return why, True
    return reason("schedule.left_out_of", n=len(got), total=len(addresses), reason=why), False
