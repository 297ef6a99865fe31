"""A fake WAHA (self-hosted WhatsApp HTTP API) over real HTTP: /api/sendText and /api/sendImage
with X-Api-Key; ``core=True`` answers 422 for images as the free Core edition does."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from dataclasses import dataclass, field

from .http import FakeServer, Request, Response

API_KEY = "waha-api-key-321"


@dataclass
class FakeWaha:
    api_key: str = API_KEY
    core: bool = True
    session: str = "default"
    texts: list[dict] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    delivered: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count = field(default_factory=itertools.count)

    def serve(self) -> FakeServer:
        return FakeServer(self.handle)

    def handle(self, req: Request) -> Response:
        if req.headers.get("x-api-key") != self.api_key:
            return Response(401, {"message": "Unauthorized", "statusCode": 401})
        body = req.json() or {}
        if body.get("session") != self.session:
            return Response(404, {"message": f'Session "{body.get("session")}" not found', "statusCode": 404})
        chat = str(body.get("chatId", ""))
        if not chat.endswith("@c.us"):
            return Response(400, {"message": "chatId must end with @c.us", "statusCode": 400})
        if req.path == "/api/sendImage":
            if self.core:
                return Response(
                    422,
                    {
                        "statusCode": 422,
                        "message": "The feature is available only in Plus version for 'WEBJS' engine",
                        "error": "Unprocessable Entity",
                    },
                )
            record = {"chatId": chat, "caption": body.get("caption"), "file": body.get("file", {}).get("filename")}
            with self.lock:
                self.images.append(record)
        elif req.path == "/api/sendText":
            with self.lock:
                self.texts.append({"chatId": chat, "text": body.get("text")})
        else:
            return Response(404, {"message": "Cannot POST " + req.path, "statusCode": 404})
        with self.lock:
            self.delivered[chat.removesuffix("@c.us")] += 1
            ident = next(self._ids)
        return Response(201, {"id": f"true_{chat}_3EB0{ident:08d}", "timestamp": 1763900000, "fromMe": True})
