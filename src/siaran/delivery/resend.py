"""`siaran retry`: send again, on the operator's word, WhatsApp deliveries that failed or whose fate is
uncertain. They go back to ``queued`` and through the engine like any other."""

from __future__ import annotations

import asyncio

from ..app import App
from ..content.model import Recipient
from ..history import deliveries, optouts
from ..plan import OPTED_OUT, Planned
from . import eventloop
from .deliver import send_planned
from .summary import Progress, Summary


def retry(app: App, status: str, *, post: str | None = None, progress: Progress | None = None) -> list[Summary]:
    return eventloop.run(retry_async(app, status, post=post, progress=progress))


async def retry_async(
    app: App,
    status: str,
    *,
    post: str | None = None,
    progress: Progress | None = None,
    stop: asyncio.Event | None = None,
) -> list[Summary]:
    """Send again the WhatsApp deliveries in ``status`` (uncertain or failed), on the operator's
    word: they go back to ``queued`` and through the engine like any other; opted-out numbers
    become ``skipped``. One Summary per post and occurrence."""
    if status not in ("uncertain", "failed"):
        raise ValueError(status)
    db = app.db
    deliveries.recover_inflight(db, app.now())
    wanted = app.project.post(post).name if post else None
    groups: dict[tuple[str, str | None], list[dict]] = {}
    for row in deliveries.in_status(db, status, "whatsapp", wanted):
        if row["post"].startswith("autoreply/"):  # a reply belongs to its moment: never resent later
            continue
        groups.setdefault((row["post"], row["occurrence"]), []).append(row)
    people = {r.phone: r for blist in app.project.lists.values() for r in blist.recipients}
    opted = optouts.numbers(db)
    summaries = []
    for (name, occurrence), found in groups.items():
        the_post = app.project.post(name)
        summary = Summary(name, occurrence, planned=len(found))
        todo, skip = [], []
        for r in found:
            if r["recipient"] in opted:
                skip.append(r["key"])
                summary.skipped[OPTED_OUT] += 1
                continue
            who = people.get(r["recipient"]) or Recipient(
                phone=r["recipient"], name=r["recipient_name"] or "", list=r["list"] or ""
            )
            todo.append(Planned(r["key"], name, "whatsapp", r["recipient"], r["list"] or "", occurrence, who))
        deliveries.set_statuses(
            db,
            [("skipped", OPTED_OUT, k, status) for k in skip] + [("queued", None, p.key, status) for p in todo],
            app.now(),
        )
        if todo:
            await send_planned(app, the_post, todo, summary, progress=progress, stop=stop)
        summaries.append(summary)
        if summary.stopped:
            break
    return summaries
