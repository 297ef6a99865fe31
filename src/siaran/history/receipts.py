"""Who already got a post: the earlier deliveries a new send of it must not repeat (issue 24)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from .db import utc

# A message that went, or may have gone (uncertain, sending), counts as received: never resent blindly.
RECEIVED = ("sent", "delivered", "read", "uncertain", "sending")


@dataclass(frozen=True)
class Receipt:
    recipient: str
    occurrence: str | None  # None: sent by hand (`siaran send`)
    at: datetime  # when it went (UTC)


def received_since(
    db: sqlite_utils.Database,
    post: str,
    since: datetime,
    *,
    content_hash: str | None = None,
    not_schedule: str = "",
    not_keys: Collection[str] = (),
) -> dict[str, Receipt]:
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
    found: dict[str, Receipt] = {}
    for key, recipient, occurrence, at in db.execute(sql + " order by at", params).fetchall():
        if recipient not in found and key not in not_keys:
            found[recipient] = Receipt(recipient, occurrence, datetime.fromisoformat(at))
    return found
