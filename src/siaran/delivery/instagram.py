"""Instagram deliveries: record each post's Instagram part, then publish (Graph API) or hand off each
open row, reconciling rows whose earlier attempt ended unclear. Called by ``siaran send`` (through
siaran.delivery.deliver), ``siaran instagram publish`` and the daemon.

The row's status is the delivery vocabulary (queued → sending → sent | failed | uncertain). A run
claims a row (``sending`` with its worker, compare-and-set) before acting on it, so two siaran
processes never work on one post at once; a row left ``sending`` by a dead process becomes
``uncertain`` and is reconciled — asked about, never published blindly.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..app import App
from ..channels import InstagramPost, Publication, make_publisher
from ..channels.base import LimitReached, TokenError
from ..channels.instagram_caption import fit as fit_caption
from ..content.model import Post as ContentPost
from ..errors import ConfigError, DeliveryError, PermanentError, TransientError, UncertainError
from ..history import deliveries, worker_id
from ..history import instagram as table
from ..history.media import MediaCache
from ..i18n import _
from ..plan import Planned, instagram_address
from ..reasons import Reason, reason, text
from .summary import CLAIMED, Summary

log = logging.getLogger(__name__)

NO_PICTURE = reason("instagram.no_picture")
OPEN = ("queued", "uncertain", "sending")  # still waiting for siaran to act (sending: if its owner died)


@dataclass
class Outcome:
    key: str
    post: str
    status: str  # a delivery status
    label: str  # how the operator reads it: published, handed_off, queued, failed, uncertain
    error: Reason | None = None


@dataclass
class RunResult:
    outcomes: list[Outcome] = field(default_factory=list)
    stopped: Reason | None = None  # why the run stopped early (token, publishing limit, configuration)
    busy: int = 0  # rows another live siaran process is publishing right now

    @property
    def counts(self) -> Counter:
        return Counter(o.label for o in self.outcomes)


def enqueue(app: App, post: ContentPost, planned: Iterable[Planned], images: Iterable[Path]) -> list[str]:
    """Record the post's Instagram part once per planned key (a key already there is left untouched)."""
    now = app.now()
    caption = fit_caption(app.project.renderer.render(post, "instagram"))
    rel = [_rel_path(Path(p), app.root) for p in images]
    keys = []
    for p in planned:
        table.add(app.db, p.key, rel, caption, _planned_at(p.occurrence, now))
        keys.append(p.key)
    return keys


def _rel_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


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


def _post(app: App, row: dict) -> InstagramPost:
    return InstagramPost(
        id=row["id"], key=row["key"], post=row["post"], occurrence=row["occurrence"],
        images=[app.root / p for p in json.loads(row["images"] or "[]")], caption=row["caption"] or "",
        status=row["status"], publisher=row["publisher"] or "", container_id=row["container_id"] or "",
        children=json.loads(row["children"] or "[]"), planned_at=row["planned_at"] or "", day=_day(app, row),
        batch=manual_batch(_when(app, row)),
    )  # fmt: skip


async def process(app: App, keys: Iterable[str] | None = None) -> RunResult:
    """Act on every open Instagram row (or only ``keys``): reconcile unclear ones, publish queued ones."""
    db = app.db
    deliveries.recover_inflight(db, app.now())
    rows = table.rows(db, OPEN, list(keys) if keys is not None else None)
    result = RunResult()
    if not rows:
        return result
    me = worker_id()
    current = app.settings.instagram.publisher
    from .http import instagram_client  # httpx and aiohttp: only when something goes out

    async with instagram_client(app.settings) as http:
        publishers: dict[str, object] = {}

        def publisher(name: str):
            if name not in publishers:
                handle = instagram_address(app.project.office)
                publishers[name] = make_publisher(
                    name, app.settings, http, app.clock, handle=handle, media=MediaCache(db)
                )
            return publishers[name]

        for row in rows:
            if row["status"] == "sending" or not deliveries.claim(db, row["key"], row["status"], me, app.now()):
                result.busy += 1  # another live siaran process is working on it right now
                continue
            post = _post(app, row)

            def save(_key=post.key, **values) -> None:
                table.save(db, _key, app.now(), **values)

            try:
                outcome = await _one(app, post, row, save, publisher, current)
            except (TokenError, LimitReached, ConfigError) as e:
                why = e.reason if isinstance(e, DeliveryError) else text(str(e))
                # Nothing was published (a definite refusal, or we never got that far); a row still
                # waiting to be reconciled keeps its state so it is never published blindly later.
                status = "queued" if post.status == "queued" else post.status
                save(status=status, worker=None, error=why, error_code=getattr(e, "code", None))
                result.outcomes.append(Outcome(post.key, post.post, status, status, why))
                result.stopped = why
                break
            result.outcomes.append(outcome)
    return result


async def _one(app: App, post: InstagramPost, row: dict, save, publisher, current: str) -> Outcome:
    try:
        if post.status == "uncertain":
            # The earlier attempt may have made the post appear: ask, never publish blindly.
            res = await publisher(post.publisher or current).reconcile(post, save)
            if res.status != "queued":
                return _record(app, post, res)
            post.status = "queued"
            save(error=None)
        if not post.images:  # queued before pictures were required: never hand a publisher a bare caption
            return _record(app, post, Publication("failed", NO_PICTURE))
        if post.publisher != current and not post.container_id:
            post.publisher = current
            save(provider=current)
        deliveries.count_attempt(app.db, post.key)
        return _record(app, post, await publisher(post.publisher).publish(post, save))
    except (TokenError, LimitReached):
        raise
    except TransientError as e:
        return _record(app, post, Publication("queued", e.reason, {"error_code": e.code}))
    except UncertainError as e:
        return _record(app, post, Publication("uncertain", e.reason, {"error_code": e.code}))
    except (PermanentError, DeliveryError) as e:
        return _record(app, post, Publication("failed", e.reason, {"error_code": e.code}))


def _record(app: App, post: InstagramPost, res: Publication) -> Outcome:
    """Final state of this run for the row; the claim on it is released."""
    table.save(app.db, post.key, app.now(), status=res.status, error=res.error, worker=None, **res.values)
    row = table.get(app.db, post.key) or {"status": res.status}
    return Outcome(post.key, post.post, res.status, table.label(row), res.error)


def _when(app: App, row: dict) -> datetime:
    """The office-local moment the post belongs to (names its outbox folders)."""
    when = datetime.fromisoformat(row["planned_at"]) if row["planned_at"] else app.now()
    return when.astimezone(app.project.office.timezone)


def _day(app: App, row: dict) -> date:
    return _when(app, row).date()


def manual_batch(local: datetime) -> str:
    """A manual send's name, by the office-local minute it started: "manual-0820" (outbox folder)."""
    return f"manual-{local:%H%M}"


async def deliver(app: App, post: ContentPost, planned: list[Planned], images: Iterable[Path], summary: Summary):
    """The delivery engine's Instagram step: record, then publish or hand off, counting into ``summary``.
    A post without a picture never reaches a publisher: its rows fail, saying why."""
    images = tuple(images)
    if not images:
        deliveries.set_statuses(app.db, [("failed", NO_PICTURE, p.key, "queued") for p in planned], app.now())
        summary.failed[reason("instagram.error", error=NO_PICTURE)] += len(planned)
        return
    keys = enqueue(app, post, planned, images)
    try:
        result = await process(app, keys)
    except ConfigError as e:
        summary.left_queued += len(keys)
        summary.stopped = summary.stopped or reason("instagram.error", error=text(str(e)))
        return
    for o in result.outcomes:
        said = reason("instagram.error", error=o.error)
        if o.status == "sent":
            summary.sent += 1
            if o.error:
                summary.warnings.append(said)
        elif o.status == "failed":
            summary.failed[said] += 1
        elif o.status == "uncertain":
            summary.uncertain += 1
            summary.warnings.append(said)
        else:
            summary.left_queued += 1
            if o.error:
                summary.warnings.append(said)
    if result.busy:  # another live process publishes it
        summary.already[CLAIMED] += result.busy
    if result.stopped:
        summary.stopped = summary.stopped or result.stopped


def requeue(app: App, delivery_id: int) -> dict:
    """The operator checked a failed or uncertain post and wants it tried again."""
    row = table.by_id(app.db, delivery_id)
    if row is None:
        raise ConfigError(
            _("no Instagram queue entry {id}; `siaran instagram queue` lists them").format(id=delivery_id)
        )
    if row["status"] not in ("failed", "uncertain"):
        raise ConfigError(
            _("entry {id} is {status}; only failed or uncertain entries can be requeued").format(
                id=delivery_id, status=table.label(row)
            )
        )
    values: dict = {"status": "queued", "error": None, "error_code": None, "worker": None}
    if row["status"] == "failed":
        values.update(container_id=None, children=None)  # a failed container is useless; make new ones
    table.save(app.db, row["key"], app.now(), **values)
    return table.by_id(app.db, delivery_id) or row
