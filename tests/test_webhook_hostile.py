"""The webhook listener never answers 5xx to a request: hostile headers, bodies and shapes, one row
each with the exact status, one log line and no traceback (server/webhook.py, signatures.py)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass, field

import httpx
import pytest

from fakes import meta_webhooks as meta
from siaran.config import load_settings
from siaran.server.webhook import MAX_BODY, webhook_app


class RecordingInbox:
    """The listener's Inbox interface, keeping what it is given."""

    def __init__(self):
        self.puts: list[tuple[list, list]] = []

    def put(self, statuses, incoming, changes=(), problems=()) -> bool:
        self.puts.append((statuses, incoming))
        return True


def nested(depth: int, key: bytes = b"entry") -> bytes:
    """An object holding lists ``depth`` levels deep in all."""
    return b'{"' + key + b'":' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


def cloud_value(value: object) -> bytes:
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"changes": [{"value": value}]}]}).encode()


@dataclass
class Hit:
    id: str
    path: str
    body: bytes
    expected: int
    headers: dict[str, bytes] = field(default_factory=dict)
    sign: bool = True  # sign the body as the provider would
    events: int = 0  # statuses + messages handed to the inbox


GOOD_STATUS = meta.encode(meta.statuses(meta.status("wamid.A", "read", "6281")))
WAHA = "/webhook/waha"
FONNTE = f"/webhook/fonnte?secret={meta.WEBHOOK_SECRET}"

HITS = [
    Hit("good-status", "/webhook/whatsapp", GOOD_STATUS, 200, events=1),
    Hit("cloud-signature-non-ascii", "/webhook/whatsapp", GOOD_STATUS, 403,
        {"x-hub-signature-256": b"sha256=\xff\xfe" + b"0" * 62}, sign=False),
    Hit("cloud-signature-utf8", "/webhook/whatsapp", GOOD_STATUS, 403,
        {"x-hub-signature-256": "sha256=é".encode()}, sign=False),
    Hit("waha-hmac-non-ascii", WAHA, b"{}", 403, {"x-webhook-hmac": b"\xff" * 128}, sign=False),
    Hit("fonnte-secret-non-ascii", "/webhook/fonnte", b"{}", 403, {"x-webhook-secret": b"\xe9\xff"}, sign=False),
    Hit("json-100000-deep", "/webhook/whatsapp", nested(100_000), 400),
    Hit("json-65-deep", "/webhook/whatsapp", nested(65, b"x"), 400),
    Hit("json-64-deep", "/webhook/whatsapp", nested(64, b"x"), 200),
    Hit("entry-a-number", "/webhook/whatsapp", b'{"entry":5}', 400),
    Hit("entry-a-string-list", "/webhook/whatsapp", b'{"entry":["x"]}', 400),
    Hit("changes-a-string", "/webhook/whatsapp", b'{"entry":[{"changes":"x"}]}', 400),
    Hit("statuses-a-string-list", "/webhook/whatsapp", cloud_value({"statuses": ["x"]}), 400),
    Hit("messages-text-a-string", "/webhook/whatsapp",
        cloud_value({"messages": [{"id": "w1", "from": "6281", "type": "text", "text": "halo"}]}), 400),
    Hit("timestamp-inf", "/webhook/whatsapp",
        cloud_value({"statuses": [{"id": "w2", "status": "read", "timestamp": "inf"}]}), 200, events=1),
    Hit("timestamp-huge", "/webhook/whatsapp",
        cloud_value({"statuses": [{"id": "w3", "status": "read", "timestamp": 1e300}]}), 200, events=1),
    Hit("not-json-not-form", "/webhook/whatsapp", b"\xff\xfe\x00garbage", 400),
    Hit("json-nan", "/webhook/whatsapp", b'{"entry": NaN}', 400),
    Hit("too-large", "/webhook/whatsapp", b"x" * (MAX_BODY + 1), 413),
    Hit("waha-payload-a-list", WAHA, b'{"event":"message","payload":[1]}', 400),
    Hit("waha-data-a-number", WAHA,
        b'{"event":"message","payload":{"id":"w4","from":"6281@c.us","_data":5,"body":"x"}}', 200, events=1),
    Hit("fonnte-fields-of-every-type", FONNTE, b'{"sender":[1],"message":{"a":1},"timestamp":[]}', 200, events=1),
    Hit("fonnte-deep", FONNTE, nested(1000), 400),
]  # fmt: skip


def signed(hit: Hit) -> list[tuple[bytes, bytes]]:
    headers = [(k.encode(), v) for k, v in hit.headers.items()]
    if hit.sign and hit.path.startswith("/webhook/whatsapp"):
        headers.append((b"x-hub-signature-256", meta.sign(hit.body).encode()))
    if hit.sign and hit.path == WAHA:
        digest = hmac.new(meta.WEBHOOK_SECRET.encode(), hit.body, hashlib.sha512).hexdigest()
        headers += [(b"x-webhook-hmac", digest.encode()), (b"x-webhook-hmac-algorithm", b"sha512")]
    return headers


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[str, tuple[int, int, list[logging.LogRecord]]]:
    env = {"SIARAN_WHATSAPP_APP_SECRET": meta.APP_SECRET, "SIARAN_WHATSAPP_WEBHOOK_SECRET": meta.WEBHOOK_SECRET}
    settings = load_settings(tmp_path_factory.mktemp("hook"), env)
    results = {}

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    logger = logging.getLogger("siaran.server")
    logger.addHandler(handler)

    async def post_all() -> None:
        nonlocal records
        for hit in HITS:
            inbox = RecordingInbox()
            transport = httpx.ASGITransport(app=webhook_app(settings.whatsapp, inbox), raise_app_exceptions=False)
            records = []
            async with httpx.AsyncClient(transport=transport, base_url="http://hook") as client:
                res = await client.post(hit.path, content=hit.body, headers=signed(hit))
            events = sum(len(s) + len(i) for s, i in inbox.puts)
            results[hit.id] = (res.status_code, events, records)

    records: list[logging.LogRecord] = []
    try:
        asyncio.run(post_all())
    finally:
        logger.removeHandler(handler)
    return results


@pytest.mark.parametrize("hit", HITS, ids=[h.id for h in HITS])
def test_hostile_webhook_requests(hit: Hit, answers) -> None:
    status, events, records = answers[hit.id]
    assert status == hit.expected
    assert events == hit.events
    if status >= 400 and status != 413:
        assert len(records) == 1, [r.getMessage() for r in records]
    assert all(r.exc_info is None for r in records)
    assert all("Traceback" not in r.getMessage() for r in records)
