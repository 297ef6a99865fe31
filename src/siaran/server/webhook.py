"""The webhook listener: /webhook/whatsapp (Cloud API), /webhook/fonnte, /webhook/waha, nothing else.

Each POST is checked (signature or secret) on its raw bytes, parsed, handed to the inbox and
answered 200 at once; the inbox does the history work and the replies afterwards (Meta wants an
answer within seconds and re-sends anything else for days). A request that is not the provider's
changes nothing.

Whatever a request holds, the answer is never a 5xx of its own making and the log gets one line,
never a traceback: the body is capped (413), signatures are compared as bytes (401/403), JSON nested
deeper than ``MAX_DEPTH`` or of a shape the provider's parser cannot read is a 400. The one 503 is
the inbox's writer being stopped: the provider is asked to send again later, nothing is lost.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from . import cloud, fonnte, signatures, waha
from .events import ContactChange, Incoming, Malformed, Parsed, ProviderProblem, StatusEvent

log = logging.getLogger(__name__)

MAX_BODY = 3 * 1024 * 1024  # bytes; Meta documents webhook payloads of up to 3 MB
MAX_DEPTH = 64  # levels of JSON nesting; real payloads use under 10


class EventSink(Protocol):
    def put(self, statuses: list[StatusEvent], incoming: list[Incoming], changes: list[ContactChange] = ...,
            problems: list[ProviderProblem] = ...) -> bool: ...  # fmt: skip


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
    """JSON, or a urlencoded form (Fonnte can post either); None when it is neither; Malformed when
    it is JSON nested deeper than ``MAX_DEPTH``."""
    try:
        value = json.loads(body)
    except RecursionError:  # nested thousands deep: the C parser gives up before the depth is measured
        raise Malformed(f"JSON nested more than {MAX_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError):
        pass
    else:
        if too_deep(value, MAX_DEPTH):
            raise Malformed(f"JSON nested more than {MAX_DEPTH} levels")
        return value
    try:
        form = parse_qs(body.decode(), strict_parsing=True)
    except (ValueError, UnicodeDecodeError):
        return None
    return {k: v[0] for k, v in form.items()}


def too_deep(value: Any, limit: int) -> bool:
    """Is ``value`` (parsed JSON) nested more than ``limit`` levels? Without recursion, so any depth."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in item if isinstance(child, dict | list))
    return False


def _body_secret(body: bytes) -> str | None:
    """Fonnte's webhook "secret key" (Feb 2025) travels in the body beside the message."""
    try:
        payload = _json(body)
    except Malformed:
        return None
    secret = payload.get("secret") if isinstance(payload, dict) else None
    return secret if isinstance(secret, str) and secret else None


def webhook_app(whatsapp, inbox: EventSink) -> Starlette:
    """``whatsapp``: the settings section holding the secrets (verify_token, app_secret, webhook_secret)."""
    ok = PlainTextResponse("OK")

    async def receive(request: Request, verify: Callable[[bytes], int], parse) -> Response:
        try:
            body = await _body(request)
        except TooLarge:
            return PlainTextResponse("Payload too large", 413)
        except ClientDisconnect:
            return PlainTextResponse("Bad Request", 400)
        refused = verify(body)
        if refused:
            log.warning("webhook %s refused: %s", request.url.path, "unsigned" if refused == 401 else "bad signature")
            return PlainTextResponse("Unauthorized" if refused == 401 else "Forbidden", refused)
        try:
            payload = _json(body)
            if payload is None:
                raise Malformed("neither JSON nor a form")
            parsed: Parsed = parse(payload, body, time.time())
        except (Malformed, TypeError, AttributeError, ValueError, KeyError, IndexError, OverflowError) as e:
            # Signed, but not the provider's shape: the sender's fault, one line in the log.
            log.warning("webhook %s: body not in the provider's shape (%s)", request.url.path, _why(e))
            return PlainTextResponse("Bad Request", 400)
        if parsed and not inbox.put(parsed.statuses, parsed.incoming, parsed.changes, parsed.problems):
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
            secret = given or _body_secret(body)
            if not secret:
                return 401
            return 0 if signatures.same_secret(whatsapp.webhook_secret, secret) else 403

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
        exception_handlers={Exception: _fault},
        routes=[
            Route("/webhook/whatsapp", cloud_handshake, methods=["GET"]),
            Route("/webhook/whatsapp", cloud_post, methods=["POST"]),
            Route("/webhook/fonnte", fonnte_post, methods=["POST"]),
            Route("/webhook/waha", waha_post, methods=["POST"]),
        ],
    )


def _why(error: Exception) -> str:
    if isinstance(error, Malformed):
        return str(error)
    return f"{type(error).__name__}: {str(error)[:120]}"


async def _fault(request: Request, exc: Exception) -> Response:
    """Anything else a request manages to raise: one log line and a 400, never a traceback or a 500."""
    log.error("webhook %s failed: %s: %s", request.url.path, type(exc).__name__, str(exc)[:200])
    return PlainTextResponse("Bad Request", 400)
