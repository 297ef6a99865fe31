"""What the daemon does for the inbox on each pass: one alert on an office morning when conversations
are waiting since before the office opened (Apprise and the operator's WhatsApp, like every alert), and
deleting incoming messages older than the retention period (UU PDP: kept no longer than needed)."""

from __future__ import annotations

import logging
from datetime import timedelta

from ..alerts import Alert
from ..app import App
from ..content.autoreply import load_autoreply
from ..errors import SiaranError
from ..history import conversations
from ..history.db import utc
from ..i18n import ngettext
from .chats import local
from .hours import OfficeHours

log = logging.getLogger(__name__)

PROBLEM = "inbox:waiting"  # one alert per office day (alerts are claimed per problem and day)
# Meta re-sends a webhook for up to 7 days: a message id must outlive that, or a late redelivery would be
# answered a second time.
MIN_DAYS = 8


def morning_alert(app: App) -> list[Alert]:
    """The alert for conversations waiting since before this morning's opening, once the office is open."""
    try:
        project = app.project
        auto = load_autoreply(app.root, [])
    except SiaranError:
        return []
    now = app.now()
    opened = OfficeHours.of(project, auto).opened_today(now)
    if opened is None:
        return []
    count, oldest = conversations.waiting(app.db, before=utc(opened))
    if not count or oldest is None:
        return []
    tz = project.office.timezone
    since = local(oldest["waiting_since"], tz)
    who = oldest["list_name"] or oldest["name"] or ""
    number = f"+{oldest['wa_id']}" if oldest["wa_id"] else oldest["id"]
    text = ngettext(
        "siaran: {n} conversation on WhatsApp waits for an answer; the oldest since {since} from {who}. "
        "See `siaran inbox` or the page's Kotak masuk.",
        "siaran: {n} conversations on WhatsApp wait for an answer; the oldest since {since} from {who}. "
        "See `siaran inbox` or the page's Kotak masuk.",
        count,
    ).format(
        n=count,
        since=f"{since:%Y-%m-%d %H:%M} {project.office.tz_label}" if since else "-",
        who=f"{who} ({number})" if who else number,
    )
    return [Alert(PROBLEM, text)]


def purge(app: App) -> int:
    """Delete messages and replies older than ``inbox.retention_days``; returns how many went."""
    days = max(int(app.settings.inbox.retention_days), MIN_DAYS)
    gone = conversations.purge(app.db, app.now() - timedelta(days=days))
    if gone:
        log.info("inbox: %d message(s) older than %d days deleted (inbox.retention_days)", gone, days)
    return gone
