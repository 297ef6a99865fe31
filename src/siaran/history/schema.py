"""The history's tables, as numbered migrations applied in order when the file is opened."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import tallies

if TYPE_CHECKING:
    import sqlite_utils

Migration = Callable[["sqlite_utils.Database"], None]


class _Registry:
    """Registers migrations as sqlite-utils' ``Migrations`` does (``@migrations()``) without importing
    sqlite-utils: a command that opens a history already migrated only needs their names."""

    def __init__(self) -> None:
        self._all: list[Migration] = []

    def __call__(self) -> Callable[[Migration], Migration]:
        def register(fn: Migration) -> Migration:
            self._all.append(fn)
            return fn

        return register

    def names(self) -> list[str]:
        """Every migration's name, in order."""
        return [fn.__name__ for fn in self._all]

    def apply(self, db: sqlite_utils.Database) -> None:
        """Apply those not applied yet, in order (sqlite-utils' ``_sqlite_migrations``, set "siaran")."""
        from sqlite_utils.migrations import Migrations

        found = Migrations("siaran")
        for fn in self._all:
            found()(fn)
        found.apply(db)


migrations = _Registry()


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["deliveries"].create(
        {
            "id": int, "key": str, "post": str, "channel": str, "provider": str, "recipient": str, "list": str,
            "occurrence": str, "content_hash": str, "status": str, "attempts": int, "provider_id": str,
            "error": str, "error_code": str, "worker": str, "created_at": str, "updated_at": str,
            "sent_at": str, "not_before": str,
        },
        pk="id",
        not_null={"key", "post", "channel", "recipient", "status"},
        defaults={"attempts": 0},
    )  # fmt: skip
    db["deliveries"].create_index(["key"], unique=True)
    db["deliveries"].create_index(["post", "occurrence"])
    db["deliveries"].create_index(["status"])
    db["occurrences"].create(
        {
            "id": str, "schedule": str, "post": str, "scheduled_for": str, "status": str, "reason": str,
            "started_at": str, "finished_at": str,
        },
        pk="id",
    )  # fmt: skip
    db["series_state"].create({"schedule": str, "position": int, "updated_at": str}, pk="schedule")
    db["optouts"].create({"phone": str, "reason": str, "source": str, "created_at": str}, pk="phone")
    db["media"].create({"key": str, "provider": str, "media_id": str, "uploaded_at": str}, pk="key")
    db["instagram_queue"].create(
        {
            "id": int, "key": str, "post": str, "occurrence": str, "images": str, "caption": str,
            "planned_at": str, "status": str, "publisher": str, "attempts": int, "container_id": str,
            "media_id": str, "shortcode": str, "permalink": str, "error": str, "created_at": str,
            "updated_at": str, "published_at": str, "confirmed_at": str,
        },
        pk="id",
        defaults={"attempts": 0},
    )  # fmt: skip
    db["instagram_queue"].create_index(["key"], unique=True)
    db["profile_snapshots"].create(
        {"id": int, "taken_at": str, "username": str, "posts": int, "followers": int, "following": int},
        pk="id",
    )


@migrations()
def m002_issue6_instagram_queue(db: sqlite_utils.Database) -> None:
    """Instagram queue: carousel children, the worker publishing a post, the time Instagram shows,
    the provider error code and the operator hand-off receipt."""
    table = db["instagram_queue"]
    for column in ("children", "worker", "posted_at", "error_code", "handoff"):
        table.add_column(column, str)
    table.create_index(["status"])


# Old Instagram queue states → the one delivery vocabulary. A row caught mid-publish stays
# ``sending`` with its worker, so the usual crash recovery turns it ``uncertain`` (then reconciled).
_QUEUE_TO_DELIVERY = {
    "queued": "queued", "publishing": "sending", "published": "sent", "handed_off": "sent", "confirmed": "sent",
    "failed": "failed", "uncertain": "uncertain",
}  # fmt: skip


@migrations()
def m003_instagram_state_on_delivery_rows(db: sqlite_utils.Database) -> None:
    """Instagram becomes a channel like WhatsApp: its status lives only on the delivery row; what only an
    Instagram post has (caption, images, container, permalink, hand-off folder) hangs off that row in
    ``instagram_posts`` (same key). The mirrored ``instagram_queue`` table goes, losing nothing."""
    db["instagram_posts"].create(
        {
            "key": str, "images": str, "caption": str, "planned_at": str, "container_id": str, "children": str,
            "media_id": str, "shortcode": str, "permalink": str, "handoff": str, "published_at": str,
            "posted_at": str, "confirmed_at": str,
        },
        pk="key",
    )  # fmt: skip
    if not db["instagram_queue"].exists():
        return
    for q in db.query("select * from instagram_queue order by id"):
        status = _QUEUE_TO_DELIVERY.get(q["status"], "uncertain")
        sent_at = q["posted_at"] or q["published_at"] or q["confirmed_at"] if status == "sent" else None
        row = {
            "status": status, "provider": q["publisher"], "attempts": q["attempts"] or 0, "error": q["error"],
            "error_code": q["error_code"], "worker": q["worker"] if status == "sending" else None,
            "provider_id": q["permalink"] or q["media_id"] or q["handoff"] or None, "sent_at": sent_at,
            "updated_at": q["updated_at"],
        }  # fmt: skip
        if db.execute("select 1 from deliveries where key = ?", [q["key"]]).fetchone():
            sets = ", ".join(f"{k} = ?" for k in row)
            db.execute(f"update deliveries set {sets} where key = ?", [*row.values(), q["key"]])
        else:  # a queue entry without its mirror (should not happen): keep it as a delivery
            db["deliveries"].insert(
                {**row, "key": q["key"], "post": q["post"], "channel": "instagram", "recipient": "",
                 "occurrence": q["occurrence"], "created_at": q["created_at"]}
            )  # fmt: skip
        db["instagram_posts"].insert(
            {k: q[k] for k in (
                "key", "images", "caption", "planned_at", "container_id", "children", "media_id", "shortcode",
                "permalink", "handoff", "published_at", "posted_at", "confirmed_at",
            )}
        )  # fmt: skip
    db["instagram_queue"].drop()


# An occurrence id used to carry its UTC offset (``sop@2026-11-25T09:00:00+08:00``); it is now
# named by its local date and time alone (``sop@2026-11-25T09:00``), so a timezone edit keeps it.
_OLD_OCCURRENCE = re.compile(r"@(\d{4}-\d\d-\d\dT\d\d:\d\d):\d\d(?:[+-]\d\d:\d\d|Z)")


def local_slot(occurrence_id: str) -> str:
    """The local-time name of an occurrence id in either form."""
    return _OLD_OCCURRENCE.sub(r"@\1", occurrence_id, count=1)


@migrations()
def m004_issue10_slots_alerts_heartbeat(db: sqlite_utils.Database) -> None:
    """Occurrences get ``slot``, their local-time name (unique): old rows keep their id, so their
    delivery keys still match, and are found by slot. ``alerts`` records every operator alert;
    ``heartbeat`` holds the daemon's last pass."""
    table = db["occurrences"]
    table.add_column("slot", str)
    for row in list(db.query("select id from occurrences")):
        db.execute("update occurrences set slot = ? where id = ?", [local_slot(row["id"]), row["id"]])
    # Two old ids naming one local slot (a timezone edit already resent once): keep both rows.
    seen: set[str] = set()
    for row in list(db.query("select id, slot from occurrences order by started_at, id")):
        if row["slot"] in seen:
            db.execute("update occurrences set slot = id where id = ?", [row["id"]])
        seen.add(row["slot"])
    table.create_index(["slot"], unique=True)
    table.create_index(["schedule", "scheduled_for"])
    db["alerts"].create(
        {"id": int, "problem": str, "day": str, "text": str, "targets": str, "delivered": int, "error": str,
         "created_at": str},
        pk="id",
    )  # fmt: skip
    db["alerts"].create_index(["problem", "day"], unique=True)
    db["history_meta"].create({"key": str, "value": str}, pk="key")  # the file's own id (durable history)
    db["heartbeat"].create(
        {"name": str, "worker": str, "started_at": str, "last_pass": str, "next_pass": str, "summary": str},
        pk="name",
    )


@migrations()
def m006_two_way_whatsapp(db: sqlite_utils.Database) -> None:
    """Two-way WhatsApp: delivery receipts from webhooks, contacts (the 24-hour window), incoming
    messages (one reply per message id), statuses waiting for their send's answer, consent changes."""
    deliveries = db["deliveries"]
    for column in ("delivered_at", "read_at", "failed_at"):
        deliveries.add_column(column, str)
    # Every provider message id of a delivery (an image and its long text are two), to find the row.
    db["provider_messages"].create({"message_id": str, "key": str}, pk="message_id")
    # Statuses whose message id is not known yet: the webhook can beat the send's answer.
    db["webhook_statuses"].create(
        {
            "message_id": str, "status": str, "at": str, "error_code": str, "error": str, "recipient": str,
            "received_at": str,
        },
        pk=("message_id", "status"),
    )  # fmt: skip
    db["webhook_statuses"].create_index(["received_at"])
    db["contacts"].create(
        {
            "id": str, "wa_id": str, "user_id": str, "name": str, "provider": str, "first_seen_at": str,
            "last_message_at": str, "away_on": str,
        },
        pk="id",
    )  # fmt: skip
    db["contacts"].create_index(["wa_id"])
    db["contacts"].create_index(["user_id"])
    db["inbound"].create(
        {
            "message_id": str, "provider": str, "contact": str, "type": str, "text": str, "received_at": str,
            "reply_key": str, "reply": str,
        },
        pk="message_id",
    )  # fmt: skip
    # Opt-outs and opt-ins as they happened (UU PDP: consent and its withdrawal are recorded).
    db["consent_log"].create(
        {"id": int, "phone": str, "action": str, "source": str, "message_id": str, "at": str}, pk="id"
    )


@migrations()
def m007_indexes_for_years_of_history(db: sqlite_utils.Database) -> None:
    """Indexes that keep history, reports and broadcasts fast at millions of rows. Each replaces a
    shorter one it starts with, so a status change still updates as few indexes as before.

    - (post, occurrence, status, sent_at): a post's rows, an occurrence's counts by status (the
      operator page), and the weeks in which a broadcast sent anything, found by index seeks;
    - (status, channel, updated_at): rows in a state (crash recovery, retry), failures per week;
    - (channel, sent_at, post, occurrence, status): sent messages per week and the posts they
      belong to, read from the index alone (no table lookups);
    - (created_at): `history --since`.

    And ``list_cache``: broadcast lists as parsed last time, by file path and content hash.
    """
    for old in ("idx_deliveries_post_occurrence", "idx_deliveries_status"):
        db.execute(f"drop index if exists {old}")
    table = db["deliveries"]
    table.create_index(["post", "occurrence", "status", "sent_at"], if_not_exists=True)
    table.create_index(["status", "channel", "updated_at"], if_not_exists=True)
    table.create_index(["channel", "sent_at", "post", "occurrence", "status"], if_not_exists=True)
    table.create_index(["created_at"], if_not_exists=True)
    db["list_cache"].create(
        {"path": str, "digest": str, "first": str, "data": str, "cached_at": str}, pk="path", if_not_exists=True
    )


@migrations()
def m008_content_checks(db: sqlite_utils.Database) -> None:
    """``content_checks``: the content's problems as last found, by a fingerprint of every content
    file, so history and report warn about them without reading and rendering the whole project."""
    db["content_checks"].create({"key": str, "problems": str, "checked_at": str}, pk="key", if_not_exists=True)


@migrations()
def m009_whatsapp_hours(db: sqlite_utils.Database) -> None:
    """``whatsapp_hours``: WhatsApp broadcast messages counted per UTC hour, post, occurrence and status
    (siaran.history.tallies)."""
    tallies.whatsapp_hours(db)


@migrations()
def m010_issue26_inbox(db: sqlite_utils.Database) -> None:
    """The office's inbox ("Kotak masuk"): which incoming messages wait for a person, the state of each
    person's conversation (baru → dibalas → selesai), replies written by the office, and aduan/saran
    tickets with their yearly numbers (ADU-2026-0012)."""
    inbound = db["inbound"]
    inbound.add_column("sent_at", str)  # the provider's time of the message (UTC), else when it arrived
    inbound.add_column("waits", int)  # 1: the menu did not answer it, a person must
    inbound.add_column("out_of_hours", int)  # 1: it arrived while the office was closed
    inbound.add_column("ticket", str)  # the aduan/saran ticket it opened
    inbound.create_index(["contact", "received_at"])
    inbound.create_index(["received_at"])  # retention: the oldest first
    contacts = db["contacts"]
    contacts.add_column("list_name", str)  # the name the office's lists give this number, when it wrote
    contacts.add_column("state", str)  # baru | dibalas | selesai ('' never waited for a person)
    contacts.add_column("waiting_since", str)  # the first message still waiting for a person
    contacts.add_column("state_at", str)
    contacts.add_column("intake", str)  # aduan | saran: the next message becomes a ticket
    contacts.add_column("intake_at", str)
    contacts.create_index(["state", "waiting_since"])
    db["inbox_replies"].create(
        {"key": str, "contact": str, "text": str, "via": str, "template": str, "created_at": str}, pk="key"
    )
    db["inbox_replies"].create_index(["contact", "created_at"])
    db["tickets"].create(
        {"id": str, "category": str, "year": int, "seq": int, "contact": str, "message_id": str,
         "opened_at": str, "closed_at": str},
        pk="id",
    )  # fmt: skip
    db["tickets"].create_index(["category", "year", "seq"], unique=True)
    db["tickets"].create_index(["contact"])


@migrations()
def m011_issue25_gateways_as_they_send(db: sqlite_utils.Database) -> None:
    """Webhooks as the gateways really send them:

    - ``deliveries.pricing_category`` / ``billable``: Meta's price of each message (from its status), so
      `siaran report` can count what a month costs; ``webhook_statuses`` keeps them while it waits;
    - ``fonnte_states``: Fonnte's stateid → message id (its later status calls carry the stateid alone);
    - ``webhook_problems``: errors a provider reports for a whole webhook or one incoming message
      (Meta's value-level and message-level ``errors``); Meta never sends them again;
    - ``inbound.group_id`` / ``member``: a message said in a group, and who said it.
    """
    db["deliveries"].add_column("pricing_category", str)
    db["deliveries"].add_column("billable", int)
    db["webhook_statuses"].add_column("category", str)
    db["webhook_statuses"].add_column("billable", int)
    db["fonnte_states"].create({"state_id": str, "message_id": str, "at": str}, pk="state_id", if_not_exists=True)
    db["webhook_problems"].create(
        {
            "id": int, "provider": str, "scope": str, "code": str, "title": str, "detail": str, "message_id": str,
            "contact": str, "at": str, "received_at": str,
        },
        pk="id", if_not_exists=True,
    )  # fmt: skip
    db["webhook_problems"].create_index(["received_at"], if_not_exists=True)
    db["inbound"].add_column("group_id", str)
    db["inbound"].add_column("member", str)


@migrations()
def m012_issue24_recipient_as_sent(db: sqlite_utils.Database) -> None:
    """Who a message went to, as the list named them when the delivery was reserved:
    ``recipient_name`` and ``recipient_columns`` (a JSON object of the list's other columns the
    message uses, e.g. {"rt": "03"}). History, report and the page show these and never read the
    lists again: an edited list does not rename the past. Older rows keep them empty."""
    table = db["deliveries"]
    table.add_column("recipient_name", str)
    table.add_column("recipient_columns", str)


@migrations()
def m013_issue28_phone_numbers(db: sqlite_utils.Database) -> None:
    """``phone_numbers``: list numbers as parsed before, by raw text (siaran.content.phone_book), so
    an edit to a big list parses only its new or changed rows."""
    db.execute(
        "create table if not exists phone_numbers (raw text primary key, phone text not null, "
        "reason text not null) without rowid"
    )


@migrations()
def m014_issue22_reasons_as_data(db: sqlite_utils.Database) -> None:
    """Reasons are data (siaran.reasons): each stored English sentence becomes its code and parameters
    as JSON; a sentence no code matches is kept whole as ``legacy`` (history.old_reasons)."""
    from .old_reasons import migrate

    migrate(db)


@migrations()
def m015_issue28_phone_numbers_seen(db: sqlite_utils.Database) -> None:
    """``phone_numbers.seen``: the day a list last held each raw text (noted at most once a day), so
    the daemon forgets numbers no list has held for a long time (history.phone_numbers.KEEP_DAYS).
    What is there already counts as seen today."""
    if "seen" not in db["phone_numbers"].columns_dict:
        db["phone_numbers"].add_column("seen", str)
    db.execute("update phone_numbers set seen = date('now') where seen is null")
    db["phone_numbers"].create_index(["seen"], if_not_exists=True)


@migrations()
def m016_issue28_delivery_groups(db: sqlite_utils.Database) -> None:
    """``delivery_groups``: each post × occurrence × channel and its first row, and ``whatsapp_hours``
    by post and occurrence (siaran.history.tallies)."""
    tallies.delivery_groups(db)


@migrations()
def m017_issue28_priced_hours(db: sqlite_utils.Database) -> None:
    """``priced_hours``: messages Meta priced per UTC hour, category and billable (siaran.history.tallies)."""
    tallies.priced_hours(db)


@migrations()
def m018_issue28_unsent_failure_hours(db: sqlite_utils.Database) -> None:
    """``unsent_failure_hours``: WhatsApp failures that never went out, per UTC hour and status
    (siaran.history.tallies)."""
    tallies.unsent_failure_hours(db)


@migrations()
def m019_issue28_rendered_texts(db: sqlite_utils.Database) -> None:
    """``rendered_texts``: texts `siaran check` rendered, by key (siaran.history.rendered_texts)."""
    db.execute("create table if not exists rendered_texts (key text primary key, text text not null, used text)")
    db.execute("create index if not exists rendered_texts_used on rendered_texts (used)")
