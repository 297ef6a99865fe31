"""The Instagram Graph API publisher: containers → wait until FINISHED → ``media_publish`` once.

Facts (Meta's content publishing guide): ``POST /{ig-user-id}/media`` with ``image_url`` (+ caption)
makes a container; a carousel is 2–10 child containers (``is_carousel_item=true``) plus a
``media_type=CAROUSEL`` container holding ``children`` and the caption. ``GET /{container}?fields=
status_code,status`` says IN_PROGRESS | FINISHED | ERROR | EXPIRED | PUBLISHED. ``POST
/{ig-user-id}/media_publish`` (``creation_id``) makes the post appear; accounts may publish a limited
number of posts per 24 h (``GET /{ig-user-id}/content_publishing_limit``).

Once-only: the container id is recorded before publishing, the delivery row is ``sending`` while
``media_publish`` runs, and an unclear answer (timeout, 5xx, a crash) is reconciled — the
container's status PUBLISHED, or the caption among the account's recent media — never retried blind.
The token travels in the Authorization header, never in a URL, and is scrubbed from every error.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, ClassVar

import httpx

from ..clock import Clock
from ..config import Settings
from ..errors import ConfigError, PermanentError, TransientError, UncertainError, scrub
from ..history import utc
from ..i18n import _
from ..reasons import Reason, reason
from . import instagram_media as media
from .base import InstagramPost, LimitReached, Publication, Save, TokenError
from .instagram_caption import same_caption

log = logging.getLogger(__name__)

MAX_CHILDREN = 10


class GraphError(Exception):
    """An error body from the Graph API: {"error": {"message", "type", "code", "error_subcode", ...}}."""

    def __init__(self, http_status: int, body: dict[str, Any]):
        err = body.get("error") if isinstance(body, dict) else None
        err = err if isinstance(err, dict) else {}
        self.http_status = http_status
        self.message = str(err.get("error_user_msg") or err.get("message") or f"HTTP {http_status}")
        self.code = err.get("code")
        self.subcode = err.get("error_subcode")
        self.transient = bool(err.get("is_transient"))
        self.fbtrace_id = err.get("fbtrace_id", "")
        super().__init__(self.message)

    @property
    def code_text(self) -> str:
        return f"{self.code}/{self.subcode}" if self.subcode else str(self.code or self.http_status)

    def unclear(self) -> bool:
        """After media_publish, could the post have appeared anyway? (server errors: maybe)"""
        return self.http_status >= 500 or self.code in (1, 2)

    def classify(self) -> Exception:
        code, sub = self.code, self.subcode
        text = reason("instagram.graph_error", error=self.message, code=self.code_text)
        if code == 190:
            return TokenError(reason("instagram.token"), code=self.code_text, scope="account")
        if code == 9 or sub == 2207042:
            return LimitReached(reason("instagram.limit"), code=self.code_text, scope="account")
        if code == 9004 or sub == 2207052:
            return TransientError(reason("instagram.download_failed", code=self.code_text), code=self.code_text)
        if code == 36003 or sub == 2207009:
            return PermanentError(reason("instagram.aspect_refused", code=self.code_text), code=self.code_text)
        if code == 9007 or sub == 2207027:
            return TransientError(reason("instagram.not_ready", code=self.code_text), code=self.code_text)
        if self.transient or self.http_status >= 500 or code in (1, 2, 4, 17, 32, 613):
            return TransientError(text, code=self.code_text)
        return PermanentError(text, code=self.code_text)


class GraphAPI:
    """A thin client over the endpoints siaran uses. Raises GraphError or httpx.TransportError."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, version: str, user_id: str, token: str):
        self.http = http
        self.base = f"{base_url.rstrip('/')}/{version.strip('/')}" if version else base_url.rstrip("/")
        self.user_id = user_id
        self.headers = {"Authorization": f"Bearer {token}"}

    async def call(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        resp = await self.http.request(method, f"{self.base}/{path.lstrip('/')}", headers=self.headers, **kw)
        try:
            body = resp.json()
        except ValueError:
            body = {}
        if resp.status_code >= 400 or (isinstance(body, dict) and "error" in body):
            raise GraphError(resp.status_code, body)
        return body if isinstance(body, dict) else {}

    async def create_image(self, url: str, caption: str | None = None, *, carousel_item: bool = False) -> str:
        data = {"image_url": url}
        if carousel_item:
            data["is_carousel_item"] = "true"
        elif caption is not None:
            data["caption"] = caption
        return str((await self.call("POST", f"{self.user_id}/media", data=data))["id"])

    async def create_carousel(self, children: list[str], caption: str) -> str:
        data = {"media_type": "CAROUSEL", "children": ",".join(children), "caption": caption}
        return str((await self.call("POST", f"{self.user_id}/media", data=data))["id"])

    async def status(self, container_id: str) -> tuple[str, str]:
        body = await self.call("GET", container_id, params={"fields": "status_code,status"})
        return str(body.get("status_code", "")), str(body.get("status", "") or "")

    async def publish(self, container_id: str) -> str:
        body = await self.call("POST", f"{self.user_id}/media_publish", data={"creation_id": container_id})
        return str(body["id"])

    async def limit(self) -> tuple[int, int]:
        body = await self.call(
            "GET", f"{self.user_id}/content_publishing_limit", params={"fields": "config,quota_usage"}
        )
        data = (body.get("data") or [{}])[0]
        return int(data.get("quota_usage") or 0), int((data.get("config") or {}).get("quota_total") or 0)

    async def media(self, media_id: str) -> dict[str, Any]:
        return await self.call("GET", media_id, params={"fields": "id,permalink,shortcode,timestamp"})

    async def recent_media(self, limit: int = 25) -> list[dict[str, Any]]:
        body = await self.call(
            "GET",
            f"{self.user_id}/media",
            params={"fields": "id,caption,permalink,shortcode,timestamp", "limit": str(limit)},
        )
        return list(body.get("data") or [])


class GraphPublisher:
    name: ClassVar[str] = "graph"

    def __init__(self, settings: Settings, http: httpx.AsyncClient, clock: Clock):
        ig = settings.instagram
        missing = [
            f"instagram.{k}" + (" (SIARAN_INSTAGRAM_TOKEN)" if k == "token" else "")
            for k in ("user_id", "token", "public_media_base_url")
            if not ig[k]
        ]
        if missing:
            raise ConfigError(
                _("instagram.publisher = graph needs {names}; or set instagram.publisher = handoff").format(
                    names=", ".join(missing)
                )
            )
        self.api = GraphAPI(http, ig.base_url, ig.api_version, ig.user_id, ig.token)
        self.token = ig.token
        self.public_base = ig.public_media_base_url
        self.media_dir = settings.path("media")
        self.interval = max(0.0, float(ig.poll_interval))
        self.timeout = float(ig.poll_timeout)
        self.clock = clock

    def _scrub(self, text: str) -> str:
        return scrub(text, self.token)

    def _error(self, e: Exception) -> Exception:
        """Any failure before media_publish: nothing appeared, so it is safe to say what went wrong."""
        if isinstance(e, GraphError):
            err = e.classify()
            err.reason = err.reason.scrub(self.token)
            err.args = (err.reason,)
            return err
        if isinstance(e, httpx.TransportError):
            return TransientError(reason("instagram.unreachable", error=str(e) or type(e).__name__).scrub(self.token))
        return e

    async def _wait(self, container_id: str) -> str:
        """Poll until FINISHED (or PUBLISHED); ERROR/EXPIRED fail with Instagram's reason."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while True:
            code, detail = await self.api.status(container_id)
            if code in ("FINISHED", "PUBLISHED"):
                return code
            if code in ("ERROR", "EXPIRED"):
                why = f"{code}: {detail}" if detail else code
                raise PermanentError(reason("instagram.container_failed", detail=why), code=code)
            if loop.time() + self.interval > deadline:
                raise TransientError(reason("instagram.processing", seconds=f"{self.timeout:g}"))
            await asyncio.sleep(self.interval)

    async def _containers(self, post: InstagramPost, save: Save) -> str:
        if len(post.images) > MAX_CHILDREN:
            raise PermanentError(reason("instagram.carousel_size", limit=MAX_CHILDREN, count=len(post.images)))
        if not post.images:
            raise PermanentError(reason("instagram.needs_image"))
        urls = media.public_urls(post.images, self.media_dir, self.public_base)
        if len(urls) == 1:
            return await self.api.create_image(urls[0], post.caption)
        children = post.children or []
        if len(children) != len(urls):
            children = [await self.api.create_image(u, carousel_item=True) for u in urls]
            save(children=children)
            post.children = children
        for child in children:
            await self._wait(child)
        return await self.api.create_carousel(children, post.caption)

    async def publish(self, post: InstagramPost, save: Save) -> Publication:
        try:
            used, total = await self.api.limit()
            if total and used >= total:
                why = reason("instagram.limit_used", total=total, used=used)
                raise LimitReached(why, code="limit", scope="account")
            if not post.container_id:
                post.container_id = await self._containers(post, save)
                save(container_id=post.container_id)
            if await self._wait(post.container_id) == "PUBLISHED":
                return await self._published(post, "")
        except (GraphError, httpx.TransportError) as e:
            raise self._error(e) from None

        try:
            media_id = await self.api.publish(post.container_id)
        except (httpx.ConnectError, httpx.ConnectTimeout) as e:  # the request never left
            raise self._error(e) from None
        except GraphError as e:
            if not e.unclear():
                raise self._error(e) from None
            return await self._after_unclear(
                post, reason("instagram.unclear_answer", code=e.code_text, error=self._scrub(e.message))
            )
        except httpx.TransportError as e:
            return await self._after_unclear(
                post, reason("instagram.no_clear_answer", error=str(e) or type(e).__name__).scrub(self.token)
            )
        return await self._published(post, media_id)

    async def _after_unclear(self, post: InstagramPost, why: Reason) -> Publication:
        log.warning("unclear answer to media_publish for %s: %s", post.post, why)
        try:
            code, _detail = await self.api.status(post.container_id)
            if code == "PUBLISHED":
                return await self._published(post, "")
        except (GraphError, httpx.TransportError):
            pass
        raise UncertainError(reason("instagram.unclear", why=why))

    async def _published(self, post: InstagramPost, media_id: str) -> Publication:
        values: dict[str, Any] = {"published_at": utc(self.clock.now())}
        found: dict[str, Any] = {}
        try:
            if media_id:
                found = await self.api.media(media_id)
            else:
                found = await self._find_recent(post) or {}
        except (GraphError, httpx.TransportError, KeyError):
            pass  # the post is live; its permalink can come from `siaran instagram sync`
        values["media_id"] = media_id or str(found.get("id") or "")
        if found.get("permalink"):
            values["permalink"] = found["permalink"]
        if found.get("shortcode"):
            values["shortcode"] = found["shortcode"]
        if found.get("timestamp"):
            values["posted_at"] = _iso(found["timestamp"])
        return Publication("sent", values=values)

    async def _find_recent(self, post: InstagramPost) -> dict[str, Any] | None:
        for m in await self.api.recent_media():
            if same_caption(m.get("caption") or "", post.caption):
                return m
        return None

    async def reconcile(self, post: InstagramPost, save: Save) -> Publication:
        """A row left ``publishing`` by a dead process, or ``uncertain``: find out, never guess."""
        if not post.container_id:
            return Publication("queued")
        try:
            code, detail = await self.api.status(post.container_id)
            if code == "PUBLISHED":
                return await self._published(post, "")
            found = await self._find_recent(post)
        except (GraphError, httpx.TransportError) as e:
            raise UncertainError(reason("instagram.no_check", error=str(e)).scrub(self.token)) from None
        if found:
            return await self._published(post, str(found.get("id") or ""))
        if code == "FINISHED":
            # Ready and not published: the earlier media_publish never took effect. Publishing this same
            # container is safe (Instagram publishes a container at most once).
            return Publication("queued")
        if code in ("ERROR", "EXPIRED"):
            raise PermanentError(
                reason("instagram.container_gone", state=code.lower(), detail=detail or reason("instagram.no_detail"))
            )
        raise UncertainError(reason("instagram.state_unknown", state=code or reason("instagram.unknown")))


def _iso(stamp: str) -> str:
    """Graph timestamps look like 2026-11-23T02:00:00+0000."""
    try:
        return utc(datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S%z"))
    except ValueError:
        return stamp


def make(settings: Settings, http: httpx.AsyncClient, clock: Clock, **context) -> GraphPublisher:
    return GraphPublisher(settings, http, clock)
