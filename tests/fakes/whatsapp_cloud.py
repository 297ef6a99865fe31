"""A fake Meta WhatsApp Cloud API over real HTTP: the documented success and error shapes,
throttling as HTTP 400 with a code, latency, and faults injected per recipient."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from .http import FakeServer, Request, Response

TOKEN = "EAAG-test-token-0123456789"
PHONE_ID = "106540352242922"
TYPES = ("text", "image", "template", "interactive")
WABA_ID = "102290129340398"


def template(name: str, language: str = "id", status: str = "APPROVED", body: str = "{{1}}: {{2}}",
             category: str = "MARKETING") -> dict:  # fmt: skip
    """One entry of GET /{waba-id}/message_templates, as Meta documents it."""
    return {
        "name": name, "language": language, "status": status, "category": category, "id": f"tpl-{name}-{language}",
        "components": [
            {"type": "HEADER", "format": "IMAGE"},
            {"type": "BODY", "text": body},
            {"type": "FOOTER", "text": "Balas BERHENTI untuk berhenti"},
        ],
    }  # fmt: skip


MESSAGES = {
    190: ("Error validating access token: Session has expired.", "OAuthException", 401),
    130429: ("(#130429) Rate limit hit", "OAuthException", 400),
    131056: ("(#131056) (Business Account, Consumer Account) pair rate limit hit", "OAuthException", 400),
    131000: ("Something went wrong", "OAuthException", 500),
    131016: ("Service unavailable", "OAuthException", 503),
    131026: ("Message undeliverable", "OAuthException", 400),
    131048: ("Spam rate limit hit", "OAuthException", 400),
    131031: ("Business Account locked", "OAuthException", 400),
    368: ("Temporarily blocked for policies violations", "OAuthException", 400),
    132001: ("Template name does not exist in the translation", "OAuthException", 404),
    100: ("Invalid parameter", "OAuthException", 400),
}


def error(code: int, status: int | None = None, details: str = "") -> Response:
    message, kind, default_status = MESSAGES.get(code, ("Error", "OAuthException", 400))
    body = {
        "error": {
            "message": message,
            "type": kind,
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details or message},
            "fbtrace_id": "AbCdEf123",
        }
    }
    return Response(status or default_status, body)


@dataclass
class Fault:
    code: int | None = None  # Meta error code, or None for a bare HTTP status
    status: int | None = None
    times: int = 1  # how many requests to this recipient it hits
    delay: float = 0.0  # seconds to wait before answering (exceeding the client timeout = read timeout)
    accept: bool = False  # the message counts as delivered even though the answer is late/odd
    retry_after: float | None = None


@dataclass
class FakeCloud:
    token: str = TOKEN
    phone_number_id: str = PHONE_ID
    latency: float = 0.0
    delivered: Counter = field(default_factory=Counter)  # recipient → messages accepted
    requests: Counter = field(default_factory=Counter)  # recipient → message requests received
    bodies: list[dict] = field(default_factory=list)
    uploads: list[dict] = field(default_factory=list)
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    everyone: Fault | None = None  # a fault for every message request (token expired, outage)
    on_message: Callable[[str], None] | None = None  # called with each recipient as its request arrives
    waba_id: str = WABA_ID
    templates: list[dict] = field(default_factory=list)  # GET /{waba-id}/message_templates, 2 per page
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count = field(default_factory=itertools.count)

    def fail(self, to: str, code: int | None = None, **kw) -> None:
        """Make the next request(s) to ``to`` (E.164 or wa id) fail: ``fail("+62812…", 131056, times=2)``."""
        self.faults.setdefault(to.lstrip("+"), []).append(Fault(code, **kw))

    def serve(self) -> FakeServer:
        return FakeServer(self.handle)

    def handle(self, req: Request) -> Response:
        if self.latency:
            time.sleep(self.latency)
        if req.headers.get("authorization") != f"Bearer {self.token}":
            return error(190)
        if req.path == f"/v21.0/{self.waba_id}/message_templates":
            return self._templates(req)
        prefix = f"/v21.0/{self.phone_number_id}/"
        if not req.path.startswith(prefix):
            return error(100, 400, f"unknown path {req.path}")
        what = req.path[len(prefix) :]
        if what == "media":
            form = req.form()
            if form.get("messaging_product") != "whatsapp" or not isinstance(form.get("file"), bytes):
                return error(100, 400, "file and messaging_product are required")
            with self.lock:
                media = f"media-{next(self._ids)}"
                self.uploads.append({"id": media, "type": form.get("type"), "size": len(form["file"])})
            return Response(200, {"id": media})
        if what != "messages":
            return error(100, 400, f"unknown edge {what}")
        body = req.json()
        to = str(body.get("to", ""))
        if self.on_message is not None:
            self.on_message(to)
        with self.lock:
            self.requests[to] += 1
            fault = self.everyone
            queue = self.faults.get(to)
            if fault is None and queue:
                fault = queue[0]
                fault.times -= 1
                if fault.times <= 0:
                    queue.pop(0)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.code is None and fault.status is None:  # only slow: the message arrives
                return self._accept(to, body)
            if fault.accept:
                self._accept(to, body)
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            if fault.code is None:
                return Response(fault.status or 500, {"error": "upstream"}, headers)
            resp = error(fault.code, fault.status)
            resp.headers.update(headers)
            return resp
        if body.get("messaging_product") != "whatsapp" or body.get("type") not in TYPES:
            return error(100, 400, "bad message body")
        if len(body.get("text", {}).get("body", "")) > 4096 or len(body.get("image", {}).get("caption", "")) > 1024:
            return error(100, 400, "text body at most 4096 characters, caption at most 1024")  # as Meta says
        return self._accept(to, body)

    def _ok(self, to: str) -> dict:
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": f"wamid.{to}.{next(self._ids)}"}],
        }

    def _accept(self, to: str, body: dict) -> Response:
        with self.lock:
            self.delivered[to] += 1
            self.bodies.append(body)
        return Response(200, self._ok(to))

    def _templates(self, req: Request) -> Response:
        start = int(req.query.get("after") or 0)
        page = self.templates[start : start + 2]
        body: dict = {"data": page, "paging": {"cursors": {"before": str(start), "after": str(start + 2)}}}
        if start + 2 < len(self.templates):
            body["paging"]["next"] = f"{self.base_url}/v21.0/{self.waba_id}/message_templates?after={start + 2}"
        return Response(200, body)
