"""The webhook listener: /webhook/whatsapp (Cloud API), /webhook/fonnte, /webhook/waha, nothing else.

Each POST is checked (signature or secret) on its raw bytes, parsed, handed to the inbox and
answered 200 at once; the inbox does the history work and the replies afterwards (Meta wants an
answer within seconds and re-sends anything else for days). A request that is not the provider's
changes nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from . import cloud, fonnte, signatures, waha
from .events import Incoming, StatusEvent

log = logging.getLogger(__name__)

MAX_BODY = 1_000_000  # bytes; Meta batches at most a few hundred events per POST (well under this)


class Inbox(Protocol):
    def put(self, statuses: list[StatusEvent], incoming: list[Incoming]) -> bool: ...


class TooLarge(Exception):
    pass


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _json(body: bytes) -> Any:
    """JSON, or a urlencoded form (Fonnte can post either)."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        pass
    try:
        form = parse_qs(body.decode(), strict_parsing=True)
    except (ValueError, UnicodeDecodeError):
        return None
    return {k: v[0] for k, v in form.items()}


def webhook_app(whatsapp, inbox: Inbox) -> Starlette:
    """``whatsapp``: the settings section holding the secrets (verify_token, app_secret, webhook_secret)."""
    ok = PlainTextResponse("OK")

    async def receive(request: Request, verify: Callable[[bytes], int], parse) -> Response:
        try:
            body = await _body(request)
        except TooLarge:
            return PlainTextResponse("Payload too large", 413)
        refused = verify(body)
        if refused:
            log.warning("webhook %s refused: %s", request.url.path, "unsigned" if refused == 401 else "bad signature")
            return PlainTextResponse("Unauthorized" if refused == 401 else "Forbidden", refused)
        payload = _json(body)
        if payload is None:
            return PlainTextResponse("Bad Request", 400)
        statuses, incoming = parse(payload)
        if (statuses or incoming) and not inbox.put(statuses, incoming):
            return PlainTextResponse("Service Unavailable", 503)
        return ok

    async def cloud_handshake(request: Request) -> Response:
        q = request.query_params
        token = q.get("hub.verify_token")
        if q.get("hub.mode") == "subscribe" and signatures.same_secret(whatsapp.verify_token, token):
            return PlainTextResponse(q.get("hub.challenge", ""))
        return PlainTextResponse("Forbidden", 403)

    async def cloud_post(request: Request) -> Response:
        header = request.headers.get("x-hub-signature-256")

        def verify(body: bytes) -> int:
            if not header:
                return 401
            return 0 if signatures.cloud_ok(whatsapp.app_secret, body, header) else 403

        return await receive(request, verify, cloud.parse)

    async def fonnte_post(request: Request) -> Response:
        given = request.query_params.get("secret") or request.headers.get("x-webhook-secret")

        def verify(body: bytes) -> int:
            if not given:
                return 401
            return 0 if signatures.same_secret(whatsapp.webhook_secret, given) else 403

        return await receive(request, verify, fonnte.parse)

    async def waha_post(request: Request) -> Response:
        header = request.headers.get("x-webhook-hmac")
        algorithm = request.headers.get("x-webhook-hmac-algorithm")

        def verify(body: bytes) -> int:
            if not header:
                return 401
            return 0 if signatures.waha_ok(whatsapp.webhook_secret, body, header, algorithm) else 403

        return await receive(request, verify, waha.parse)

    return Starlette(
        routes=[
            Route("/webhook/whatsapp", cloud_handshake, methods=["GET"]),
            Route("/webhook/whatsapp", cloud_post, methods=["POST"]),
            Route("/webhook/fonnte", fonnte_post, methods=["POST"]),
            Route("/webhook/waha", waha_post, methods=["POST"]),
        ]
    )
