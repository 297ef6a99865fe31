"""Counts the history keeps exact with triggers on ``deliveries``, so history and reports read a few
rows where a million-row history would need a scan. Each function creates a table, its triggers and
fills it from the rows already there (called once, by a migration in siaran.history.schema).

siaran never deletes delivery rows nor changes their post, occurrence or channel; the triggers keep
the counts exact if someone does it by hand all the same."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

# A delivery row counts in ``whatsapp_hours`` when it is a WhatsApp broadcast message that went out or
# failed after it went out (it has a ``sent_at``); auto-replies are conversations, not broadcasts.
_COUNTED = "{r}.channel = 'whatsapp' and {r}.sent_at is not null and {r}.post not like 'autoreply/%'"
_HOUR_KEY = "hour = substr({r}.sent_at, 1, 13) and post = {r}.post and occurrence = coalesce({r}.occurrence, '') " \
    "and status = {r}.status"  # fmt: skip
_ADD = (
    "insert into whatsapp_hours (hour, post, occurrence, status, n) "
    "select substr(new.sent_at, 1, 13), new.post, coalesce(new.occurrence, ''), new.status, 1 where {when} "
    "on conflict do update set n = n + 1;"
)
_TAKE = "update whatsapp_hours set n = n - 1 where {key};"


def whatsapp_hours(db: sqlite_utils.Database) -> None:
    """``whatsapp_hours``: WhatsApp broadcast messages counted per UTC hour of ``sent_at``, post,
    occurrence ('' for manual sends) and status, kept exact by triggers on ``deliveries``.

    `siaran report --weeks 52` reads a few thousand of these instead of a million rows. Indonesia's
    offices are whole hours from UTC (WIB, WITA, WIT), so an office week is whole UTC hours.
    Rows are never re-keyed (post, occurrence, channel stay) nor replaced, only inserted and updated.
    """
    db.execute(
        "create table whatsapp_hours (hour text not null, post text not null, occurrence text not null, "
        "status text not null, n integer not null, primary key (hour, post, occurrence, status)) without rowid"
    )
    new, old = _COUNTED.format(r="new"), _COUNTED.format(r="old")
    db.execute(
        f"create trigger whatsapp_hours_insert after insert on deliveries when {new} begin {_ADD.format(when='1')} end"
    )
    db.execute(
        f"create trigger whatsapp_hours_update after update of status, sent_at on deliveries "
        f"when (old.status is not new.status or old.sent_at is not new.sent_at) and ({old} or {new}) begin "
        f"{_TAKE.format(key=f'({old}) and ' + _HOUR_KEY.format(r='old'))} {_ADD.format(when=new)} end"
    )
    db.execute(
        f"create trigger whatsapp_hours_delete after delete on deliveries when {old} "
        f"begin {_TAKE.format(key=_HOUR_KEY.format(r='old'))} end"
    )
    db.execute(
        "insert into whatsapp_hours (hour, post, occurrence, status, n) "
        "select substr(sent_at, 1, 13), post, coalesce(occurrence, ''), status, count(*) from deliveries "
        f"where {_COUNTED.format(r='deliveries')} group by 1, 2, 3, 4"
    )


_GROUP_OF = "post = {r}.post and occurrence = coalesce({r}.occurrence, '') and channel = {r}.channel"
_GROUP_ADD = (  # ids grow: a group's first row is met first, and later rows only find it there
    "insert into delivery_groups (post, occurrence, channel, first_id) "
    "values (new.post, coalesce(new.occurrence, ''), new.channel, new.id) "
    "on conflict do update set first_id = excluded.first_id where excluded.first_id < first_id;"
)
_SAME_GROUP = "d.post = old.post and d.occurrence is old.occurrence and d.channel = old.channel"
_GROUP_AGAIN = (  # rows are never deleted nor re-keyed by siaran; by hand, the first row is found again
    f"delete from delivery_groups where {_GROUP_OF.format(r='old')} "
    f"and not exists (select 1 from deliveries d where {_SAME_GROUP}); "
    f"update delivery_groups set first_id = (select min(id) from deliveries d where {_SAME_GROUP}) "
    f"where {_GROUP_OF.format(r='old')} and first_id = old.id;"
)


def delivery_groups(db: sqlite_utils.Database) -> None:
    """``delivery_groups``: each post × occurrence ('' for manual sends) × channel with rows, and the
    id of its first row, kept by triggers; ``whatsapp_hours`` indexed by post and occurrence.
    `history --limit 50` counts a broadcast from its hourly counts and these, not row by row."""
    db.execute(
        "create table delivery_groups (post text not null, occurrence text not null, channel text not null, "
        "first_id integer not null, primary key (post, occurrence, channel)) without rowid"
    )
    db.execute(f"create trigger delivery_groups_insert after insert on deliveries begin {_GROUP_ADD} end")
    db.execute(f"create trigger delivery_groups_delete after delete on deliveries begin {_GROUP_AGAIN} end")
    db.execute(
        "create trigger delivery_groups_update after update of post, occurrence, channel on deliveries "
        "when old.post is not new.post or old.occurrence is not new.occurrence or old.channel is not new.channel "
        f"begin {_GROUP_AGAIN.replace('and first_id = old.id', '')} {_GROUP_ADD} end"
    )
    db.execute(
        "insert into delivery_groups (post, occurrence, channel, first_id) "
        "select post, coalesce(occurrence, ''), channel, min(id) from deliveries group by 1, 2, 3"
    )
    db["whatsapp_hours"].create_index(["post", "occurrence"], if_not_exists=True)


# Meta prices a message from its status webhooks (siaran.history.statuses): counted by the UTC hour it
# went out, category and billable, for `siaran report`'s months; auto-replies are billed too.
_PRICED = "{r}.pricing_category is not null and {r}.sent_at is not null"
_PRICED_KEY = (
    "hour = substr({r}.sent_at, 1, 13) and category = {r}.pricing_category and billable = coalesce({r}.billable, 0)"
)
_PRICED_ADD = (
    "insert into priced_hours (hour, category, billable, n) "
    "select substr(new.sent_at, 1, 13), new.pricing_category, coalesce(new.billable, 0), 1 where {when} "
    "on conflict do update set n = n + 1;"
)
_PRICED_TAKE = "update priced_hours set n = n - 1 where {key};"


def priced_hours(db: sqlite_utils.Database) -> None:
    """``priced_hours``: messages Meta priced, per UTC hour of ``sent_at``, pricing category and billable
    (0 when Meta did not say). In Cloud API use every message gets a price, so counting them from the
    rows would read every message of the year for `siaran report --weeks 52`."""
    db.execute(
        "create table priced_hours (hour text not null, category text not null, billable integer not null, "
        "n integer not null, primary key (hour, category, billable)) without rowid"
    )
    new, old = _PRICED.format(r="new"), _PRICED.format(r="old")
    db.execute(
        f"create trigger priced_hours_insert after insert on deliveries when {new} "
        f"begin {_PRICED_ADD.format(when='1')} end"
    )
    changed = " or ".join(f"old.{c} is not new.{c}" for c in ("pricing_category", "billable", "sent_at"))
    db.execute(
        "create trigger priced_hours_update after update of pricing_category, billable, sent_at on deliveries "
        f"when ({changed}) and ({old} or {new}) begin "
        f"{_PRICED_TAKE.format(key=f'({old}) and ' + _PRICED_KEY.format(r='old'))} {_PRICED_ADD.format(when=new)} end"
    )
    db.execute(
        f"create trigger priced_hours_delete after delete on deliveries when {old} "
        f"begin {_PRICED_TAKE.format(key=_PRICED_KEY.format(r='old'))} end"
    )
    db.execute(
        "insert into priced_hours (hour, category, billable, n) "
        "select substr(sent_at, 1, 13), pricing_category, coalesce(billable, 0), count(*) from deliveries "
        f"where {_PRICED.format(r='deliveries')} group by 1, 2, 3"
    )


# WhatsApp broadcast messages that failed (or were left uncertain) before they went out: no sent_at, so
# not in whatsapp_hours; a report counts them in the week of their last change.
_UNSENT = (
    "{r}.channel = 'whatsapp' and {r}.sent_at is null and {r}.status in ('failed', 'uncertain') "
    "and {r}.updated_at is not null and {r}.post not like 'autoreply/%'"
)
_UNSENT_KEY = "hour = substr({r}.updated_at, 1, 13) and status = {r}.status"
_UNSENT_ADD = (
    "insert into unsent_failure_hours (hour, status, n) select substr(new.updated_at, 1, 13), new.status, 1 "
    "where {when} on conflict do update set n = n + 1;"
)
_UNSENT_TAKE = "update unsent_failure_hours set n = n - 1 where {key};"


def unsent_failure_hours(db: sqlite_utils.Database) -> None:
    """``unsent_failure_hours``: WhatsApp broadcast messages failed or uncertain without having gone
    out, per UTC hour of their last change (``updated_at``) and status."""
    db.execute(
        "create table unsent_failure_hours (hour text not null, status text not null, n integer not null, "
        "primary key (hour, status)) without rowid"
    )
    new, old = _UNSENT.format(r="new"), _UNSENT.format(r="old")
    db.execute(
        f"create trigger unsent_failure_hours_insert after insert on deliveries when {new} "
        f"begin {_UNSENT_ADD.format(when='1')} end"
    )
    columns = ("status", "sent_at", "updated_at", "channel", "post")
    changed = " or ".join(f"old.{c} is not new.{c}" for c in columns)
    db.execute(
        f"create trigger unsent_failure_hours_update after update of {', '.join(columns)} on deliveries "
        f"when ({changed}) and ({old} or {new}) begin "
        f"{_UNSENT_TAKE.format(key=f'({old}) and ' + _UNSENT_KEY.format(r='old'))} {_UNSENT_ADD.format(when=new)} end"
    )
    db.execute(
        f"create trigger unsent_failure_hours_delete after delete on deliveries when {old} "
        f"begin {_UNSENT_TAKE.format(key=_UNSENT_KEY.format(r='old'))} end"
    )
    db.execute(
        "insert into unsent_failure_hours (hour, status, n) select substr(updated_at, 1, 13), status, count(*) "
        f"from deliveries where {_UNSENT.format(r='deliveries')} group by 1, 2"
    )
