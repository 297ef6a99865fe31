"""The posting history: one SQLite file (sqlite-utils), WAL mode, numbered migrations applied on open.
This package is the only place that writes SQL.

Delivery life cycle (one row per post × channel × recipient × occurrence, unique ``key``; Instagram
posts are rows too, recipient = the office's @handle)::

    queued ──▶ sending ──▶ sent | failed
                  │
                  └──(process died, or the answer never came)──▶ uncertain   (never resent blindly)
    queued ──▶ skipped   (opted out, invalid number, occurrence past its grace window)

The row is written (queued) before the channel is called and moved to ``sending`` — with the
worker that owns it — right before the request leaves, so after a crash we know exactly which
messages might have gone.

Modules: ``db`` (open, time stamps, worker ids), ``schema`` (migrations), ``deliveries``,
``instagram`` (the state an Instagram delivery row carries), ``occurrences``, ``optouts``, ``media``
(the Cloud API media id cache), ``snapshots`` (profile counts), ``reports`` (weekly figures),
``safety`` (daily backups, owner-only files, one plain sentence per database fault).
"""

from .db import STATUSES, WENT_OUT, alive, open_db, utc, worker_id

__all__ = ["STATUSES", "WENT_OUT", "alive", "open_db", "utc", "worker_id"]
