"""Planning: a post + channels + lists → delivery rows with idempotency keys. Pure: no I/O."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from .content.model import BroadcastList, Office, Post, Recipient, add_name
from .reasons import Reason, reason

KEY_VERSION = "d1"
OPTED_OUT = reason("delivery.opted_out")


def delivery_key(post: Post, channel: str, address: str, occurrence: str | None, again: str = "") -> str:
    """Versioned hash of what makes a delivery unique. A scheduled occurrence is sent once, even if
    the post is edited afterwards; a manual send is once per version of the post's content (and
    ``again``: once more, the operator asked for it, ``send --again``, named by its moment)."""
    occ = occurrence if occurrence is not None else f"manual:{post.content_hash}"
    if again and occurrence is None:
        occ += f":again:{again}"
    canonical = json.dumps([post.name, channel, address, occ], separators=(",", ":"), ensure_ascii=False)
    return f"{KEY_VERSION}:{hashlib.sha256(canonical.encode()).hexdigest()[:32]}"


@dataclass(frozen=True, slots=True)  # slots: one per recipient of a broadcast
class Planned:
    key: str
    post: str
    channel: str
    address: str  # E.164 phone, or @handle for Instagram
    list: str
    occurrence: str | None
    recipient: Recipient | None  # None for Instagram
    skip_reason: Reason | None = None  # set: recorded as skipped, never sent


def merge_lists(lists: Iterable[BroadcastList]) -> list[Recipient]:
    """Everyone on any of the lists, once, by the same rule as rows within one list
    (docs/reference/lists.md): the first row naming a number keeps it (its list, its columns), and
    is greeted by every name the rows give that number."""
    seen: dict[str, int] = {}
    out: list[Recipient] = []
    for blist in lists:
        for r in blist.recipients:
            if (at := seen.get(r.phone)) is None:
                seen[r.phone] = len(out)
                out.append(r)
            else:
                out[at] = add_name(out[at], r.name)
    return out


def instagram_address(office: Office) -> str:
    return f"@{office.instagram}" if office.instagram else "@instagram"


def plan(
    post: Post,
    office: Office,
    channels: Iterable[str],
    lists: Iterable[BroadcastList],
    occurrence: str | None,
    optouts: set[str] = frozenset(),  # type: ignore[assignment]
    again: str = "",
) -> list[Planned]:
    planned: list[Planned] = []
    recipients = None
    for channel in channels:
        if channel == "instagram":
            address = instagram_address(office)
            key = delivery_key(post, channel, address, occurrence, again)
            planned.append(Planned(key, post.name, channel, address, "", occurrence, None))
            continue
        if recipients is None:
            recipients = merge_lists(lists)
        for r in recipients:
            planned.append(
                Planned(
                    delivery_key(post, channel, r.phone, occurrence, again),
                    post.name,
                    channel,
                    r.phone,
                    r.list,
                    occurrence,
                    r,
                    OPTED_OUT if r.phone in optouts else None,
                )
            )
    return planned
