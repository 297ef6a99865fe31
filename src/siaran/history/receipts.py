"""Who already got a post: the earlier deliveries a new send of it must not repeat (issue 24)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from .db import utc

if TYPE_CHECKING:
    import sqlite_utils

# A message that went, or may have gone (uncertain, sending), counts as received: never resent blindly.
RECEIVED = ("sent", "delivered", "read", "uncertain", "sending")


class EarlierSend(NamedTuple):  # a tuple: one per person of a broadcast, made fast
    recipient: str
    occurrence: str | None  # None: sent by hand (`siaran send`)
    at: str  # when it went, as history stores it (UTC ISO 8601: sorts as time does)

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.at)


def received_since(
    db: sqlite_utils.Database,
    post: str,
    since: datetime,
    *,
    content_hash: str | None = None,
    not_schedule: str = "",
    not_keys: Collection[str] = (),
) -> dict[str, EarlierSend]:
    """Each recipient's first delivery of ``post`` at or after ``since`` that went out (or may have):
    only of this content version when ``content_hash`` is given, leaving out the occurrences of
    ``not_schedule`` (a schedule's own earlier occurrences are its earlier periods) and ``not_keys``."""
    sql = (
        "select key, recipient, occurrence, coalesce(sent_at, updated_at) as at from deliveries "
        f"where post = ? and status in ({', '.join('?' * len(RECEIVED))}) and coalesce(sent_at, updated_at) >= ?"
    )
    params: list = [post, *RECEIVED, utc(since)]
    if content_hash is not None:
        sql += " and content_hash = ?"
        params.append(content_hash)
    if not_schedule:
        sql += " and (occurrence is null or substr(occurrence, 1, ?) != ?)"
        params += [len(not_schedule) + 1, not_schedule + "@"]
    rows = db.execute(sql + " order by at desc", params).fetchall()
    # Latest first, so each person's earliest receipt is the one left in the dict.
    return {row[1]: EarlierSend(row[1], row[2], row[3]) for row in rows if row[0] not in not_keys}
