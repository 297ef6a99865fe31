"""Who a delivery goes to, as the list names them when it is reserved: the recipient's name and the
list columns its message uses, kept in history beside the number (history never reads lists)."""

from __future__ import annotations

import json
from collections.abc import Callable

from ..content.model import Recipient

# (recipient or None) -> (recipient_name, recipient_columns as JSON or None)
AsSent = Callable[[Recipient | None], tuple[str | None, str | None]]


def as_sent(keys: frozenset[str] | None) -> AsSent:
    """For one post and channel (``keys``: the columns its templates read; None: all of them). Rows
    with the same values share one JSON text (a broadcast reserves 100,000 rows)."""
    texts: dict[tuple, str | None] = {}

    def of(r: Recipient | None) -> tuple[str | None, str | None]:
        if r is None:
            return None, None
        names = r.fields if keys is None else [k for k in keys if k in r.fields]
        values = tuple((k, r.fields[k]) for k in names)
        text = texts.get(values, "")
        if text == "":
            text = texts[values] = (
                json.dumps(dict(values), ensure_ascii=False, separators=(",", ":")) if values else None
            )
        return r.name or None, text

    return of
