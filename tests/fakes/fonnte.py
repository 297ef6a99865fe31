"""A fake Fonnte over real HTTP: form POST /send, raw token header, always HTTP 200 with
``status`` true/false, faults injected per target."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from dataclasses import dataclass, field

from .http import FakeServer, Request, Response

TOKEN = "fonnte-device-token-XYZ123"


@dataclass
class FakeFonnte:
    token: str = TOKEN
    delivered: Counter = field(default_factory=Counter)
    forms: list[dict] = field(default_factory=list)
    reasons: dict[str, list[str]] = field(default_factory=dict)  # target → reasons for the next requests
    everyone: str = ""  # a reason for every request (e.g. "disconnected device")
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(80367170))

    def fail(self, target: str, reason: str) -> None:
        self.reasons.setdefault(target.lstrip("+"), []).append(reason)

    def serve(self) -> FakeServer:
        return FakeServer(self.handle)

    def handle(self, req: Request) -> Response:
        if req.path != "/send":
            return Response(404, "not found")
        if req.headers.get("authorization") != self.token:
            return Response(200, {"status": False, "reason": "invalid token"})
        form = req.form()
        target = str(form.get("target", ""))
        with self.lock:
            queue = self.reasons.get(target)
            reason = self.everyone or (queue.pop(0) if queue else "")
        if reason:
            return Response(200, {"status": False, "reason": reason})
        if not target.isdigit() or not (
            form.get("message") or form.get("file") or form.get("url")
        ):  # message optional with a file
            return Response(200, {"status": False, "reason": "target invalid"})
        with self.lock:
            self.delivered[target] += 1
            self.forms.append({k: (v if isinstance(v, str) else f"<{len(v)} bytes>") for k, v in form.items()})
            ident = next(self._ids)
        return Response(
            200,
            {
                "detail": "success! message in queue",
                "id": [str(ident)],
                "process": "pending",
                "quota": {target: {"details": "deduced from total quota", "quota": 999, "remaining": 998}},
                "requestid": ident,
                "status": True,
                "target": [target],
            },
        )
