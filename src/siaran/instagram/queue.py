"""The Instagram queue's engine: add posts, then publish (Graph API) or hand off each open row,
reconciling rows whose earlier attempt ended unclear. Called by ``siaran send`` (via siaran.send),
``siaran instagram publish`` and the daemon.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import httpx

from .. import history
from ..app import App
from ..content.model import Post
from ..errors import ConfigError, DeliveryError, PermanentError, TransientError, UncertainError
from ..plan import Planned, instagram_address
from . import store
from .graph import GraphPublisher, LimitReached, TokenError
from .handoff import HandoffPublisher
from .store import Item, Result

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    key: str
    post: str
    status: str
    error: str = ""


@dataclass
class RunResult:
    outcomes: list[Outcome] = field(default_factory=list)
    stopped: str = ""  # why the run stopped early (token, publishing limit, configuration)
    busy: int = 0  # rows another live siaran process is publishing right now

    @property
    def counts(self) -> Counter:
        return Counter(o.status for o in self.outcomes)


def enqueue(app: App, post: Post, planned: Iterable[Planned], images: Iterable[Path]) -> list[str]:
    """Put the post in the queue once per planned key (a key already there is left untouched)."""
    now = app.now()
    caption = app.project.renderer.render(post, "instagram")
    rel = [store.rel_path(Path(p), app.root) for p in images]
    keys = []
    for p in planned:
        store.add(
            app.db, key=p.key, post=post.name, occurrence=p.occurrence, images=rel, caption=caption,
            planned_at=_planned_at(p.occurrence, now), publisher=app.settings.instagram.publisher, now=now,
        )  # fmt: skip
        keys.append(p.key)
    return keys


def _planned_at(occurrence: str | None, now: datetime) -> datetime:
    """A scheduled occurrence names its moment (ISO 8601); a manual send is planned for now."""
    if occurrence:  # "<schedule>@<ISO time>[#<post>]"
        try:
            when = datetime.fromisoformat(occurrence.split("@", 1)[-1].split("#", 1)[0])
            if when.tzinfo is not None:
                return when
        except ValueError:
            pass
    return now


def http_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0))


def _publisher(app: App, name: str, http: httpx.AsyncClient):
    if name == "graph":
        return GraphPublisher(app.settings, http, app.clock)
    if name == "handoff":
        return HandoffPublisher(app.settings, http, app.clock, instagram_address(app.project.office))
    raise ConfigError(f"instagram.publisher = {name!r} is not a known publisher; choose handoff or graph")


async def process(app: App, keys: Iterable[str] | None = None) -> RunResult:
    """Act on every open queue row (or only ``keys``): reconcile unclear ones, publish queued ones."""
    db = app.db
    wanted = set(keys) if keys is not None else None
    rows = [r for r in store.rows(db, store.OPEN) if wanted is None or r["key"] in wanted]
    result = RunResult()
    if not rows:
        return result
    me = history.worker_id()
    current = app.settings.instagram.publisher
    async with http_client() as http:
        publishers: dict[str, object] = {}

        def publisher(name: str):
            if name not in publishers:
                publishers[name] = _publisher(app, name, http)
            return publishers[name]

        for row in rows:
            item = Item.from_row(row, app.root)
            if not store.claim(db, item.key, row["worker"], me):
                result.busy += 1  # another live siaran process is working on it right now
                continue

            def save(_key=item.key, **values) -> None:
                store.update(db, _key, app.now(), **values)

            try:
                outcome = await _one(app, item, save, publisher, current)
            except (TokenError, LimitReached, ConfigError) as e:
                reason = getattr(e, "reason", None) or str(e)
                code = getattr(e, "code", None)
                # Nothing was published (a definite refusal, or we never got that far); an entry still
                # waiting to be reconciled keeps its state so it is never published blindly later.
                status = "queued" if item.status == "queued" else item.status
                store.update(db, item.key, app.now(), status=status, worker=None, error=reason, error_code=code)
                result.outcomes.append(Outcome(item.key, item.post, status, reason))
                result.stopped = reason
                break
            result.outcomes.append(outcome)
    return result


async def _one(app: App, item: Item, save, publisher, current: str) -> Outcome:
    db = app.db
    day = _day(app, item)
    try:
        if item.status in ("publishing", "uncertain"):
            # The earlier attempt may have made the post appear: ask, never publish blindly.
            res = await publisher(item.publisher or current).reconcile(item, save)
            if res.status != "queued":
                return _record(app, item, res)
            item.status = "queued"
            store.update(db, item.key, app.now(), status="queued", error=None)
        if item.publisher != current and not item.container_id:
            item.publisher = current
            save(publisher=current)
        pub = publisher(item.publisher)
        store.count_attempt(db, item.key)
        res = await (pub.publish(item, save, day) if isinstance(pub, HandoffPublisher) else pub.publish(item, save))
        return _record(app, item, res)
    except (TokenError, LimitReached):
        raise
    except TransientError as e:
        return _record(app, item, Result("queued", e.reason, {"error_code": e.code}))
    except UncertainError as e:
        return _record(app, item, Result("uncertain", e.reason, {"error_code": e.code}))
    except (PermanentError, DeliveryError) as e:
        return _record(app, item, Result("failed", e.reason, {"error_code": e.code}))


def _record(app: App, item: Item, res: Result) -> Outcome:
    """Final state of this run for the row; the claim on it is released."""
    values = {**res.values, "worker": None}
    store.update(app.db, item.key, app.now(), status=res.status, error=res.error or None, **values)
    return Outcome(item.key, item.post, res.status, res.error)


def _day(app: App, item: Item) -> date:
    """The office-local day the post belongs to (names its outbox folder)."""
    tz = app.project.office.timezone
    when = datetime.fromisoformat(item.planned_at) if item.planned_at else app.now()
    return when.astimezone(tz).date()


async def deliver(app: App, post: Post, planned: list[Planned], images: Iterable[Path], summary) -> None:
    """The delivery engine's Instagram step: queue, then publish or hand off, counting into ``summary``."""
    keys = enqueue(app, post, planned, images)
    try:
        result = await process(app, keys)
    except ConfigError as e:
        summary.left_queued += len(keys)
        summary.stopped = summary.stopped or f"Instagram: {e}"
        return
    for o in result.outcomes:
        if o.status in ("published", "handed_off", "confirmed"):
            summary.sent += 1
            if o.error:
                summary.warnings.append(f"Instagram: {o.error}")
        elif o.status == "failed":
            summary.failed[f"Instagram: {o.error}"] += 1
        elif o.status == "uncertain":
            summary.uncertain += 1
            summary.warnings.append(f"Instagram: {o.error}")
        else:
            summary.left_queued += 1
            if o.error:
                summary.warnings.append(f"Instagram: {o.error}")
    summary.left_queued += result.busy
    if result.stopped:
        summary.stopped = summary.stopped or result.stopped


def requeue(app: App, item_id: int) -> dict:
    """The operator checked a failed or uncertain post and wants it tried again."""
    row = store.by_id(app.db, item_id)
    if row is None:
        raise ConfigError(f"no Instagram queue entry {item_id}; `siaran instagram queue` lists them")
    if row["status"] not in ("failed", "uncertain"):
        raise ConfigError(f"entry {item_id} is {row['status']}; only failed or uncertain entries can be requeued")
    values: dict = {"status": "queued", "error": None, "error_code": None, "worker": None}
    if row["status"] == "failed":
        values.update(container_id=None, children=None)  # a failed container is useless; make new ones
    store.update(app.db, row["key"], app.now(), **values)
    return store.by_id(app.db, item_id) or row
