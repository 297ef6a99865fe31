"""A faithful little Instagram Graph API (content publishing) for tests, served by FakeServer.

Containers start IN_PROGRESS for ``polls_in_progress`` status checks, then FINISHED (or whatever
``container_outcome`` says); ``media_publish`` publishes a FINISHED container once and refuses a
second publish of the same container, like Meta. Error bodies follow Meta's shape:
{"error": {"message", "type", "code", "error_subcode", "is_transient", "fbtrace_id"}}.
Knobs let a test inject errors, limits, unclear answers and a hook inside media_publish.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .http import Request, Response

VERSION = "v21.0"


def error(code: int, message: str, subcode: int | None = None, status: int = 400, transient: bool = False) -> Response:
    body: dict[str, Any] = {
        "message": message,
        "type": "OAuthException" if code == 190 else "IGApiException",
        "code": code,
        "is_transient": transient,
        "fbtrace_id": "AbCdEf123",
    }
    if subcode is not None:
        body["error_subcode"] = subcode
    return Response(status, {"error": body})


@dataclass
class FakeGraph:
    user_id: str = "17841400000000001"
    token: str = "EAAG-secret-token-123456"
    polls_in_progress: int = 1
    container_outcome: str = "FINISHED"  # or ERROR / EXPIRED
    container_error: Response | None = None  # answer to POST /media (e.g. 9004, 36003)
    limit_error: Response | None = None  # answer to content_publishing_limit (e.g. 190)
    quota_total: int = 25
    quota_used: int = 0
    # media_publish: after_publish(request) runs once the post is live, before the answer is sent;
    # publish_answer overrides the answer (e.g. a 500 after publishing: an unclear answer).
    after_publish: Callable[[Request], None] | None = None
    publish_answer: Response | None = None
    publish_before: Response | None = None  # refuse before publishing (nothing appears)
    requests: list[Request] = field(default_factory=list)
    containers: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    publish_calls: int = 0
    _ids: Any = field(default_factory=lambda: itertools.count(9000))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def published(self) -> list[dict[str, Any]]:
        return list(self.media.values())

    def __call__(self, req: Request) -> Response:
        with self._lock:
            self.requests.append(req)
        if req.headers.get("authorization") != f"Bearer {self.token}":
            return error(190, "Invalid OAuth access token - Cannot parse access token")
        parts = req.path.strip("/").split("/")
        if not parts or parts[0] != VERSION:
            return error(2500, "Unknown path components", status=404)
        parts = parts[1:]
        if parts == [self.user_id, "media"] and req.method == "POST":
            return self.create(req.form())
        if parts == [self.user_id, "media"] and req.method == "GET":
            newest = sorted(self.media.values(), key=lambda m: m["id"], reverse=True)
            return Response(200, {"data": newest[: int(req.query.get("limit", "25"))]})
        if parts == [self.user_id, "media_publish"] and req.method == "POST":
            return self.publish(req)
        if parts == [self.user_id, "content_publishing_limit"]:
            if self.limit_error:
                return self.limit_error
            config = {"quota_total": self.quota_total, "quota_duration": 86400}
            return Response(200, {"data": [{"quota_usage": self.quota_used + len(self.media), "config": config}]})
        if len(parts) == 1 and parts[0] in self.containers:
            c = self.containers[parts[0]]
            if c["status_code"] == "IN_PROGRESS":
                if c["polls"] >= self.polls_in_progress:
                    c["status_code"] = self.container_outcome
                c["polls"] += 1
            body = {"id": parts[0], "status_code": c["status_code"]}
            if c["status_code"] == "ERROR":
                body["status"] = "Error: 2207003 It took too long to download the media"
            return Response(200, body)
        if len(parts) == 1 and parts[0] in self.media:
            return Response(200, self.media[parts[0]])
        return error(100, f"Unsupported request: {req.method} {req.path}")

    def create(self, form: dict[str, str]) -> Response:
        if self.container_error is not None:
            return self.container_error
        cid = str(next(self._ids))
        if form.get("media_type") == "CAROUSEL":
            children = form.get("children", "").split(",")
            if not 2 <= len(children) <= 10 or any(c not in self.containers for c in children):
                return error(100, "Invalid parameter: children", 2207006)
        elif not form.get("image_url"):
            return error(100, "The parameter image_url is required")
        self.containers[cid] = {**form, "status_code": "IN_PROGRESS", "polls": 0}
        return Response(200, {"id": cid})

    def publish(self, req: Request) -> Response:
        self.publish_calls += 1
        if self.publish_before is not None:
            return self.publish_before
        cid = req.form().get("creation_id", "")
        c = self.containers.get(cid)
        if c is None:
            return error(100, "Invalid parameter: creation_id")
        if c["status_code"] == "PUBLISHED":
            return error(9, "Media already published", 2207004)  # Meta refuses a second publish
        if c["status_code"] != "FINISHED":
            return error(9007, "Media ID is not available", 2207027)
        c["status_code"] = "PUBLISHED"
        mid = str(next(self._ids))
        code = f"C{mid}x"
        self.media[mid] = {
            "id": mid,
            "caption": c.get("caption", ""),
            "permalink": f"https://www.instagram.com/p/{code}/",
            "shortcode": code,
            "timestamp": "2026-11-23T02:00:05+0000",
        }
        if self.after_publish:
            self.after_publish(req)
        if self.publish_answer is not None:
            return self.publish_answer
        return Response(200, {"id": mid})
