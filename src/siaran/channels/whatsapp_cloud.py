"""Meta's WhatsApp Cloud API: one recipient per call, Bearer token, JSON.

Text, image (uploaded once to /media, then sent by id; ids live 30 days and are kept in the
``media`` history table) or an approved template with an image header and body parameters —
the only way to reach people who have not written to the office in the last 24 hours.
Every answer is classified here into a Receipt or the error tree; pacing and retries belong to
the engine (siaran.send).
"""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import re
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

import httpx

from ..errors import ConfigError, DeliveryError, FatalError, PermanentError, TransientError, scrub
from ..i18n import _
from ..reasons import reason
from . import WHATSAPP_LIMITS
from .base import MediaStore, Message, Receipt
from .http import Parts, call, http_status_error, json_body, json_bytes, retry_after
from .limits import split_text

MEDIA_TTL = timedelta(days=29)  # ids live 30 days; renewing a day early keeps a long broadcast safe

# Meta's error codes, classified here and only here (DESIGN.md §3): what kind of failure, and whom it
# concerns (siaran.errors): ``account``, every message of the broadcast (slow everyone down, or stop);
# ``recipient``, this person only; ``message``, this message only. Their words are the reason codes
# ``meta.<code>`` (siaran.reasons.codes).
ACCOUNT, RECIPIENT, MESSAGE = "account", "recipient", "message"
META: dict[int, tuple[type[DeliveryError], str]] = {
    # transient: the phone number (130429) or the app / account (4, 80007) is over its throughput, so
    # everybody waits; 131056 is one person messaged too often, so only that person waits
    4: (TransientError, ACCOUNT),
    80007: (TransientError, ACCOUNT),
    130429: (TransientError, ACCOUNT),
    131056: (TransientError, RECIPIENT),
    # transient server trouble: that message is tried again
    1: (TransientError, MESSAGE),
    2: (TransientError, MESSAGE),
    131000: (TransientError, MESSAGE),
    131016: (TransientError, MESSAGE),
    # fatal: the token, the account or its number cannot send to anyone; stop, keep the rest queued
    0: (FatalError, ACCOUNT),
    10: (FatalError, ACCOUNT),
    190: (FatalError, ACCOUNT),
    200: (FatalError, ACCOUNT),
    368: (FatalError, ACCOUNT),
    131031: (FatalError, ACCOUNT),
    131042: (FatalError, ACCOUNT),
    131045: (FatalError, ACCOUNT),
    131048: (FatalError, ACCOUNT),  # spam limit: stop the campaign
    133010: (FatalError, ACCOUNT),
    # permanent for this recipient or this message
    100: (PermanentError, RECIPIENT),
    131008: (PermanentError, RECIPIENT),
    131009: (PermanentError, RECIPIENT),
    131021: (PermanentError, RECIPIENT),
    131026: (PermanentError, RECIPIENT),
    131030: (PermanentError, RECIPIENT),
    131047: (PermanentError, RECIPIENT),
    131050: (PermanentError, RECIPIENT),
    131051: (PermanentError, RECIPIENT),
    131052: (PermanentError, RECIPIENT),
    131053: (PermanentError, RECIPIENT),
}
TEMPLATE_CODES = range(132000, 133000)  # template problems: the row fails, the operator fixes the template


def classify(response: httpx.Response, secrets: tuple[str, ...] = ()) -> DeliveryError:
    """A non-success answer as the right error. Meta throttles with HTTP 400 and a code, not 429."""
    body = json_body(response)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or "code" not in error:
        if response.status_code == 401:
            return FatalError(reason("meta.190"), code=401, scope=ACCOUNT)
        return http_status_error(response, "WhatsApp Cloud API")
    code = int(error.get("code") or 0)
    sub = error.get("error_subcode")
    details = (error.get("error_data") or {}).get("details") if isinstance(error.get("error_data"), dict) else None
    said = scrub(str(details or error.get("message") or ""), *secrets)[:300]
    wait = retry_after(response)
    kind, scope = META.get(code, (None, MESSAGE))
    words = reason(f"meta.{code}") if kind is not None else None
    if kind is FatalError or (response.status_code == 401 and kind is not TransientError):
        return FatalError(words if kind is FatalError else reason("meta.190"), code=code, scope=ACCOUNT)
    if kind is not None:
        why = reason("said", error=words, said=said) if said else words
        return kind(why, code=code, retry_after=wait if kind is TransientError else None, scope=scope)
    if code in TEMPLATE_CODES:
        detail = said or reason("cloud.template_check")
        return PermanentError(reason("cloud.template", detail=detail), code=code, scope=RECIPIENT)
    if response.status_code >= 500:
        return TransientError(reason("cloud.server", detail=said), code=code, retry_after=wait, scope=MESSAGE)
    words = reason("cloud.error", code=f"{code}/{sub}" if sub else str(code))
    return PermanentError(reason("said", error=words, said=said) if said else words, code=code, scope=RECIPIENT)


def _flat(text: str) -> str:
    """Template parameters may not hold newlines, tabs or more than 4 spaces in a row."""
    return re.sub(r"\s+", " ", text).strip()


class CloudDriver:
    name: ClassVar[str] = "cloud"
    concurrent: ClassVar[bool] = True  # many requests in flight, paced by whatsapp.mps
    max_text: ClassVar[int] = WHATSAPP_LIMITS["cloud"][0]
    max_caption: ClassVar[int] = WHATSAPP_LIMITS["cloud"][1]
    spread: ClassVar[tuple[float, float] | None] = None

    def __init__(self, settings, http: httpx.AsyncClient, clock, media: MediaStore | None = None):
        wa = settings.whatsapp
        if not wa.token or not wa.phone_number_id:
            raise ConfigError(
                _(
                    "whatsapp.provider = cloud needs SIARAN_WHATSAPP_TOKEN (in .env or the environment) "
                    "and whatsapp.phone_number_id"
                )
            )
        base = (wa.base_url or "https://graph.facebook.com").rstrip("/")
        self.url = f"{base}/{wa.api_version}/{wa.phone_number_id}"
        self.http = http
        self.clock = clock
        self.phone_number_id = wa.phone_number_id
        self.template = wa.template
        self.language = wa.template_language
        self.params = [p.strip() for p in wa.template_params.split(",") if p.strip()]
        self._token = wa.token
        self._headers = {"Authorization": f"Bearer {wa.token}"}
        self._json_headers = {**self._headers, "Content-Type": "application/json"}
        self._messages_url = httpx.URL(f"{self.url}/messages")
        self._message_request: httpx.Request | None = None  # URL, headers, timeouts: built once
        self._store = media  # media ids kept between runs (None: uploaded again each run)
        self._media: dict[Path, str] = {}
        self._parts = Parts()  # slides of a message already accepted, for retries in this run
        self._media_lock = asyncio.Lock()

    # -- media ---------------------------------------------------------------------------------
    def _media_key(self, image: Path, data: bytes) -> str:
        return "cloud:" + self.phone_number_id + ":" + hashlib.sha256(data).hexdigest()

    async def media_id(self, image: Path) -> str:
        """The Cloud API media id of an image: from memory, from history if younger than the
        TTL, or uploaded now. One upload per image even with many senders in flight."""
        found = self._media.get(image)
        if found:
            return found
        async with self._media_lock:
            found = self._media.get(image)
            if found:
                return found
            data = image.read_bytes()
            key = self._media_key(image, data)
            now = self.clock.now()
            found = self._store.get(key) if self._store else None
            if found and now - found[1] < MEDIA_TTL:
                media = found[0]
            else:
                media = await self._upload(image, data)
                if self._store:
                    self._store.put(key, "cloud", media, now)
            self._media[image] = media
            return media

    async def _upload(self, image: Path, data: bytes) -> str:
        mime = mimetypes.guess_type(image.name)[0] or "image/jpeg"
        response = await call(
            self.http.post(
                f"{self.url}/media",
                headers=self._headers,
                data={"messaging_product": "whatsapp", "type": mime},
                files={"file": (image.name, data, mime)},
            ),
            "WhatsApp Cloud API",
        )
        body = json_body(response)
        if response.status_code == 200 and isinstance(body, dict) and body.get("id"):
            return str(body["id"])
        error = classify(response, (self._token,))
        why = reason("cloud.upload", name=image.name, reason=error.reason)
        if isinstance(error, PermanentError):  # the same image fails for everyone: stop, say why
            raise FatalError(why, code=error.code, scope=ACCOUNT)
        raise type(error)(why, code=error.code, retry_after=error.retry_after, scope=error.scope)

    # -- messages ------------------------------------------------------------------------------
    def template_values(self, message: Message) -> list[str]:
        extra = message.extra
        values = {
            "name": message.recipient_name or "Bapak/Ibu",
            "title": extra.get("title", ""),
            "summary": extra.get("summary") or extra.get("title", ""),
            "date": extra.get("date", ""),
            "time": extra.get("time", ""),
            "place": extra.get("place", ""),
            "text": message.text,
        }
        return [_flat(values.get(p, "")) or "-" for p in extra.get("template_params", self.params)]

    async def payload(self, message: Message) -> list[dict[str, Any]]:
        """The JSON bodies for one message: usually one; two when a caption is too long."""
        to = message.recipient.lstrip("+")
        base = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        interactive = message.extra.get("interactive")
        if interactive:  # a reply inside the 24-hour window: the menu as a list or buttons
            return [{**base, "type": "interactive", "interactive": interactive}]
        template = message.extra.get("template", self.template)
        image = message.images[0] if message.images else None
        if template:
            components: list[dict[str, Any]] = []
            if image is not None:
                media = await self.media_id(image)
                components.append({"type": "header", "parameters": [{"type": "image", "image": {"id": media}}]})
            body = [{"type": "text", "text": v} for v in self.template_values(message)]
            if body:
                components.append({"type": "body", "parameters": body})
            tpl = {"name": template, "language": {"code": message.extra.get("language", self.language)}}
            if components:
                tpl["components"] = components
            return [{**base, "type": "template", "template": tpl}]
        texts = [
            {**base, "type": "text", "text": {"preview_url": True, "body": part}}
            for part in split_text(message.text, self.max_text)
        ]
        if image is None:
            return texts
        # Every slide of a carousel goes (a long SOP must arrive whole); the text is the first caption,
        # or follows the slides when it is longer than a caption may be.
        bodies = [{**base, "type": "image", "image": {"id": await self.media_id(i)}} for i in message.images]
        if len(message.text) <= self.max_caption:
            bodies[0]["image"]["caption"] = message.text
            return bodies
        return [*bodies, *texts]

    async def send(self, message: Message) -> Receipt:
        ids = await self._parts.send(message.key, await self.payload(message), self._post_message)
        return Receipt(provider_id=",".join(ids))

    def _request(self, content: bytes) -> httpx.Request:
        """A message request from a template the client built once (its URL, merged headers and
        timeouts), its body given as a stream with its length: httpx then takes the headers as they
        are instead of merging and checking them again for every message."""
        template = self._message_request
        if template is None:
            template = self.http.build_request("POST", self._messages_url, headers=self._json_headers)
            del template.headers["content-length"]  # each body sets its own
            self._message_request = template
        return httpx.Request(
            "POST",
            template.url,
            headers=[*template.headers.raw, (b"Content-Length", b"%d" % len(content))],
            stream=httpx.ByteStream(content),
            extensions=template.extensions,
        )

    async def _post_message(self, n: int, body: dict[str, Any]) -> str:
        # This runs for every message of a broadcast: only the body is made per message.
        response = await call(self.http.send(self._request(json_bytes(body))), "WhatsApp Cloud API")
        data = json_body(response)
        if response.status_code == 200 and isinstance(data, dict) and data.get("messages"):
            return str(data["messages"][0].get("id", ""))
        raise classify(response, (self._token,))

    async def aclose(self) -> None:
        return None


def make(settings, http, clock, **context) -> CloudDriver:
    return CloudDriver(settings, http, clock, context.get("media"))
